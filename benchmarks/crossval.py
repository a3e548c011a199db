"""Cross-validation of the analysis on the training split, on the posts as written and as people type them.

The training posts are split into five folds by a hash of their deduplication key
(``data/corpus/build.py``), so a post and its near-copies fall in the same fold. For each fold
the models are trained on the four others (``veilleur.pipeline.training.train``) and the held-out
posts are analysed as written and rewritten three ways that keep their meaning: without accents,
with two neighbouring letters swapped in one long word, and without the space before "?" and "!".
Prints, pooled over the folds, the headline figure of each label (``evaluation.headline``) for
each version, and how many held-out posts changed a label under each rewrite (among the posts
whose bank did not change: a typo in a bank's name may lose the bank). Usage:

    .venv/bin/python benchmarks/crossval.py [--folds 5]

Takes about four minutes per fold on two cores. ``--folds 2`` trains on two of the five splits
only (a quicker look; the figures are then those of the first two folds).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.factories
sys.path.insert(0, str(ROOT / "data" / "corpus"))  # build.key
console = Console()
FOLDS = 5
LABELS = ("sentiment", "intent", "topics", "abusive", "urgency")


def rewrites() -> dict:
    from tests.factories import swap_two_letters, without_accents

    rng = random.Random(0)
    return {"without accents": without_accents,
            "one letter swap": lambda t: swap_two_letters(t, rng),
            "no space before ? !": lambda t: re.sub(r"\s+([?!]+)", r"\1", t)}


def fold_of(text: str) -> int:
    import build

    return int(hashlib.sha1(build.key(text).encode()).hexdigest(), 16) % FOLDS


def run_fold(k: int, rows: list[dict], work: Path, versions: dict) -> tuple[list[dict], dict[str, list[dict]]]:
    """Train without fold ``k``; the held-out rows and their analysis in every version."""
    from tests.factories import analysed_texts

    from veilleur.pipeline.factory import build_pipeline
    from veilleur.pipeline.training import train
    from veilleur.settings import PipelineSettings, Settings

    corpus = work / f"train{k}.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows if fold_of(r["text"]) != k),
                      encoding="utf-8")
    train(corpus, work / f"models{k}")
    held = [r for r in rows if fold_of(r["text"]) == k]
    pipeline = build_pipeline(Settings(pipeline=PipelineSettings(models=work / f"models{k}")))
    texts = [r["text"] for r in held]
    return held, {name: analysed_texts([rewrite(t) for t in texts], pipeline) for name, rewrite in versions.items()}


def changed(before: list[dict], after: list[dict]) -> dict[str, int]:
    same = [(a, b) for a, b in zip(before, after, strict=True) if a["bank"] == b["bank"]]
    return {key: sum(set(a[key]) != set(b[key]) if key == "topics" else a[key] != b[key] for a, b in same)
            for key in LABELS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=FOLDS, choices=range(1, FOLDS + 1))
    args = parser.parse_args()
    from tests.factories import corpus_rows

    from veilleur.pipeline.evaluation import evaluate, headline

    rows = corpus_rows("train")
    versions = {"as written": lambda t: t, **rewrites()}
    held: list[dict] = []
    outputs: dict[str, list[dict]] = {name: [] for name in versions}
    with tempfile.TemporaryDirectory() as tmp, Progress(console=console) as progress:
        task = progress.add_task("training and analysing, fold by fold", total=args.folds)
        for k in range(args.folds):
            fold_rows, fold_outputs = run_fold(k, rows, Path(tmp), versions)
            held += fold_rows
            for name, out in fold_outputs.items():
                outputs[name] += out
            progress.advance(task)
    table = Table(title=f"cross-validation, {args.folds} of {FOLDS} folds, {len(held)} held-out posts")
    table.add_column("posts")
    for label in LABELS:
        table.add_column(label, justify="right")
    for name, out in outputs.items():
        scores = headline(evaluate(held, out))
        table.add_row(name, *(f"{scores[label]:.4f}" for label in LABELS))
    for name in versions:
        if name != "as written":
            moved = changed(outputs["as written"], outputs[name])
            table.add_row(f"  posts changed, {name}", *(str(moved[label]) for label in LABELS))
    console.print(table)


if __name__ == "__main__":
    main()
