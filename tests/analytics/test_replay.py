"""Replaying scenarios: how incidents and false alarms are counted, the JSON shape, and the held-out targets."""
from __future__ import annotations

import gzip
import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.analytics.support import MONDAY, every
from veilleur.analytics.errors import NotFound, WatchError
from veilleur.analytics.replay import find_scenario, replay
from veilleur.analytics.settings import WatchSettings

SCENARIOS = Path(__file__).resolve().parents[2] / "data" / "scenarios"


def _record(n, at, text, story, **labels):
    base = {"language": "fr", "bank": "Banque Hélios", "entity": None, "sentiment": "neutral", "intent": "other",
            "topics": [], "abusive": False}
    return {"id": n, "platform": "x", "created_at": at.isoformat(), "text": text,
            "author": {"handle": f"u{n}", "followers": 10}, "labels": base | labels, "story": story}


def _write(folder: Path, records: list[dict], incidents: list[dict]) -> Path:
    with gzip.open(folder / "mini.posts.jsonl.gz", "wt", encoding="utf-8") as out:
        for r in records:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    manifest = folder / "mini.json"
    manifest.write_text(json.dumps({"name": "mini", "incidents": incidents}), encoding="utf-8")
    return manifest


def test_delays_false_alarms_and_the_json_shape(tmp_path):
    records, n = [], 0
    for at in every(MONDAY, 120, 12 * 14):  # two quiet weeks
        n += 1
        records.append(_record(n, at, "question livret", "routine"))
    outage = MONDAY + timedelta(days=14, hours=8)
    for i, at in enumerate(every(outage, 1, 12)):
        n += 1
        records.append(_record(n, at, f"appli en panne {i}", "outage-x", sentiment="negative", intent="complaint"))
    party = MONDAY + timedelta(days=15, hours=12)
    for i, at in enumerate(every(party, 1, 12)):  # an "announcement" that turns sour: must not raise a crisis
        n += 1
        records.append(_record(n, at, f"annonce partenariat {i}", "sponsor-x", sentiment="negative",
                               intent="complaint"))
    for i, at in enumerate(every(MONDAY + timedelta(days=16, hours=3), 1, 12)):  # noise nobody injected
        n += 1
        records.append(_record(n, at, f"bruit {i}", "routine", sentiment="negative", intent="complaint"))
    incidents = [{"name": "outage-x", "bank": "Banque Hélios", "onset": outage.isoformat(), "source": "injected",
                  "must_detect": True, "crisis": True, "must_not_raise_crisis": False},
                 {"name": "sponsor-x", "bank": "Banque Hélios", "onset": party.isoformat(), "source": "injected",
                  "must_detect": False, "crisis": False, "must_not_raise_crisis": True}]
    result = replay(_write(tmp_path, records, incidents), WatchSettings())
    data = result.to_json()
    assert set(data) == {"incidents", "false_alarms_per_week", "posts_per_s"}
    assert [set(i) for i in data["incidents"]] == [{"name", "onset", "detected_at", "delay_s"}] * 2
    outage_row, sponsor_row = data["incidents"]
    assert 0 < outage_row["delay_s"] <= 15 * 60 and sponsor_row["detected_at"] is None
    stories = [j.story for j in result.false_alarms]
    assert "sponsor-x" in stories and "routine" in stories  # the sour announcement and the noise
    assert data["false_alarms_per_week"] == round(len(result.false_alarms) / result.weeks, 2)


def test_unknown_or_incomplete_scenarios_say_so(tmp_path):
    with pytest.raises(NotFound, match="tuning"):
        find_scenario("nope", SCENARIOS)
    (tmp_path / "lonely.json").write_text(json.dumps({"name": "lonely", "incidents": []}), encoding="utf-8")
    with pytest.raises(WatchError, match=r"generate\.py"):
        replay(find_scenario("lonely", tmp_path), WatchSettings())


def test_the_held_out_scenario_meets_the_targets():
    """Parameters were chosen on "tuning"; "heldout" (another seed, other timings) is the check."""
    result = replay(find_scenario("heldout", SCENARIOS), WatchSettings())
    injected = [i for i in result.incidents if i["source"] == "injected" and i["must_detect"]]
    assert len(injected) == 4
    assert all(i["delay_s"] is not None and i["delay_s"] <= 15 * 60 for i in injected), injected
    assert result.false_alarms_per_week <= 1
    assert all(i["crisis_alerts"] == 0 for i in result.incidents if i["name"].startswith(("sponsorship",
                                                                                          "demo-sponsorship")))
