"""Sending: webhook signatures, HTTP POST (httpx, with timeouts) and e-mail (``smtplib``), one attempt each.

Signed webhooks. Every HTTP delivery whose channel has a ``secret`` carries::

    X-Veilleur-Timestamp: 1791532800                    (Unix seconds when it was sent)
    X-Veilleur-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
    X-Veilleur-Delivery: <the delivery's key>           (the same on every retry: de-duplicate on it)

The body is the exact bytes received (UTF-8 JSON); the timestamp guards against replays. A
receiver copies ``verify_signature`` below (standard library only) and refuses anything else.

Retries are not decided here: ``send`` reports one attempt's ``Outcome`` and ``analytics.notify``
decides. E-mail uses the standard library because SMTP with optional STARTTLS and login is all
that is needed; no third-party mailer adds anything for that.

Imports ``analytics.notify_settings`` and ``analytics.notify_messages``, httpx and the standard library.
"""
from __future__ import annotations

import hashlib
import hmac
import smtplib
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import httpx
import orjson

from veilleur.analytics.notify_settings import ChannelKind, ChannelSettings, NotifySettings

TIMESTAMP_HEADER = "X-Veilleur-Timestamp"
SIGNATURE_HEADER = "X-Veilleur-Signature"
DELIVERY_HEADER = "X-Veilleur-Delivery"
USER_AGENT = "veilleur-notify/1"


@dataclass(slots=True)
class Outcome:
    """What one attempt gave: sent or not, the HTTP status if any, the error in words."""

    ok: bool
    status_code: int | None = None
    error: str | None = None
    retry_after_s: float | None = None


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent for a JSON payload (what the signature covers)."""
    return orjson.dumps(payload)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Veilleur-Signature`` value of ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: str, headers: Mapping[str, str], body: bytes, tolerance: float = 300,
                     now: float | None = None) -> bool:
    """Whether a delivery is genuine and fresh: for receivers to copy (standard library only).

    Args:
        secret: the channel's shared secret.
        headers: the request headers (any case).
        body: the raw request body, exactly as received.
        tolerance: how many seconds the timestamp may be away from now (replays are refused).
        now: the current Unix time (default: the clock).

    Returns:
        True only when the timestamp is within ``tolerance`` and the signature matches.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    stamp, signature = lowered.get("x-veilleur-timestamp", ""), lowered.get("x-veilleur-signature", "")
    if not stamp.isdigit() or not signature.startswith("sha256="):
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.removeprefix("sha256="))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


class Transport:
    """Sends one delivery through its channel. Tests may inject an ``httpx.Client`` or a clock.

    Args:
        settings: the notify settings (SMTP server, HTTP timeout).
        http: an httpx client (default: one with the settings' timeout, no redirects followed).
        clock: Unix time for signature timestamps.
    """

    def __init__(self, settings: NotifySettings, http: httpx.Client | None = None, clock=time.time):
        self.settings = settings
        self._http = http
        self._own_http = http is None
        self.clock = clock

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(timeout=httpx.Timeout(self.settings.http_timeout_s),
                                      headers={"User-Agent": USER_AGENT}, follow_redirects=False)
        return self._http

    def close(self) -> None:
        if self._own_http and self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, channel: ChannelSettings, payload: dict[str, Any], key: str) -> Outcome:
        """One attempt at delivering ``payload`` through ``channel``; never raises for a failed send."""
        if channel.kind == ChannelKind.EMAIL:
            return self.send_email(payload, key)
        return self.post(channel, payload, key)

    def post(self, channel: ChannelSettings, payload: dict[str, Any], key: str) -> Outcome:
        body = body_bytes(payload)
        headers = {"Content-Type": "application/json", DELIVERY_HEADER: key}
        if channel.secret is not None:
            stamp = int(self.clock())
            headers[TIMESTAMP_HEADER] = str(stamp)
            headers[SIGNATURE_HEADER] = sign(channel.secret.get_secret_value(), stamp, body)
        try:
            response = self.http.post(channel.url or "", content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Outcome(False, None, f"{type(exc).__name__}: {exc}")
        if response.is_success:
            return Outcome(True, response.status_code)
        return Outcome(False, response.status_code, f"HTTP {response.status_code}: {response.text[:200]}",
                       _retry_after(response))

    def send_email(self, payload: dict[str, Any], key: str) -> Outcome:
        smtp = self.settings.smtp
        message = EmailMessage()
        message["From"] = smtp.sender
        message["To"] = ", ".join(payload["to"])
        message["Subject"] = payload["subject"]
        message["Date"] = format_datetime(datetime.fromtimestamp(self.clock(), UTC))
        message["Message-ID"] = make_msgid(idstring=key.replace(":", "."), domain="veilleur")
        message[DELIVERY_HEADER] = key
        message.set_content(payload["text"])
        try:
            with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s) as client:
                if smtp.starttls:
                    client.starttls(context=ssl.create_default_context(cafile=smtp.ca_file))
                if smtp.username:
                    client.login(smtp.username, smtp.password.get_secret_value() if smtp.password else "")
                refused = client.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            code = getattr(exc, "smtp_code", None)
            return Outcome(False, code, f"{type(exc).__name__}: {exc}")
        if refused:  # the others received it: sending again would duplicate their copy
            return Outcome(True, 250, f"refused recipients: {', '.join(sorted(refused))}")
        return Outcome(True, 250)
