"""Share of voice: each bank's part of the conversation against the configured competitors.

The banks compared are the organisation's own top-level brands and its competitors (brand kind
``own`` / ``competitor``); a regional bank counts in its network. Shares by volume (posts) and by
reach (the authors' followers summed), overall and per topic, over a period, from the watch's
counters. share(bank) = posts(bank) / posts(all compared banks).

Imports ``analytics.banks``, ``analytics.series``, ``storage.watch_store`` and the standard library.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from veilleur.analytics.banks import by_kind, networks
from veilleur.analytics.series import Period
from veilleur.core.organisation import Organisation
from veilleur.storage import watch_store

FORMULA = "share = posts (or reach) of the bank and its regional banks / posts (or reach) of all banks compared"


@dataclass(slots=True)
class Voice:
    bank: str
    kind: str
    posts: int
    reach: int
    share: float
    reach_share: float


@dataclass(slots=True)
class ShareOfVoice:
    period: str
    overall: list[Voice]
    by_topic: dict[str, list[Voice]] = field(default_factory=dict)
    formula: str = FORMULA

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _voices(totals: dict[str, tuple[int, int]], kinds: dict[str, str]) -> list[Voice]:
    posts = sum(n for n, _ in totals.values())
    reach = sum(r for _, r in totals.values())
    voices = [Voice(bank, kinds[bank], n, r, round(n / posts, 4) if posts else 0.0,
                    round(r / reach, 4) if reach else 0.0) for bank, (n, r) in totals.items()]
    return sorted(voices, key=lambda v: (-v.posts, v.bank))


def share_of_voice(conn: Connection, organisation: Organisation, period: Period) -> ShareOfVoice:
    """Shares of the own and competitor banks over ``period``, overall and per topic."""
    kinds = {bank: "own" for bank in by_kind(organisation, "own")}
    kinds.update({bank: "competitor" for bank in by_kind(organisation, "competitor")})
    rollup = networks(organisation)
    members = [b for b in kinds] + [b for b, network in rollup.items() if network in kinds]
    overall = {bank: (0, 0) for bank in kinds}
    per_topic: dict[str, dict[str, tuple[int, int]]] = {}
    for dimension in ("all", "topic"):
        rows = watch_store.totals(conn, "hour", period.start, period.end, dimension, members)
        for (bank, value), (n, r) in rows.items():
            top = rollup.get(bank, bank)
            target = overall if dimension == "all" else per_topic.setdefault(value, {b: (0, 0) for b in kinds})
            a, b = target[top]
            target[top] = (a + n, b + r)
    return ShareOfVoice(period.label, _voices(overall, kinds),
                        {topic: _voices(t, kinds) for topic, t in sorted(per_topic.items())})
