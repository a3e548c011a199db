"""The speller: one-letter typos in unknown words mended into the heads' vocabulary."""
from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from veilleur.pipeline.spelling import Speller

VOCABULARY = {"virement": 2.0, "livret": 3.0, "distributeur": 2.5, "carte": 1.2, "cartes": 1.5, "retrait": 2.2,
              "retraite": 3.5, "bloquee": 2.4}
SPELLER = Speller(VOCABULARY, known=["bonjour", "retraits", "aujourd'hui"])


def test_each_kind_of_typo_is_mended():
    assert SPELLER.mend("virmeent livert distributer cartte") == "virement livret distributeur carte"
    assert SPELLER.mend("ma carte est bloqeue") == "ma carte est bloquee"


def test_known_short_and_far_words_are_left_alone():
    # "bonjuor" has no word of the vocabulary one edit away; "retraits" is known; "cart" is short
    assert SPELLER.mend("bonjour bonjuor retraits cart virtuellement 12345") == (
        "bonjour bonjuor retraits cart virtuellement 12345")


def test_the_most_frequent_neighbour_wins():
    # "retraie" is one edit from both; "retrait" is the more frequent (lower idf)
    assert SPELLER.mend("retraie") == "retrait"
    assert Speller({"retrait": 4.0, "retraite": 1.0}, []).mend("retraie") == "retraite"


@given(st.lists(st.sampled_from(["virmeent", "carte", "cartte", " ", "!", "12", "bonjuor", "é", "livret", "xyzzyx"]),
                max_size=20).map("".join))
def test_mending_keeps_everything_but_the_words_it_mends(text):
    mended = SPELLER.mend(text)
    assert re.sub(r"[^\W\d_]+", "w", mended) == re.sub(r"[^\W\d_]+", "w", text)  # the same layout
    assert SPELLER.mend(mended) == mended  # a mended word is a known word
