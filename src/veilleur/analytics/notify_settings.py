"""Settings of alert delivery: channels (e-mail, webhook, Slack, Mattermost, Teams), routing, SMTP, retries.

In ``veilleur.toml``::

    [notify]
    base_url = "https://veilleur.banque-helios.fr"   # links to alerts in messages

    [notify.smtp]
    host = "smtp.banque-helios.fr"
    port = 587
    starttls = true
    username = "veilleur"
    password = "..."            # or VEILLEUR_NOTIFY__SMTP__PASSWORD
    sender = "veilleur@banque-helios.fr"

    [[notify.channels]]
    name = "com-crise"
    kind = "email"              # email | webhook | slack | mattermost | teams
    to = ["communication@banque-helios.fr"]
    min_severity = "critical"   # info | warning | critical
    banks = ["Banque Hélios"]   # empty: every bank
    kinds = []                  # volume_burst, sentiment_shift, emerging_term, rumor_cluster; empty: all

    [[notify.channels]]
    name = "siem"
    kind = "webhook"
    url = "https://siem.banque-helios.fr/hooks/veilleur"
    secret = "..."              # HMAC-SHA256 signing key (see analytics.notify_channels)

Pydantic only (and ``core.alert`` for the severity and kind names); imported by ``veilleur.settings``.
"""
from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from veilleur.core.alert import AlertKind, Severity

SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class ChannelKind(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"
    SLACK = "slack"
    MATTERMOST = "mattermost"
    TEAMS = "teams"


HTTP_KINDS = frozenset({ChannelKind.WEBHOOK, ChannelKind.SLACK, ChannelKind.MATTERMOST, ChannelKind.TEAMS})


class ChannelSettings(BaseModel):
    """One place alerts go, and which alerts go there."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$",
                      description="how the channel is named in the log and on the command line")
    kind: ChannelKind
    url: str | None = Field(default=None, description="webhook, slack, mattermost, teams: the URL to POST to")
    secret: SecretStr | None = Field(default=None, description="HMAC-SHA256 key signing the body (webhook; optional "
                                                               "for the others)")
    to: list[str] = Field(default_factory=list, description="email: the recipients")
    min_severity: Severity = Field(default=Severity.WARNING, description="alerts below this severity are not sent")
    banks: list[str] = Field(default_factory=list, description="only alerts about these banks; empty: every bank")
    kinds: list[AlertKind] = Field(default_factory=list, description="only these kinds of alert; empty: every kind")
    enabled: bool = True

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        wrong = [a for a in value if "@" not in a or a.strip() != a or len(a) > 320]
        if wrong:
            raise ValueError(f"not e-mail addresses: {', '.join(repr(a) for a in wrong)}")
        return value

    @model_validator(mode="after")
    def _what_the_kind_needs(self) -> ChannelSettings:
        if self.kind in HTTP_KINDS and not self.url:
            raise ValueError(f"a {self.kind} channel needs a url")
        if self.kind == ChannelKind.EMAIL and not self.to:
            raise ValueError("an email channel needs at least one address in 'to'")
        if self.kind == ChannelKind.WEBHOOK and self.secret is None:
            raise ValueError("a webhook channel needs a secret: receivers check the signature with it")
        return self

    def routes(self, severity: Severity, bank: str | None, kind: AlertKind) -> bool:
        """Whether an alert of this severity, bank and kind goes to this channel."""
        return (self.enabled and SEVERITY_RANK[severity] >= SEVERITY_RANK[self.min_severity]
                and (not self.banks or bank in self.banks) and (not self.kinds or kind in self.kinds))


class SmtpSettings(BaseModel):
    """The mail server e-mail channels go through (``smtplib``)."""

    model_config = ConfigDict(extra="forbid")

    host: str = "localhost"
    port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = Field(default=False, description="upgrade the connection with STARTTLS before sending")
    ca_file: Path | None = Field(default=None, description="PEM file of the CA that signed the server's certificate "
                                                         "(a bank's internal CA); default: the system's CAs")
    username: str | None = Field(default=None, description="log in when set")
    password: SecretStr | None = None
    sender: str = Field(default="veilleur@localhost", description="the From address")
    timeout_s: float = Field(default=10.0, gt=0, le=300)


class RetrySettings(BaseModel):
    """Retries of failed deliveries: exponential back-off with jitter, then the dead state."""

    model_config = ConfigDict(extra="forbid")

    max_attempts: int = Field(default=8, ge=1, le=100, description="after this many failed attempts: dead")
    base_delay_s: float = Field(default=30.0, gt=0, description="wait after the first failure; doubles each time")
    max_delay_s: float = Field(default=3600.0, gt=0, description="the longest wait between two attempts")
    jitter: float = Field(default=0.2, ge=0, lt=1, description="each wait is drawn in ±jitter of its value")


class NotifySettings(BaseModel):
    """Settings of alert delivery: channels and their routing, SMTP, HTTP timeouts, retries."""

    model_config = ConfigDict(extra="forbid")

    channels: list[ChannelSettings] = Field(default_factory=list)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    retry: RetrySettings = Field(default_factory=RetrySettings)
    http_timeout_s: float = Field(default=10.0, gt=0, le=120, description="connect and read timeout of webhooks")
    base_url: str | None = Field(default=None, description="the web app's address; messages link to "
                                                           "BASE_URL/alerts/ID when set")
    timezone: str = Field(default="Europe/Paris", description="how times are written in messages")
    max_posts: int = Field(default=5, ge=0, le=50, description="posts quoted in a message")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Paris)") from exc
        return value

    @field_validator("channels")
    @classmethod
    def _unique_names(cls, value: list[ChannelSettings]) -> list[ChannelSettings]:
        names = [c.name for c in value]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"channel names must be unique: {', '.join(repeated)}")
        return value

    def channel(self, name: str) -> ChannelSettings | None:
        return next((c for c in self.channels if c.name == name), None)
