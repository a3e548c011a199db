"""Benchmark: posts/s through the watch's detectors (bursts, sentiment shift, emerging terms, rumours)
and alert book, on one core, over the replay scenarios of ``data/scenarios/``; and posts/s of
``watch update`` over a SQLite store (counters upserted, detectors, alerts, cursor).

The scenario posts carry their labels (the analysis is measured by ``benchmarks/analyze.py``), so
this measures the watch alone. Pinned to one core; prints the median and spread of several runs.

    .venv/bin/python benchmarks/watch.py [--runs 5] [--scenario tuning] [--store-posts 3000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from veilleur.analytics.replay import find_scenario, load_scenario, run
from veilleur.analytics.settings import WatchSettings
from veilleur.analytics.watch import update
from veilleur.core.post import Author, Post
from veilleur.pipeline.base import Doc
from veilleur.settings import Settings
from veilleur.storage.sql import SqlStore

ROOT = Path(__file__).resolve().parents[1]
console = Console()


def detectors(scenario_name: str, runs: int) -> list[float]:
    scenario = load_scenario(find_scenario(scenario_name, ROOT / "data" / "scenarios"))
    rates = []
    for _ in range(runs):
        _judged, seconds = run(scenario, WatchSettings(), scenario.manifest.get("networks"))
        rates.append(len(scenario.posts) / seconds)
    return rates


def store_update(scenario_name: str, runs: int, limit: int) -> list[float]:
    """``watch update`` over ``limit`` scenario posts saved with their labels into a fresh SQLite store."""
    scenario = load_scenario(find_scenario(scenario_name, ROOT / "data" / "scenarios"))
    docs = []
    for p in scenario.posts[:limit]:
        doc = Doc(Post(platform=p.platform, external_id=p.external_id, text=p.text, created_at=p.created_at,
                       author=Author(handle=p.author_handle or "x", followers=p.author_followers)))
        a = doc.analysis
        a.bank, a.sentiment, a.intent, a.topics, a.language = p.bank, p.sentiment, p.intent, p.topics, p.language
        docs.append(doc)
    rates = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(data_dir=Path(folder), database_url=f"sqlite:///{folder}/bench.db")
            store = SqlStore(settings.effective_database_url)
            store.upgrade()
            store.save(docs)
            started = time.perf_counter()
            report = update(store, settings)
            rates.append(report.posts / (time.perf_counter() - started))
            store.close()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scenario", default="tuning")
    parser.add_argument("--store-posts", type=int, default=3000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    table = Table("measure", "median posts/s", "min", "max", title="watch (one core)")
    for name, rates in (("detectors + alert book (replay)", detectors(args.scenario, args.runs)),
                        (f"watch update on SQLite ({args.store_posts} posts)",
                         store_update(args.scenario, max(1, args.runs // 2), args.store_posts))):
        table.add_row(name, f"{statistics.median(rates):,.0f}", f"{min(rates):,.0f}", f"{max(rates):,.0f}")
    console.print(table)


if __name__ == "__main__":
    main()
