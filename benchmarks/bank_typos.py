"""How often the ``bank`` stage finds the labelled bank, on the corpus as written and as people type it.

For each split of ``data/corpus/`` it prints the share of posts whose main bank (or none) is the
labelled one, as written and with two neighbouring letters swapped inside one long word of each
post (``tests.factories.swap_two_letters``, seed 0: the word may be the bank's name or any other),
and how many posts got a bank that is not theirs. The stage is rule-based: no model is trained,
it takes a few seconds. Usage:

    .venv/bin/python benchmarks/bank_typos.py
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.factories


def main_banks(texts: list[str]) -> list[str | None]:
    from tests.factories import doc

    from veilleur.pipeline.bank import DetectBank

    stage = DetectBank()
    docs = [doc(i, text) for i, text in enumerate(texts)]
    stage.process(docs)
    return [d.analysis.bank for d in docs]


def main() -> None:
    from tests.factories import corpus_rows, swap_two_letters

    table = Table(title="bank stage: the labelled bank found")
    for column in ("split", "posts", "as written", "wrong bank", "one letter swap", "wrong bank "):
        table.add_column(column, justify="right")
    for split in ("train", "test"):
        rows = corpus_rows(split)
        gold = [r["bank"] for r in rows]
        rng = random.Random(0)
        cells = [split, str(len(rows))]
        for texts in ([r["text"] for r in rows], [swap_two_letters(r["text"], rng) for r in rows]):
            found = main_banks(texts)
            cells += [f"{sum(f == g for f, g in zip(found, gold, strict=True)) / len(rows):.4f}",
                      str(sum(f is not None and f != g for f, g in zip(found, gold, strict=True)))]
        table.add_row(*cells)
    Console().print(table)


if __name__ == "__main__":
    main()
