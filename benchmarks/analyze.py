"""Benchmark of the whole analysis of a post: every stage of the default pipeline, one core.

Prints, as medians of several runs: posts/s in batches, single-post latency (p50, p99), the
start-up time (building the pipeline, which loads every model, in a fresh process), peak
resident memory, and the size of the model files shipped in the package. Usage:

    .venv/bin/python benchmarks/analyze.py [--posts 5000] [--runs 5]

"Posts per CPU s" counts this process's CPU time: on a machine shared with other work it shows
the code's own cost when wall-clock rates are noisy.

Texts: the team's test split (data/corpus/test.jsonl), cycled to the requested count.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
console = Console()
STARTUP = ("import time; t = time.perf_counter(); from veilleur.settings import Settings; "
           "from veilleur.pipeline.factory import build_pipeline; build_pipeline(Settings()); "
           "print(time.perf_counter() - t)")


def posts(n: int):
    from veilleur.pipeline.analyze import line_to_post

    texts = [json.loads(line)["text"] for line in (ROOT / "data/corpus/test.jsonl").open(encoding="utf-8")]
    return [line_to_post(json.dumps({"text": texts[i % len(texts)]}), i)[1] for i in range(n)]


def model_bytes() -> int:
    from veilleur.pipeline.bundle import default_folder

    return sum(p.stat().st_size for p in default_folder().iterdir())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    startups = [float(subprocess.run([sys.executable, "-c", STARTUP], capture_output=True, text=True,
                                     check=True).stdout) for _ in track(range(3), description="start-up")]
    from veilleur.pipeline.base import make_doc
    from veilleur.pipeline.factory import build_pipeline
    from veilleur.settings import Settings

    pipeline = build_pipeline(Settings())
    sample = posts(args.posts)
    rates, cpu_rates = [], []
    for _ in track(range(args.runs), description="batches"):
        docs = [make_doc(p) for p in sample]
        started, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(docs), pipeline.batch_size):
            pipeline.run(docs[i:i + pipeline.batch_size])
        rates.append(len(docs) / (time.perf_counter() - started))
        cpu_rates.append(len(docs) / (time.process_time() - cpu))
    latencies = []
    for post in track(sample[:1000], description="single posts"):
        started = time.perf_counter()
        pipeline.run([make_doc(post)])
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    table = Table("measure", "value", "target", title=f"whole analysis ({', '.join(pipeline.names)}), 1 core")
    table.add_row("posts/s in batches (median)", f"{statistics.median(rates):,.0f}", "≥ 2,000")
    table.add_row("  min – max", f"{min(rates):,.0f} – {max(rates):,.0f}", "")
    table.add_row("posts per CPU s in batches (median)", f"{statistics.median(cpu_rates):,.0f}", "")
    table.add_row("single post p50 (ms)", f"{latencies[len(latencies) // 2]:.2f}", "")
    table.add_row("single post p99 (ms)", f"{latencies[int(len(latencies) * 0.99)]:.2f}", "< 10")
    table.add_row("start-up, loading every model (s, median)", f"{statistics.median(startups):.2f}", "< 3")
    table.add_row("peak resident memory (MiB)", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f}",
                  "< 1,024")
    table.add_row("model files in the package (MB)", f"{model_bytes() / 1e6:.1f}", "< 50")
    console.print(table)


if __name__ == "__main__":
    main()
