"""The labelled corpus in data/corpus/: built from its sources, within the label contract, test split unseen.

`data/corpus/build.py` is a data script, not part of the package; it is loaded here by path.
"""
from __future__ import annotations

import importlib.util
from collections import Counter

import pytest

from tests.factories import CORPUS
from tests.factories import corpus_rows as rows
from veilleur.core.labels import Intent, PiiKind, Sentiment, Topic, Urgency

NEVER_HIGH = {Intent.PRAISE, Intent.INFORMATION, Intent.OTHER, Intent.ABUSE, Intent.RUMOR, Intent.SUGGESTION}


def load_build():
    spec = importlib.util.spec_from_file_location("corpus_build", CORPUS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build():
    return load_build()


def test_the_built_splits_are_what_the_sources_give(build, tmp_path, capsys):
    build.main(tmp_path)
    for split in ("train", "test"):
        assert (tmp_path / f"{split}.jsonl").read_bytes() == (CORPUS / f"{split}.jsonl").read_bytes(), \
            f"data/corpus/{split}.jsonl is stale: run .venv/bin/python data/corpus/build.py"


def test_no_test_text_is_in_train_and_train_has_no_repeat(build):
    train_keys = [build.key(r["text"]) for r in rows("train")]
    assert len(train_keys) == len(set(train_keys))
    assert not set(train_keys) & {build.key(r["text"]) for r in rows("test")}


def test_the_duplicate_key_ignores_case_and_punctuation_but_not_emoji(build):
    assert build.key("Top !") == build.key("top") == build.key("  TOP…")
    assert build.key("🤔") != build.key("😡😡")
    assert build.key("🤔") == build.key(" 🤔 ")


@pytest.mark.parametrize("split", ["train", "test"])
def test_every_label_is_a_value_of_labels_md(split):
    for r in rows(split):
        assert Sentiment(r["sentiment"]) and Intent(r["intent"]) and Urgency(r["urgency"])
        assert all(Topic(t) for t in r["topics"]) and all(PiiKind(p) for p in r["pii"])
        assert isinstance(r["abusive"], bool)
        if r["intent"] in NEVER_HIGH:
            assert r["urgency"] != Urgency.HIGH, r["text"]


def test_the_corpus_is_as_large_and_balanced_as_the_issue_asks():
    train, test = rows("train"), rows("test")
    assert len(train) >= 4000 and len(test) >= 800
    intents = Counter(r["intent"] for r in train)
    topics = Counter(t for r in train for t in r["topics"])
    assert min(intents[i] for i in Intent) >= 150, intents
    assert min(topics[t] for t in Topic) >= 150, topics
