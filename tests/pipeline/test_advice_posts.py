"""Advice to other customers, curt reactions and short insults: which ones are abuse.

The models read "Je vous conseille vivement cette banque", "Fuyez cette banque", "Mouais." or "Bof."
as abuse: in the corpus, second-person and imperative wording ("je vous…", "allez…", "fuyez") and
very short posts were mostly insults. These posts were written by the team for this test; the
ninth batch's writers were told which forms were misread, not these texts, and none of them is in
the corpus (the test checks it). The eighth-batch models get 11 of 18 right and give abuse to two
posts that are not; the ninth-batch models get 17 and one; retrained with accent-blind vectors and
the speller, 16 and two.
"""
from __future__ import annotations

import pytest

from tests.factories import analysed_texts, corpus_rows

EXPECTED = {
    "Je vous conseille vivement cette banque": "praise",
    "Je vous recommande cette banque les yeux fermés": "praise",
    "Franchement je recommande Fortuneo à tout le monde": "praise",
    "Allez-y sans hésiter, conseillère au top": "praise",
    "Ouvrez un compte chez eux, vous serez pas déçus": "praise",
    "Fuyez cette banque": "complaint",
    "Je vous déconseille LCL, des frais partout": "complaint",
    "Ne faites pas confiance à cette banque, jamais de réponse": "complaint",
    "Méfiez-vous de leurs offres de crédit": "complaint",
    "😡😡😡 @BNPParibas re-bloqué": "complaint",
    "Mouais bon.": "other",
    "Pfff. Sans plus.": "other",
    "Ah d'accord.": "other",
    "Bande de rapaces": "abuse",
    "Allez vous faire voir, la BNP": "abuse",
    "Connards de banquiers": "abuse",
    "Je vous emmerde @LCL": "abuse",
    "Vous êtes des escrocs et des minables": "abuse",
}


@pytest.fixture(scope="module")
def intents():
    return dict(zip(EXPECTED, (o["intent"] for o in analysed_texts(list(EXPECTED))), strict=True))


def test_none_of_these_posts_is_in_the_corpus():
    corpus = {r["text"].casefold() for split in ("train", "test") for r in corpus_rows(split)}
    assert not {t.casefold() for t in EXPECTED} & corpus


def test_advice_and_curt_reactions_are_not_abuse_and_insults_are(intents):
    right = [t for t, intent in intents.items() if intent == EXPECTED[t]]
    assert len(right) >= 16, sorted(set(intents) - set(right))
    wrongly_abuse = [t for t, intent in intents.items() if intent == "abuse" and EXPECTED[t] != "abuse"]
    # at most two: "Je vous conseille vivement cette banque" sits at the margin (praise 0.41, abuse
    # 0.43 with the accent-blind vectors) and flips with retraining; cross-validated on the corpus,
    # those models give abuse to fewer harmless posts (41 → 38 of 10,454)
    assert len(wrongly_abuse) <= 2, wrongly_abuse
