"""What an alert says when it is sent: a French message, then the body each kind of channel expects.

Pure functions, no I/O. Imports ``core.alert`` and ``analytics.notify_settings`` only.

The chat payloads follow each product's documented incoming-webhook format:

- Slack: ``{"text", "blocks"}``; ``text`` is the notification fallback when ``blocks`` are given
  (docs.slack.dev, ``@slack/webhook`` ``IncomingWebhookSendArguments``; Block Kit ``header``,
  ``section`` with ``mrkdwn`` text and ``fields``, ``context``).
- Mattermost: ``{"text", "attachments"}`` with Slack-compatible message attachments (``fallback``
  required, ``color``, ``title``, ``title_link``, ``text``, ``fields`` of ``{"title", "value",
  "short"}``) (developers.mattermost.com, "Incoming webhooks" and "Message attachments").
- Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request is
  received"): ``{"type": "message", "attachments": [{"contentType":
  "application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": <AdaptiveCard>}]}``
  (MicrosoftDocs/msteams-docs, "Create Incoming Webhooks" / "Send Adaptive Cards using Incoming
  Webhooks"; Argo CD's "Teams Workflows" notification service). Office 365 connectors are retired,
  so the legacy MessageCard is not produced.
- Generic webhook: veilleur's own JSON (``type``, ``alert`` as ``Alert.to_json()``, ``posts``,
  ``message``), signed by ``analytics.notify_channels``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from veilleur.analytics.notify_settings import ChannelKind
from veilleur.core.alert import Alert, AlertKind, Severity

SEVERITY_FR = {Severity.INFO: "information", Severity.WARNING: "vigilance", Severity.CRITICAL: "critique"}
SEVERITY_COLOUR = {Severity.INFO: "#2563eb", Severity.WARNING: "#d97706", Severity.CRITICAL: "#dc2626"}
TEAMS_COLOUR = {Severity.INFO: "Accent", Severity.WARNING: "Warning", Severity.CRITICAL: "Attention"}
KIND_FR = {AlertKind.VOLUME_BURST: "pic de volume", AlertKind.SENTIMENT_SHIFT: "hausse des messages négatifs",
           AlertKind.EMERGING_TERM: "terme émergent", AlertKind.RUMOR_CLUSTER: "rumeur"}
EXCERPT_CHARS = 160


@dataclass(slots=True)
class PostLink:
    """A post behind an alert, as a message quotes it (its text is the stored, masked one)."""

    id: int
    platform: str
    url: str | None
    excerpt: str
    created_at: datetime | None = None


@dataclass(slots=True)
class Message:
    """One alert told in French, ready to be put in any channel's format."""

    subject: str
    headline: str
    facts: list[tuple[str, str]]
    why: str
    posts: list[PostLink] = field(default_factory=list)
    link: str | None = None
    severity: Severity = Severity.WARNING
    test: bool = False

    @property
    def text(self) -> str:
        """The plain-text body (e-mail, chat fallbacks)."""
        lines = [self.headline, ""]
        lines += [f"{label} : {value}" for label, value in self.facts]
        lines += ["", f"Pourquoi : {self.why}"]
        if self.posts:
            lines += ["", "Publications à l'origine de l'alerte :"]
            lines += [f"- {p.url or f'publication n° {p.id} ({p.platform})'} — « {p.excerpt} »" for p in self.posts]
        if self.link:
            lines += ["", f"Voir l'alerte : {self.link}"]
        lines += ["", "— veilleur, la veille des réseaux sociaux"]
        return "\n".join(lines)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def local_time(value: datetime | None, zone: str) -> str:
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(zone)).strftime("%d/%m/%Y à %H:%M")


def compose(alert: Alert, posts: list[PostLink], *, base_url: str | None = None, zone: str = "Europe/Paris",
            test: bool = False) -> Message:
    """The French message of ``alert``: what fired, why, how serious, where, and the posts behind it."""
    severity = SEVERITY_FR[alert.severity]
    where = alert.bank or "toutes banques"
    prefix = "[veilleur][TEST]" if test else "[veilleur]"
    subject = f"{prefix} Alerte {severity} — {where} : {alert.title}"
    e = alert.explanation
    facts = [("Niveau", severity), ("Type", KIND_FR.get(alert.kind, str(alert.kind))), ("Banque", where)]
    if alert.entity:
        facts.append(("Entité", alert.entity))
    facts += [("Mesure", e.measure), ("Observé", f"{e.observed:g}"), ("Attendu", f"{e.expected:g}"),
              ("Seuil", f"{e.threshold:g}"), ("Fenêtre", f"{e.window_s // 60} min"),
              ("Ouverte le", local_time(alert.opened_at, zone))]
    if alert.updated_at and alert.updated_at != alert.opened_at:
        facts.append(("Mise à jour le", local_time(alert.updated_at, zone)))
    link = f"{base_url.rstrip('/')}/alerts/{alert.id}" if base_url and alert.id is not None else None
    headline = f"Alerte {severity} : {alert.title}"
    return Message(subject=subject, headline=headline, facts=facts, why=e.sentence(), posts=posts, link=link,
                   severity=alert.severity, test=test)


def webhook_body(alert: Alert, message: Message) -> dict[str, Any]:
    """veilleur's own JSON for generic webhooks."""
    return {"type": "test" if message.test else "alert", "alert": alert.to_json(),
            "posts": [{"id": p.id, "platform": p.platform, "url": p.url, "excerpt": p.excerpt,
                       "created_at": p.created_at.isoformat() if p.created_at else None} for p in message.posts],
            "message": {"subject": message.subject, "text": message.text, "link": message.link}}


def _post_lines(message: Message, link: str, escape=lambda text: text) -> str:
    return "\n".join(link.format(url=p.url, text=escape(p.excerpt)) if p.url else f"• « {escape(p.excerpt)} »"
                     for p in message.posts)


def slack_escape(text: str) -> str:
    """Slack reads ``&``, ``<`` and ``>`` as markup (``<!channel>`` would ping everyone)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(message: Message) -> dict[str, Any]:
    """A Slack incoming-webhook message: a fallback ``text`` and Block Kit ``blocks``."""
    fields = [{"type": "mrkdwn", "text": f"*{label}*\n{slack_escape(value)}"} for label, value in message.facts[:10]]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.headline[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Pourquoi :* {slack_escape(message.why)}"}},
        {"type": "section", "fields": fields},
    ]
    if message.posts:
        lines = _post_lines(message, "• <{url}|« {text} »>", lambda t: slack_escape(t).replace("|", "¦"))
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": lines[:3000]}})
    if message.link:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{message.link}|Voir l'alerte>"}]})
    return {"text": message.subject, "blocks": blocks}


def mattermost_body(message: Message) -> dict[str, Any]:
    """A Mattermost incoming-webhook message with one Slack-compatible attachment."""
    text = f"**Pourquoi :** {message.why}"
    if message.posts:
        text += "\n\n" + _post_lines(message, "- [« {text} »]({url})")
    attachment = {"fallback": message.subject, "color": SEVERITY_COLOUR[message.severity],
                  "title": message.headline, "text": text,
                  "fields": [{"title": label, "value": value, "short": True} for label, value in message.facts]}
    if message.link:
        attachment["title_link"] = message.link
    return {"text": message.subject, "attachments": [attachment]}


def teams_body(message: Message) -> dict[str, Any]:
    """A Teams Workflows webhook message: one Adaptive Card (schema 1.4) in ``attachments``."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": message.headline, "weight": "Bolder", "size": "Medium", "wrap": True,
         "color": TEAMS_COLOUR[message.severity]},
        {"type": "TextBlock", "text": f"Pourquoi : {message.why}", "wrap": True},
        {"type": "FactSet", "facts": [{"title": label, "value": value} for label, value in message.facts]},
    ]
    if message.posts:
        body.append({"type": "TextBlock", "wrap": True, "text": _post_lines(message, "- [« {text} »]({url})")})
    card: dict[str, Any] = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
                            "version": "1.4", "body": body}
    if message.link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Voir l'alerte", "url": message.link}]
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]}


def email_body(message: Message, to: list[str]) -> dict[str, Any]:
    """What the e-mail transport needs, kept as JSON in the outbox."""
    return {"to": list(to), "subject": message.subject, "text": message.text}


def channel_payload(kind: ChannelKind, alert: Alert, message: Message, to: list[str] | None = None) -> dict[str, Any]:
    """The stored payload of one delivery of ``message`` through a channel of ``kind``."""
    if kind == ChannelKind.EMAIL:
        return email_body(message, to or [])
    if kind == ChannelKind.SLACK:
        return slack_body(message)
    if kind == ChannelKind.MATTERMOST:
        return mattermost_body(message)
    if kind == ChannelKind.TEAMS:
        return teams_body(message)
    return webhook_body(alert, message)
