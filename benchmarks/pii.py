"""Benchmark of the ``pii`` stage alone, on one core, and its accuracy on the team's corpus.

Prints, as medians of several runs, posts/s for posts without personal data (the texts of
data/corpus/test.jsonl whose ``pii`` label is empty and of data/demo/posts.jsonl in which the
stage finds nothing; target ≥ 20,000) and for posts with personal data (the labelled ones of
data/corpus/train.jsonl and test.jsonl). Then, on train + test: the false-positive rate (posts
whose ``pii`` label is empty but where the stage finds something, with the first offenders) and
precision and recall per kind, post by post. Usage:

    .venv/bin/python benchmarks/pii.py [--posts 20000] [--runs 5] [--phone-validation valid|possible]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from veilleur.core.labels import PiiKind
from veilleur.core.post import Platform, Post
from veilleur.pipeline.base import Doc, make_doc
from veilleur.pipeline.pii import DetectPii, PiiSettings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = [ROOT / "data/corpus/train.jsonl", ROOT / "data/corpus/test.jsonl"]
console = Console()


def records(path: Path) -> list[dict]:
    """The JSON objects of a JSON Lines file with a text (the demo file has bad lines on purpose)."""
    out = []
    for line in path.open(encoding="utf-8"):
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            out.append(data)
    return out


def docs(texts: list[str], n: int) -> list[Doc]:
    from datetime import UTC, datetime

    when = datetime(2026, 1, 1, tzinfo=UTC)
    return [make_doc(Post(platform=Platform.OTHER, external_id=str(i), text=texts[i % len(texts)], created_at=when))
            for i in range(n)]


def rate(stage: DetectPii, batch: list[Doc], runs: int) -> tuple[float, float, float]:
    """Median, min and max posts/s of ``stage`` over ``batch``, in batches of 500."""
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        for i in range(0, len(batch), 500):
            stage.process(batch[i:i + 500])
        rates.append(len(batch) / (time.perf_counter() - started))
    return statistics.median(rates), min(rates), max(rates)


def speed(stage: DetectPii, n: int, runs: int) -> None:
    test = [r["text"] for r in records(CORPUS[1]) if not r.get("pii")]
    demo = [r["text"] for r in records(ROOT / "data/demo/posts.jsonl")]
    clean = test + [t for t in demo if not stage.find(t)]
    labelled = [r["text"] for path in CORPUS for r in records(path) if r.get("pii")]
    table = Table("posts", "texts", "posts/s (median)", "min – max", "target",
                  title=f"pii stage alone, 1 core, {n:,} posts a run, median of {runs} runs")
    for name, texts, target in (("without personal data", clean, "≥ 20,000"), ("with personal data", labelled, "")):
        median, low, high = rate(stage, docs(texts, n), runs)
        table.add_row(name, f"{len(texts):,}", f"{median:,.0f}", f"{low:,.0f} – {high:,.0f}", target)
    console.print(table)


def accuracy(stage: DetectPii, shown: int = 8) -> None:
    rows = [r for path in CORPUS for r in records(path)]
    counts = {kind.value: [0, 0, 0] for kind in PiiKind}  # true positives, false positives, false negatives
    offenders = []
    empty = flagged = 0
    for row in rows:
        gold = set(row.get("pii") or [])
        spans = stage.find(row["text"])
        found = {s.kind for s in spans}
        if not gold:
            empty += 1
            if found:
                flagged += 1
                offenders.append((row.get("id", "?"), ", ".join(f"{s.kind}: {s.text}" for s in spans), row["text"]))
        for kind, (tp, fp, fn) in counts.items():
            counts[kind] = [tp + (kind in gold and kind in found), fp + (kind in found and kind not in gold),
                            fn + (kind in gold and kind not in found)]
    console.print(f"[bold]False-positive rate[/bold] on {len(rows):,} posts of train + test: {flagged} of "
                  f"{empty:,} posts without personal data flagged = {flagged / max(empty, 1):.2%}")
    if offenders:
        table = Table("id", "found", "text", title=f"first {min(shown, len(offenders))} offenders")
        for offender in offenders[:shown]:
            table.add_row(*offender)
        console.print(table)
    table = Table("kind", "labelled posts", "found", "precision", "recall", "missed", "extra",
                  title="per kind, post by post, against the corpus labels (train + test)")
    for kind, (tp, fp, fn) in counts.items():
        precision = f"{tp / (tp + fp):.1%}" if tp + fp else "–"
        recall = f"{tp / (tp + fn):.1%}" if tp + fn else "–"
        table.add_row(kind, str(tp + fn), str(tp + fp), precision, recall, str(fn), str(fp))
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--phone-validation", choices=["valid", "possible"], default="valid")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    stage = DetectPii(PiiSettings(phone_validation=args.phone_validation))
    speed(stage, args.posts, args.runs)
    accuracy(stage)


if __name__ == "__main__":
    main()
