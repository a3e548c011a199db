"""Small builders of posts, docs and files for tests."""
from __future__ import annotations

import json
import random
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

from veilleur.core.post import Author, Post
from veilleur.pipeline.base import Doc

T0 = datetime(2026, 10, 9, 8, 0, tzinfo=UTC)
CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


def post(n: int = 1, text: str = "Ma carte est bloquée @SG_Vous", **fields) -> Post:
    values = {"platform": "x", "external_id": str(n), "text": text, "created_at": T0 + timedelta(minutes=n),
              "author": Author(handle=f"user{n % 7}", followers=n)}
    values.update(fields)
    return Post(**values)


def doc(n: int = 1, text: str = "Ma carte est bloquée @SG_Vous", **fields) -> Doc:
    return Doc(post(n, text, **fields))


def record(n: int, text: str | None = None, **fields) -> dict:
    values = {"platform": "x", "id": str(n), "text": text if text is not None else f"Message numéro {n} pour la SG",
              "created_at": (T0 + timedelta(minutes=n)).isoformat(), "author": {"handle": f"user{n % 13}"},
              "metrics": {"likes": n % 5}}
    values.update(fields)
    return values


def write_jsonl(path: Path, records: list) -> Path:
    with path.open("wb") as handle:
        for r in records:
            handle.write(r if isinstance(r, bytes) else json.dumps(r, ensure_ascii=False).encode())
            handle.write(b"\n")
    return path


def analysed_with(stage_class: type, texts: list[str]) -> tuple:
    """Run the default pipeline on ``texts``; return its stage of ``stage_class`` and the docs."""
    from veilleur.pipeline.factory import build_pipeline
    from veilleur.settings import Settings

    pipeline = build_pipeline(Settings())
    docs = [doc(i, t) for i, t in enumerate(texts, 1)]
    assert pipeline.run(docs) == []
    return next(s for s in pipeline.stages if isinstance(s, stage_class)), docs


def analysed_texts(texts, pipeline=None) -> list[dict]:
    """What `veilleur analyze` gives for ``texts``, through ``pipeline`` (default: the shipped one)."""
    from veilleur.pipeline.analyze import analyze_lines
    from veilleur.pipeline.factory import build_pipeline
    from veilleur.settings import Settings

    return list(analyze_lines([json.dumps({"text": t}) for t in texts], pipeline or build_pipeline(Settings())))


def corpus_rows(split: str) -> list[dict]:
    """The posts of data/corpus/{split}.jsonl (split: train or test)."""
    return [json.loads(line) for line in (CORPUS / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]


def without_accents(text: str) -> str:
    """``text`` as typed on a phone without accents ("Prélevée" → "Prelevee")."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def swap_two_letters(text: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped inside one word of six letters or more ("virement" → "virmeent")."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) > 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w, j = words[i], rng.randrange(1, len(words[i]) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)
