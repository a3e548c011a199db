"""Benchmark: posts/s through normalize + language + bank + store, on SQLite and PostgreSQL.

Store includes what every ingest does: upserts of authors, posts and analyses, the checkpoint,
full-text indexing and the journal's two entries per post (received, analysed).

Pinned to one core, each run ingests N posts (texts of the demo corpus, re-identified) from a
JSON Lines file into an empty database; prints the median and spread of several runs, the time
share of each stage, and the peak resident memory. Usage:

    .venv/bin/python benchmarks/ingest.py [--posts 10000] [--runs 5] [--postgresql URL]

"posts per CPU s" counts this process's CPU time only (not the PostgreSQL server's): on a machine
shared with other work it shows the code's own cost when wall-clock rates are noisy.

PostgreSQL is measured when reachable (default postgresql+psycopg://postgres@127.0.0.1:5432/test,
in a schema of its own that is dropped afterwards).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table
from sqlalchemy import create_engine, text

from veilleur.connectors.files import JsonLinesConfig, JsonLinesConnector
from veilleur.pipeline.base import make_doc
from veilleur.pipeline.factory import build_pipeline
from veilleur.settings import PipelineSettings, Settings
from veilleur.storage.sql import SqlStore
from veilleur.workers.ingest import ingest

ROOT = Path(__file__).resolve().parents[1]
console = Console()


def texts(given: Path | None = None) -> list[str]:
    for candidate in (given, ROOT / "data/demo/posts.jsonl", ROOT / "data/corpus/test.jsonl"):
        if candidate is None:
            continue
        if candidate.exists():
            found = []
            for line in candidate.open(encoding="utf-8"):
                try:
                    found.append(json.loads(line)["text"])
                except (ValueError, KeyError, TypeError):
                    continue
            return found
    raise SystemExit("no corpus found: build data/demo/posts.jsonl first")


def write_input(path: Path, n: int, source: Path | None) -> Path:
    pool = texts(source)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(json.dumps({
                "platform": "x", "id": f"b{i}", "text": pool[i % len(pool)],
                "created_at": f"2026-10-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00+02:00",
                "author": {"handle": f"user{i % 3000}", "followers": i % 5000}, "metrics": {"likes": i % 7},
                "lang": "fr" if i % 3 else None}, ensure_ascii=False) + "\n")
    return path


def one_run(path: Path, url: str, settings: Settings) -> tuple[float, float]:
    """(posts per second, posts per CPU second of this process) of one ingest into an empty database."""
    store = SqlStore(url)
    store.upgrade()
    pipeline = build_pipeline(settings)
    connector = JsonLinesConnector(JsonLinesConfig(path=path, page_size=settings.pipeline.batch_size))
    cpu = time.process_time()
    report = ingest(connector, pipeline, store, max_chars=settings.pipeline.max_analysis_chars)
    cpu = time.process_time() - cpu
    store.close()
    return report.saved.inserted / report.seconds, report.saved.inserted / cpu


def stage_shares(path: Path, settings: Settings) -> dict[str, float]:
    from veilleur.connectors.records import record_to_post

    posts = [record_to_post(json.loads(line)) for line in path.open(encoding="utf-8")]
    pipeline = build_pipeline(settings)
    docs = [make_doc(p) for p in posts]
    shares = {}
    for stage in pipeline.stages:
        started = time.perf_counter()
        for i in range(0, len(docs), 500):
            stage.process(docs[i:i + 500])
        shares[stage.name] = len(docs) / (time.perf_counter() - started)
    return shares


def pg_schema_url(base: str) -> str | None:
    try:
        engine = create_engine(base)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS veilleur_bench CASCADE; CREATE SCHEMA veilleur_bench"))
        engine.dispose()
    except Exception as exc:
        console.print(f"[yellow]PostgreSQL not measured: {exc}".splitlines()[0])
        return None
    return f"{base}?options=-csearch_path%3Dveilleur_bench"


def reset_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS veilleur_bench CASCADE; CREATE SCHEMA veilleur_bench"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--texts", type=Path, help="JSON Lines with a text field (default: the demo corpus)")
    parser.add_argument("--postgresql", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    # the foundation's part of the pipeline; benchmarks/analyze.py measures the whole analysis
    settings = Settings(pipeline=PipelineSettings(batch_size=500, stages=["normalize", "language", "bank"]))
    workdir = Path(tempfile.mkdtemp(prefix="veilleur-bench-"))
    path = write_input(workdir / "posts.jsonl", args.posts, args.texts)
    table = Table("back end", "median posts/s", "min", "max", "posts per CPU s", "runs",
                  title=f"ingest of {args.posts} posts, 1 core")
    backends = [("SQLite (WAL)", lambda i: f"sqlite:///{workdir / f'run{i}.db'}", None)]
    pg = pg_schema_url(args.postgresql)
    if pg:
        backends.append(("PostgreSQL", lambda i: pg, reset_pg))
    for name, url_for, reset in backends:
        rates, cpu_rates = [], []
        for i in track(range(args.runs), description=f"{name}", console=console):
            if reset:
                reset(url_for(i))
            rate, cpu_rate = one_run(path, url_for(i), settings)
            rates.append(rate)
            cpu_rates.append(cpu_rate)
        table.add_row(name, f"{statistics.median(rates):,.0f}", f"{min(rates):,.0f}", f"{max(rates):,.0f}",
                      f"{statistics.median(cpu_rates):,.0f}", str(args.runs))
    if pg:
        engine = create_engine(args.postgresql)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS veilleur_bench CASCADE"))
        engine.dispose()
    console.print(table)
    shares = Table("stage", "posts/s alone", title="each stage alone (same posts)")
    for stage, rate in stage_shares(path, settings).items():
        shares.add_row(stage, f"{rate:,.0f}")
    console.print(shares)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"peak resident memory: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
