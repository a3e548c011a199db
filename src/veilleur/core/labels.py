"""The labels of ``shared/design/labels.md`` as enums, and the ``Analysis`` of one post.

Pure data, no I/O; imports the standard library only. Every other room uses these values.

Spans (brands, PII) are character offsets into ``Post.text`` as the platform gave it, so a
span can be shown, masked or highlighted in the original without any offset mapping.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Sentiment(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class Intent(StrEnum):
    QUESTION = "question"
    COMPLAINT = "complaint"
    PRAISE = "praise"
    SUGGESTION = "suggestion"
    ABUSE = "abuse"
    RUMOR = "rumor"
    INFORMATION = "information"
    OTHER = "other"


class Topic(StrEnum):
    CARDS = "cards"
    TRANSFERS = "transfers"
    ACCOUNTS_FEES = "accounts_fees"
    DIGITAL = "digital"
    LOANS = "loans"
    SAVINGS = "savings"
    INSURANCE = "insurance"
    FRAUD_SECURITY = "fraud_security"
    BRANCH_ADVISOR = "branch_advisor"
    CUSTOMER_SERVICE = "customer_service"
    JOBS = "jobs"
    CSR_SPONSORSHIP = "csr_sponsorship"


class Urgency(StrEnum):
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class PiiKind(StrEnum):
    IBAN = "iban"
    CARD_NUMBER = "card_number"
    ACCOUNT_NUMBER = "account_number"
    PHONE = "phone"
    EMAIL = "email"
    NIR = "nir"
    BIRTH_DATE = "birth_date"
    POSTAL_ADDRESS = "postal_address"


LABEL_NAMES = ("sentiment", "intent", "topics", "abusive", "urgency", "pii", "bank")
"""The top-level fields of every analysis output and evaluation file, in this order."""

NO_ANSWER_INTENTS = frozenset({Intent.PRAISE, Intent.INFORMATION, Intent.OTHER, Intent.ABUSE})
"""Intents whose posts need no answer: their urgency is always ``low``."""


@dataclass(slots=True)
class Span:
    """A piece of ``Post.text``: [start, end) with what it is."""

    start: int
    end: int
    kind: str
    text: str = ""
    value: str | None = None  # e.g. the canonical brand, or a normalised number


@dataclass(slots=True)
class Analysis:
    """Everything the pipeline learns about one post. Stages fill the fields they ``assign``."""

    # normalize
    clean_text: str | None = None
    urls: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    emojis: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # e.g. "empty", "truncated"
    # language
    language: str | None = None
    # bank
    brands: list[Span] = field(default_factory=list)
    bank: str | None = None
    entity: str | None = None  # the configured entity the post concerns, when one is identified
    # the labels of labels.md that later stages assign
    sentiment: str | None = None
    intent: str | None = None
    topics: list[str] | None = None
    abusive: bool | None = None
    urgency: str | None = None
    pii: list[str] | None = None
    pii_spans: list[Span] = field(default_factory=list)
    # explanations: per label, a score (or per-value scores) and short cues
    scores: dict[str, Any] = field(default_factory=dict)
    cues: dict[str, list[str]] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

    def labels(self) -> dict[str, Any]:
        """The labels of labels.md, by name, ``None`` where no stage assigned them."""
        return {name: getattr(self, name) for name in LABEL_NAMES}

    def details(self) -> dict[str, Any]:
        """Scores, cues, spans and versions: what explains the labels."""
        return {
            "language": self.language,
            "entity": self.entity,
            "scores": self.scores,
            "cues": self.cues,
            "brands": [asdict(s) for s in self.brands],
            "pii_spans": [asdict(s) for s in self.pii_spans],
            "hashtags": self.hashtags,
            "handles": self.handles,
            "urls": self.urls,
            "emojis": self.emojis,
            "flags": self.flags,
            "versions": self.versions,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        data = dict(data)
        for key in ("brands", "pii_spans"):
            data[key] = [Span(**s) for s in data.get(key) or []]
        known = set(cls.__slots__)  # tolerate fields written by a newer version
        return cls(**{k: v for k, v in data.items() if k in known})
