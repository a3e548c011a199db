"""Delivery channels: settings and routing, French messages, chat payload shapes, signatures, SMTP, HTTP."""
from __future__ import annotations

import asyncio
import email
import socket

import httpx
import orjson
import pytest
from aiosmtpd.controller import Controller
from hypothesis import given
from hypothesis import strategies as st

from tests.analytics.notify_support import SECRET, T0, Receiver, alert, settings
from veilleur.analytics.notify_channels import Transport, sign, verify_signature
from veilleur.analytics.notify_messages import PostLink, channel_payload, compose, slack_escape
from veilleur.analytics.notify_settings import ChannelKind, NotifySettings
from veilleur.core.alert import AlertKind, Severity
from veilleur.errors import ConfigError
from veilleur.settings import get_settings

POSTS = [PostLink(1, "x", "https://x.com/a/status/1", "L'appli Hélios ne marche plus <!channel> | 503", T0)]


# -- settings and routing ----------------------------------------------------------------------
def test_settings_name_the_wrong_key(tmp_path):
    path = tmp_path / "veilleur.toml"
    path.write_text('[[notify.channels]]\nname = "siem"\nkind = "webhook"\nurl = "ftp://x"\nsecret = "k"\n'
                    '[[notify.channels]]\nname = "com"\nkind = "email"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        get_settings(path)
    message = str(error.value)
    assert "notify.channels.0.url" in message and "http://" in message
    assert "notify.channels.1" in message and "'to'" in message


def test_webhook_needs_a_secret_and_names_are_unique():
    with pytest.raises(ValueError, match="secret"):
        settings({"name": "a", "kind": "webhook", "url": "http://127.0.0.1/h"})
    with pytest.raises(ValueError, match="unique: a"):
        settings({"name": "a", "kind": "slack", "url": "http://127.0.0.1/h"},
                 {"name": "a", "kind": "teams", "url": "http://127.0.0.1/h"})


def test_routing_by_severity_bank_and_kind():
    channel = settings({"name": "c", "kind": "slack", "url": "http://127.0.0.1/h", "min_severity": "warning",
                        "banks": ["Banque Hélios"], "kinds": ["rumor_cluster"]}).channels[0]
    assert channel.routes(Severity.CRITICAL, "Banque Hélios", AlertKind.RUMOR_CLUSTER)
    assert not channel.routes(Severity.INFO, "Banque Hélios", AlertKind.RUMOR_CLUSTER)
    assert not channel.routes(Severity.CRITICAL, "Kivo", AlertKind.RUMOR_CLUSTER)
    assert not channel.routes(Severity.CRITICAL, "Banque Hélios", AlertKind.VOLUME_BURST)


# -- messages ----------------------------------------------------------------------------------
def test_french_message_says_what_why_how_serious_and_links():
    message = compose(alert(), POSTS, base_url="https://veilleur.example/", zone="Europe/Paris")
    assert message.subject == ("[veilleur] Alerte critique — Banque Hélios : "
                               "pic de messages sur l'appli Hélios Mobile")
    text = message.text
    assert "Niveau : critique" in text and "Type : pic de volume" in text
    assert "Pourquoi : messages en 15 min : 48 observé contre 6.5 attendu (seuil 20, fenêtre de 15 min)" in text
    assert "Ouverte le : 09/10/2026 à 10:30" in text  # 08:30 UTC is 10:30 in Paris (summer time)
    assert "https://x.com/a/status/1" in text and "https://veilleur.example/alerts/7" in text


def test_slack_payload_has_text_and_blocks_with_markup_escaped():
    body = channel_payload(ChannelKind.SLACK, alert(), compose(alert(), POSTS))
    assert set(body) == {"text", "blocks"} and body["text"].startswith("[veilleur] Alerte critique")
    assert [b["type"] for b in body["blocks"]][:3] == ["header", "section", "section"]
    dumped = orjson.dumps(body).decode()
    assert "<!channel>" not in dumped and "&lt;!channel&gt;" in dumped
    assert "<https://x.com/a/status/1|" in dumped
    assert slack_escape("a<b>&c") == "a&lt;b&gt;&amp;c"


def test_mattermost_payload_has_text_and_a_slack_compatible_attachment():
    body = channel_payload(ChannelKind.MATTERMOST, alert(), compose(alert(), POSTS, base_url="https://v.example"))
    attachment = body["attachments"][0]
    assert body["text"].startswith("[veilleur]") and attachment["fallback"] == body["text"]
    assert attachment["color"] == "#dc2626" and attachment["title_link"] == "https://v.example/alerts/7"
    assert {"title": "Niveau", "value": "critique", "short": True} in attachment["fields"]


def test_teams_payload_is_an_adaptive_card_in_a_message():
    body = channel_payload(ChannelKind.TEAMS, alert(), compose(alert(), POSTS, base_url="https://v.example"))
    assert body["type"] == "message"
    attachment = body["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive" and attachment["contentUrl"] is None
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][2]["type"] == "FactSet"
    assert card["actions"][0] == {"type": "Action.OpenUrl", "title": "Voir l'alerte", "url": "https://v.example/alerts/7"}


def test_generic_webhook_body_carries_the_alert():
    body = channel_payload(ChannelKind.WEBHOOK, alert(), compose(alert(), POSTS))
    assert body["type"] == "alert" and body["alert"]["id"] == 7 and body["alert"]["why"].startswith("messages en")
    assert body["posts"][0]["url"] == "https://x.com/a/status/1"


# -- signatures --------------------------------------------------------------------------------
def _headers(stamp: int, body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"X-Veilleur-Timestamp": str(stamp), "X-Veilleur-Signature": sign(secret, stamp, body)}


def test_signature_accepts_right_and_refuses_wrong_secret_stale_or_changed():
    body = b'{"type":"alert"}'
    headers = _headers(1_791_532_800, body)
    assert verify_signature(SECRET, headers, body, tolerance=300, now=1_791_532_900)
    assert verify_signature(SECRET, {k.lower(): v for k, v in headers.items()}, body, now=1_791_532_800)
    assert not verify_signature("autre-secret", headers, body, now=1_791_532_900)
    assert not verify_signature(SECRET, headers, body, tolerance=300, now=1_791_533_101)  # stale
    assert not verify_signature(SECRET, headers, body + b" ", now=1_791_532_900)
    assert not verify_signature(SECRET, {"X-Veilleur-Timestamp": "1791532800"}, body, now=1_791_532_900)
    assert not verify_signature(SECRET, {**headers, "X-Veilleur-Timestamp": "abc"}, body, now=1_791_532_900)


@given(body=st.binary(max_size=200), stamp=st.integers(0, 2**33), secret=st.text(min_size=1, max_size=30))
def test_signature_round_trips_and_binds_the_timestamp(body, stamp, secret):
    headers = _headers(stamp, body, secret)
    assert verify_signature(secret, headers, body, now=stamp)
    moved = {**headers, "X-Veilleur-Timestamp": str(stamp + 1)}
    assert not verify_signature(secret, moved, body, now=stamp)


# -- HTTP ------------------------------------------------------------------------------------
def test_webhook_post_is_signed_and_verifiable_by_the_receiver():
    receiver = Receiver().start()
    try:
        notify = settings({"name": "siem", "kind": "webhook", "url": receiver.url, "secret": SECRET})
        payload = channel_payload(ChannelKind.WEBHOOK, alert(), compose(alert(), POSTS))
        with Transport(notify, clock=lambda: 1_791_532_800.5) as transport:
            outcome = transport.send(notify.channels[0], payload, "cle-1")
    finally:
        receiver.stop()
    assert outcome.ok and outcome.status_code == 200
    path, headers, body = receiver.requests[0]
    assert path == "/hook" and headers["X-Veilleur-Delivery"] == "cle-1"
    assert headers["Content-Type"] == "application/json" and orjson.loads(body)["alert"]["id"] == 7
    assert verify_signature(SECRET, headers, body, now=1_791_532_860)
    assert not verify_signature("mauvais", headers, body, now=1_791_532_860)


def test_refused_and_unreachable_posts_are_failures_with_the_reason():
    notify = settings({"name": "chat", "kind": "slack", "url": "http://127.0.0.1:9/h"})
    refuse = httpx.MockTransport(lambda request: httpx.Response(503, headers={"Retry-After": "120"}, text="busy"))
    with Transport(notify, http=httpx.Client(transport=refuse)) as transport:
        outcome = transport.send(notify.channels[0], {"text": "x"}, "k")
    assert not outcome.ok and outcome.status_code == 503 and outcome.retry_after_s == 120
    assert "HTTP 503: busy" in outcome.error
    port = free_port()
    closed = settings({"name": "chat", "kind": "slack", "url": f"http://127.0.0.1:{port}/h"})
    with Transport(closed) as transport:
        outcome = transport.send(closed.channels[0], {"text": "x"}, "k")
    assert not outcome.ok and outcome.status_code is None and "ConnectError" in outcome.error


# -- SMTP ------------------------------------------------------------------------------------
class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.envelopes.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:  # a port nobody listens on (yet)
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()
    asyncio.set_event_loop(None)


def test_email_goes_through_a_local_smtp_server_in_french(smtp_server):
    controller, inbox = smtp_server
    notify = NotifySettings.model_validate({
        "smtp": {"host": "127.0.0.1", "port": controller.port,
                 "sender": "veilleur@banque-helios.fr"},
        "channels": [{"name": "com", "kind": "email", "to": ["com@banque-helios.fr", "dircom@banque-helios.fr"]}]})
    payload = channel_payload(ChannelKind.EMAIL, alert(), compose(alert(), POSTS), notify.channels[0].to)
    with Transport(notify, clock=lambda: 1_791_532_800) as transport:
        outcome = transport.send(notify.channels[0], payload, "cle-mail")
    assert outcome.ok, outcome.error
    envelope = inbox.envelopes[0]
    assert envelope.rcpt_tos == ["com@banque-helios.fr", "dircom@banque-helios.fr"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == ("[veilleur] Alerte critique — Banque Hélios : "
                                  "pic de messages sur l'appli Hélios Mobile")
    assert message["X-Veilleur-Delivery"] == "cle-mail" and message["From"] == "veilleur@banque-helios.fr"
    body = message.get_content()
    assert "Pourquoi : messages en 15 min : 48 observé" in body and "https://x.com/a/status/1" in body


def test_email_to_a_closed_port_fails_with_the_reason():
    port = free_port()
    notify = NotifySettings.model_validate({"smtp": {"host": "127.0.0.1", "port": port, "timeout_s": 2},
                                            "channels": [{"name": "com", "kind": "email", "to": ["a@b.fr"]}]})
    with Transport(notify) as transport:
        outcome = transport.send(notify.channels[0], {"to": ["a@b.fr"], "subject": "s", "text": "t"}, "k")
    assert not outcome.ok and "ConnectionRefusedError" in outcome.error


def _self_signed(folder):
    """A certificate for 127.0.0.1 signed by itself: the 'internal CA' the settings point to."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_email_with_starttls_and_login(tmp_path):
    import ssl

    from aiosmtpd.smtp import AuthResult

    cert_file, key_file = _self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_file, key_file)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"mot-de-passe")

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=server_tls,
                            require_starttls=True, authenticator=authenticator, auth_require_tls=True)
    controller.start()
    try:
        def send(password: str, ca_file=cert_file):
            notify = NotifySettings.model_validate({
                "smtp": {"host": "127.0.0.1", "port": controller.port, "starttls": True, "username": "veilleur",
                         "password": password, "ca_file": ca_file, "timeout_s": 5},
                "channels": [{"name": "com", "kind": "email", "to": ["com@banque-helios.fr"]}]})
            with Transport(notify) as transport:
                return transport.send(notify.channels[0], {"to": ["com@banque-helios.fr"], "subject": "Test",
                                                           "text": "Bonjour"}, "k")

        assert send("mot-de-passe").ok and len(inbox.envelopes) == 1
        unknown_ca = send("mot-de-passe", ca_file=None)  # the system's CAs do not know this certificate
        assert not unknown_ca.ok and "CERTIFICATE_VERIFY_FAILED" in unknown_ca.error
    finally:
        controller.stop()
        asyncio.set_event_loop(None)
    assert logins == [(b"veilleur", b"mot-de-passe")] and len(inbox.envelopes) == 1
