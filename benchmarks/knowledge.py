"""Benchmark of knowledge-base retrieval: is the right approved answer in the top 1 and top 3, and how fast.

Loads the demo knowledge base (data/knowledge/*.toml) into a temporary SQLite store and asks
``KnowledgeBase.suggest`` every question of the labelled set (data/knowledge/questions.jsonl,
written by the team apart from the answers' own phrasings). The set is split once: every third
question ("final") is kept aside and never looked at while choosing the method or its weights;
the others ("dev") are. Both figures are printed, for BM25 alone and BM25 + word vectors. Usage:

    .venv/bin/python benchmarks/knowledge.py [--runs 5] [--misses]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "data" / "knowledge"
console = Console()


def knowledge_base(folder: Path, **settings):
    from veilleur.inbox.knowledge import KnowledgeBase
    from veilleur.inbox.knowledge_settings import KnowledgeSettings
    from veilleur.storage.sql import SqlStore

    store = SqlStore(f"sqlite:///{folder / 'kb.db'}")
    store.upgrade()
    kb = KnowledgeBase(store, KnowledgeSettings(**settings))
    for name in ("facts.toml", "answers_fr.toml", "answers_en.toml"):
        kb.import_toml(KNOWLEDGE / name, actor="benchmark", now=datetime(2026, 11, 24, tzinfo=UTC))
    return kb


def evaluate(kb, questions: list[dict], runs: int) -> dict[str, float | list]:
    today = date(2026, 11, 24)
    kb.suggest("échauffement", "fr", today=today)  # loads the index (and vectors) before timing
    ranks, timings = [], []
    for _ in range(runs):
        started = time.perf_counter()
        ranks = [[s.answer_id for s in kb.suggest(q["text"], q["language"], k=3, today=today)] for q in questions]
        timings.append(time.perf_counter() - started)
    top1 = sum(bool(r) and r[0] == q["answer"] for r, q in zip(ranks, questions, strict=True)) / len(questions)
    top3 = sum(q["answer"] in r for r, q in zip(ranks, questions, strict=True)) / len(questions)
    misses = [(q["text"], q["answer"], r) for r, q in zip(ranks, questions, strict=True) if q["answer"] not in r]
    return {"top1": top1, "top3": top3, "qps": len(questions) / statistics.median(timings), "misses": misses}


VARIANTS = {
    "BM25": {"vectors": False},
    "BM25 + vectors 0.5 (default)": {"vectors": True, "vector_weight": 0.5},
    "BM25 + vectors 1.0": {"vectors": True, "vector_weight": 1.0},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--misses", action="store_true", help="list the dev questions missed (never the final ones)")
    args = parser.parse_args()
    questions = [json.loads(line) for line in (KNOWLEDGE / "questions.jsonl").open(encoding="utf-8")]
    splits = {name: [q for q in questions if q["split"] == name] for name in ("dev", "final")}
    table = Table(title=f"Knowledge retrieval — {len(questions)} labelled questions "
                        f"({len(splits['dev'])} dev, {len(splits['final'])} final, kept aside)")
    for column in ("method", "dev top-1", "dev top-3", "final top-1", "final top-3", "queries/s"):
        table.add_column(column, justify="left" if column == "method" else "right")
    with tempfile.TemporaryDirectory() as folder:
        for label, settings in VARIANTS.items():
            kb = knowledge_base(_fresh(Path(folder)), **settings)
            dev, final = evaluate(kb, splits["dev"], args.runs), evaluate(kb, splits["final"], 1)
            table.add_row(label, f"{dev['top1']:.1%}", f"{dev['top3']:.1%}", f"{final['top1']:.1%}",
                          f"{final['top3']:.1%}", f"{dev['qps']:.0f}")
            kb.store.close()
            if args.misses:
                for text, expected, got in dev["misses"]:
                    console.print(f"  [dim]{label}[/] {text!r}: expected {expected}, got {got}")
    console.print(table)
    return 0


_COUNTER = iter(range(1_000_000))


def _fresh(folder: Path) -> Path:
    path = folder / f"run{next(_COUNTER)}"
    path.mkdir()
    return path


if __name__ == "__main__":
    sys.exit(main())
