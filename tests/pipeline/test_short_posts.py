"""Short posts (one to eight words), the form of most app-store reviews and replies.

Written by the team for this test after the models read "super banque" or "j'adore cette banque"
as irony (the corpus's praise words were mostly sarcastic, and its posts long); none of these
texts is in the corpus or was shown to its writers.
"""
from __future__ import annotations

import pytest

from tests.factories import analysed_texts

SINCERE = ["super conseiller", "Génial 👍", "merci pour tout", "j'adore cette banque", "au top l'agence de Quimper",
           "bravo !", "Parfait 👌", "super rapide", "top l'appli", "trop bien", "génial ce service",
           "quel plaisir ce nouveau site", "merci bien pour l'info", "c'est le top", "Super, merci beaucoup"]
SARCASTIC = ["super, encore bloqué", "génial le site en panne", "merci pour les frais 🙄", "bravo, encore raté",
             "top, plus de réseau et pas de carte"]


@pytest.fixture(scope="module")
def sentiments():
    texts = SINCERE + SARCASTIC
    return dict(zip(texts, (r["sentiment"] for r in analysed_texts(texts)), strict=True))


def test_praise_words_alone_are_sincere_and_next_to_a_problem_sarcastic(sentiments):
    right = [t for t in SINCERE if sentiments[t] == "positive"] + [t for t in SARCASTIC if sentiments[t] == "negative"]
    # one miss in twenty is tolerated: the seventh-batch models got 15 right
    assert len(right) >= 19, sorted(set(sentiments) - set(right))
