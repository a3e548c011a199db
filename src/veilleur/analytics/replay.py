"""Replay a scenario of ``data/scenarios/`` through the detectors on a simulated clock, and score it.

The scenario files carry the labels the real pipeline gave when the generator ran, so the replay
does not analyse again: it times the detectors and alert book only (``posts_per_s``).

What counts (written here and printed by ``veilleur watch replay``):
- An alert is *attributed* to an incident when at least half the posts it lists at the moment
  it is judged carry that incident's story tag; otherwise it belongs to the quiet background.
- An incident is *detected* at the first moment an attributed alert exists with the required
  severity: warning or critical for a crisis (outage, rumour, phishing), any for the others (a
  viral praise is detected by an info alert). ``delay_s`` = detected_at − onset.
- A *false alarm* is an alert not attributed to any injected incident or demo storyline event,
  or a crisis alert (warning or critical) attributed to an event that must not raise one (a
  sponsorship). ``false_alarms_per_week`` divides their number by the simulated weeks.

Imports ``analytics`` (settings, signals, alerts, incidents), ``storage.feed`` (the post record),
``core.alert`` and the standard library.
"""
from __future__ import annotations

import gzip
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from veilleur.analytics.alerts import AlertBook
from veilleur.analytics.errors import NotFound, WatchError
from veilleur.analytics.settings import WatchSettings
from veilleur.analytics.signals.engine import Watcher
from veilleur.core.alert import Alert
from veilleur.storage.feed import AnalysedPost

ROUTINE = "routine"


@dataclass(slots=True)
class Scenario:
    name: str
    manifest: dict[str, Any]
    posts: list[AnalysedPost]
    stories: dict[int, str]

    @property
    def weeks(self) -> float:
        return max((self.posts[-1].created_at - self.posts[0].created_at).total_seconds() / 604800, 1e-9)


@dataclass(slots=True)
class Judged:
    """An alert at a moment the replay judged it: when it opened or when its severity rose."""

    alert: Alert
    at: datetime
    crisis: bool
    story: str


@dataclass(slots=True)
class ReplayResult:
    incidents: list[dict[str, Any]]
    false_alarms: list[Judged]
    weeks: float
    posts: int
    seconds: float
    alerts: int
    background: list[Judged] = field(default_factory=list)

    @property
    def false_alarms_per_week(self) -> float:
        return round(len(self.false_alarms) / self.weeks, 2)

    def to_json(self) -> dict[str, Any]:
        return {"incidents": [{k: i[k] for k in ("name", "onset", "detected_at", "delay_s")} for i in self.incidents],
                "false_alarms_per_week": self.false_alarms_per_week,
                "posts_per_s": round(self.posts / max(self.seconds, 1e-9))}


def find_scenario(name_or_path: str, folder: Path) -> Path:
    """The manifest of a scenario given by name (in ``folder``) or by path."""
    given = Path(name_or_path)
    candidates = [given, given.with_suffix(".json"), folder / f"{name_or_path}.json"]
    for candidate in candidates:
        if candidate.suffix == ".json" and candidate.is_file():
            return candidate
    known = sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []
    raise NotFound(f"scenario {name_or_path!r} not found (known in {folder}: {', '.join(known) or 'none'})")


def load_scenario(manifest_path: Path) -> Scenario:
    """Read a manifest and its posts file (``<name>.posts.jsonl.gz`` beside it)."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    posts_path = manifest_path.with_name(f"{manifest['name']}.posts.jsonl.gz")
    if not posts_path.is_file():
        raise WatchError(f"{posts_path} is missing: run `python data/scenarios/generate.py` to write it")
    posts, stories = [], {}
    with gzip.open(posts_path, "rt", encoding="utf-8") as handle:
        for line in handle:
            r = json.loads(line)
            labels, author = r["labels"] or {}, r["author"] or {}
            posts.append(AnalysedPost(
                id=r["id"], platform=r["platform"], external_id=str(r["id"]), url=None, text=r["text"],
                created_at=datetime.fromisoformat(r["created_at"]), conversation_id=None, reply_to_id=None,
                metrics={}, author_handle=author.get("handle"), author_followers=author.get("followers"),
                author_bio=author.get("bio"), language=labels.get("language"), bank=labels.get("bank"),
                entity=labels.get("entity"), sentiment=labels.get("sentiment"), intent=labels.get("intent"),
                topics=labels.get("topics") or [], abusive=labels.get("abusive")))
            stories[r["id"]] = r["story"]
    return Scenario(manifest["name"], manifest, posts, stories)


def _story(post_ids: list[int], stories: dict[int, str]) -> str:
    counts = Counter(stories.get(p, ROUTINE) for p in post_ids)
    story, n = max(((s, n) for s, n in counts.items() if s != ROUTINE), key=lambda x: x[1], default=(ROUTINE, 0))
    return story if n * 2 >= len(post_ids) else ROUTINE


def run(scenario: Scenario, settings: WatchSettings, networks: dict[str, str] | None = None
        ) -> tuple[list[Judged], float]:
    """Replay the posts through the detectors and alert book; every judged moment and the seconds taken."""
    watcher, book = Watcher(settings, networks), AlertBook(settings)
    judged: list[Judged] = []
    crisis_seen: set[int] = set()
    started = time.perf_counter()
    for post in scenario.posts:
        for firing in watcher.observe(post):
            fired = book.fire(firing)
            if fired is None:
                continue
            alert, is_new = fired
            crisis = alert.severity.is_crisis and id(alert) not in crisis_seen
            if is_new or crisis:
                judged.append(Judged(alert, firing.at, alert.severity.is_crisis, _story(alert.post_ids,
                                                                                        scenario.stories)))
            if alert.severity.is_crisis:
                crisis_seen.add(id(alert))
    return judged, time.perf_counter() - started


def score(scenario: Scenario, judged: list[Judged], seconds: float) -> ReplayResult:
    """Detection delays per incident and false alarms, as defined in the module docstring."""
    by_name = {i["name"]: i for i in scenario.manifest["incidents"]}
    rows, false_alarms, background = [], [], []
    for name, incident in by_name.items():
        onset = datetime.fromisoformat(incident["onset"])
        wanted = [j for j in judged if j.story == name and (j.crisis or not incident["crisis"])]
        first = min((j.at for j in wanted), default=None)
        detected = first if incident["must_detect"] else None
        rows.append({"name": name, "onset": onset.isoformat(),
                     "detected_at": detected.isoformat() if detected else None,
                     "delay_s": round((detected - onset).total_seconds()) if detected else None,
                     "must_detect": incident["must_detect"], "source": incident["source"], "bank": incident["bank"],
                     "crisis_alerts": sum(1 for j in judged if j.story == name and j.crisis)})
    first_of: dict[int, Judged] = {}
    for j in judged:
        first_of.setdefault(id(j.alert), j)
    for j in judged:
        incident = by_name.get(j.story)
        if incident is None and first_of[id(j.alert)] is j:  # an alert counts once, when it opens
            false_alarms.append(j)
            background.append(j)
        elif incident is not None and incident["must_not_raise_crisis"] and j.crisis:
            false_alarms.append(j)
    return ReplayResult(rows, false_alarms, scenario.weeks, len(scenario.posts), seconds,
                        len({id(j.alert) for j in judged}), background)


def replay(manifest_path: Path, settings: WatchSettings, networks: dict[str, str] | None = None) -> ReplayResult:
    """Load, run and score one scenario (``networks``: regional bank → network; default: the manifest's)."""
    scenario = load_scenario(manifest_path)
    judged, seconds = run(scenario, settings, scenario.manifest.get("networks", {}) if networks is None else networks)
    return score(scenario, judged, seconds)
