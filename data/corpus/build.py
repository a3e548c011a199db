"""Build data/corpus/{train,test}.jsonl from the hand-written sources in data/corpus/src/.

Deterministic (seed 20261124): placeholders of personal data ({{IBAN}}, {{CARD}}...) become
generated valid numbers (see data/placeholders.py), each post gets a stable id, and a text that
appears in both splits is dropped from train so that the test split stays unseen. Prints the
label distribution that DATASHEET.md quotes. Run: .venv/bin/python data/corpus/build.py
"""
from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from placeholders import fill  # noqa: E402

SEED = 20261124
FIELDS = ("id", "text", "platform", "sentiment", "intent", "topics", "abusive", "urgency", "pii", "bank")


def key(text: str) -> str:
    """Case, spacing and punctuation do not make two posts different; an emoji-only post keeps its
    emoji as its key (otherwise "🤔" and "😡😡" would count as the same empty text)."""
    return re.sub(r"\W+", " ", text.lower()).strip() or "".join(text.split())


def read(pattern: str) -> list[dict]:
    rows = []
    for path in sorted((HERE / "src").glob(pattern)):
        with path.open(encoding="utf-8") as handle:
            for n, line in enumerate(handle, 1):
                if line.strip():
                    row = json.loads(line)
                    row["_from"] = f"{path.name}:{n}"
                    rows.append(row)
    return rows


def finish(rows: list[dict], prefix: str, rng: random.Random) -> list[dict]:
    out = []
    for i, row in enumerate(rows, 1):
        row = {**row, "id": f"{prefix}-{i:05d}", "text": fill(row["text"], rng)}
        out.append({k: row[k] for k in FIELDS})
    return out


def distribution(rows: list[dict]) -> dict[str, Counter]:
    d = {name: Counter() for name in ("sentiment", "intent", "topics", "abusive", "urgency", "pii", "bank")}
    for r in rows:
        for name in ("sentiment", "intent", "abusive", "urgency"):
            d[name][str(r[name]).lower()] += 1
        for name in ("topics", "pii"):
            d[name].update(r[name] or ["(none)"])
        d["bank"][r["bank"] or "(none)"] += 1
    return d


def main(out: Path = HERE) -> None:
    rng = random.Random(SEED)
    test_src, train_src = read("test_*.jsonl"), read("train_*.jsonl")
    test_keys = {key(r["text"]) for r in test_src}
    seen: set[str] = set()
    train_kept = []
    for r in train_src:
        k = key(r["text"])
        if k in test_keys or k in seen:
            continue
        seen.add(k)
        train_kept.append(r)
    test = finish(test_src, "test", rng)
    train = finish(train_kept, "train", rng)
    for name, rows in (("train", train), ("test", test)):
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for r in rows:
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"train: {len(train)} posts ({len(train_src) - len(train_kept)} dropped as duplicates); test: {len(test)}")
    for name, rows in (("train", train), ("test", test)):
        print(f"\n## {name}")
        for label, counts in distribution(rows).items():
            top = counts.most_common(30 if label == "bank" else None)
            print(f"- {label}: " + ", ".join(f"{k} {v}" for k, v in top))


if __name__ == "__main__":
    main()
