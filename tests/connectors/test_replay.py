"""The replay connector releases records on a sped-up clock and resumes from its checkpoint."""
from __future__ import annotations

from datetime import timedelta

from tests.factories import T0, record, write_jsonl
from veilleur.connectors.replay import ReplayConfig, ReplayConnector


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def minutes(*offsets):
    return [record(i, created_at=(T0 + timedelta(minutes=m)).isoformat()) for i, m in enumerate(offsets, 1)]


def test_records_arrive_paced_at_n_times_real_time(tmp_path):
    path = write_jsonl(tmp_path / "r.jsonl", minutes(0, 0, 10, 30))
    clock = FakeClock()
    replay = ReplayConnector(ReplayConfig(path=path, speed=60), clock=clock, sleep=clock.sleep)
    pages = list(replay.fetch(None))
    assert clock.slept == [10.0, 20.0]  # 10 then 20 minutes of posts, at 60× speed
    assert [len(p.records) for p in pages] == [2, 1, 1]


def test_a_stopped_replay_resumes_with_the_next_record(tmp_path):
    path = write_jsonl(tmp_path / "r.jsonl", minutes(0, 5, 10))
    clock = FakeClock()
    first = next(iter(ReplayConnector(ReplayConfig(path=path, speed=1e6), clock=clock,
                                      sleep=clock.sleep).fetch(None)))
    assert [r.location for r in first.records] == ["r.jsonl:1"]
    rest = ReplayConnector(ReplayConfig(path=path, speed=1e6), clock=clock, sleep=clock.sleep)
    assert [r.location for p in rest.fetch(first.checkpoint) for r in p.records] == ["r.jsonl:2", "r.jsonl:3"]


def test_unreadable_dates_are_released_at_once_for_parse_to_reject(tmp_path):
    path = write_jsonl(tmp_path / "r.jsonl", [record(1, created_at="hier soir"), b"{oops"])
    clock = FakeClock()
    pages = list(ReplayConnector(ReplayConfig(path=path), clock=clock, sleep=clock.sleep).fetch(None))
    assert clock.slept == [] and sum(len(p.records) for p in pages) == 2
