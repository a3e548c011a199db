"""The same post typed another way gets the same labels.

Real posts come with two spaces after a full stop, line breaks, no-break spaces, curly
apostrophes, no accents at all, decomposed accents pasted from another system, "pourquoi ?" in
French typography or "pourquoi?" without it, or a link at the end. None of that
changes what a post says, so none of it may change its labels. (Case is not among them: a word
in capitals in a calm post is emphasis, and the heads read it so.) These checks run the
shipped pipeline on the test split's posts, each rewritten in one of those ways; a check that
fails names the posts that moved.

Found this way (November 2026): a bank's name with two spaces or a line break between its words
was not found, so 36% of the posts lost their bank, and with it the heads for bank posts; a phone
number written with no-break spaces, or an address with two spaces, was not found as personal data;
without its accents, one post in sixty changed sentiment or intent (the word vectors were looked up
with accents: "probleme" and "problème" had different vectors).
"""
from __future__ import annotations

import random
import re
import unicodedata

import pytest

from tests.factories import analysed_texts, corpus_rows, swap_two_letters, without_accents

LABELS = ("sentiment", "intent", "topics", "abusive", "urgency", "pii", "bank")

REWRITES = {
    "two spaces": lambda t: t.replace(" ", "  "),
    "no-break spaces": lambda t: t.replace(" ", "\u00a0"),
    "a line break after each sentence": lambda t: re.sub(r"([.!?]) ", "\\1\n", t),
    "curly apostrophes": lambda t: t.replace("'", "\u2019"),
    "decomposed accents (NFD)": lambda t: unicodedata.normalize("NFD", t),
    "no accents, as typed on many phones": without_accents,
    "a link at the end": lambda t: t + " https://t.co/aB3dE9xQ",
    "a narrow no-break space before ? and !": lambda t: re.sub(r"\s*([?!]+)", "\u202f\\1", t),
    "no space before ? and !": lambda t: re.sub(r"\s+([?!]+)", "\\1", t),
    "white space around": lambda t: f" \n{t} \n",
}


@pytest.fixture(scope="module")
def posts() -> list[str]:
    return [r["text"] for r in corpus_rows("test")]


@pytest.fixture(scope="module")
def labels(posts) -> list[dict]:
    return analysed_texts(posts)


def moved(before: list[dict], after: list[dict], texts: list[str], keys=LABELS) -> list[str]:
    return [f"{text[:60]!r}: {key} {a[key]} → {b[key]}" for text, a, b in zip(texts, before, after, strict=True)
            for key in keys if a[key] != b[key]]


@pytest.mark.parametrize("rewrite", REWRITES)
def test_typing_does_not_change_the_labels(posts, labels, rewrite):
    rewritten = [REWRITES[rewrite](t) for t in posts]
    assert sum(a != b for a, b in zip(posts, rewritten, strict=True)) > len(posts) // 4  # the rewrite bites
    assert moved(labels, analysed_texts(rewritten), posts) == []


def test_one_typo_rarely_changes_a_label(posts, labels):
    # before the speller (pipeline.spelling) and the accent-blind vectors, one swap changed the
    # topics of 7-8% of these posts and the sentiment, intent or urgency of 2-3.5% (seeds 7, 8, 9);
    # since, 1.5-2.6% and 0.5-1.3%. A typo in the bank's own name may lose the bank, and with it
    # the heads for bank posts: only posts that keep theirs count
    rng = random.Random(7)
    after = analysed_texts([swap_two_letters(t, rng) for t in posts])
    same = [(a, b) for a, b in zip(labels, after, strict=True) if a["bank"] == b["bank"]]
    assert len(same) > 0.8 * len(posts)
    for key, bound in (("sentiment", 0.02), ("intent", 0.02), ("urgency", 0.02), ("abusive", 0.02), ("topics", 0.04)):
        changed = sum(set(a[key]) != set(b[key]) if key == "topics" else a[key] != b[key] for a, b in same)
        assert changed <= bound * len(same), (key, changed, len(same))
