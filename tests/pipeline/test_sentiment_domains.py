"""Posts about no bank are read by the general sentiment head, posts about a bank by the shared one."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from tests.factories import analysed_with
from veilleur.pipeline.featurize import batch_matrix
from veilleur.pipeline.sentiment import Sentiment
from veilleur.pipeline.training import domain_softmax_heads


@pytest.fixture(scope="module")
def analysed():
    texts = ["Encore une grève des trains ce week-end, on ne s'en sort plus",
             "Merci @SG_Vous, ma carte est arrivée en 48h 🙏"]
    return analysed_with(Sentiment, texts)


def test_each_post_is_scored_by_the_head_of_its_domain(analysed):
    stage, docs = analysed
    general, about_bank = docs
    assert general.analysis.bank is None and about_bank.analysis.bank == "Société Générale"
    x = batch_matrix(docs)
    expected = [stage.bundle.heads["sentiment_general"].scores(x[[0]])[0], stage.head.scores(x[[1]])[0]]
    for analysed_doc, scores in zip(docs, expected, strict=True):
        got = [analysed_doc.analysis.scores["sentiment"][c] for c in stage.head.classes]
        assert got == pytest.approx(np.round(scores, 3).tolist(), abs=1e-3)
    assert all(doc.analysis.cues["sentiment"] for doc in docs)


def test_the_two_heads_learn_a_word_that_means_opposite_things_in_each_domain():
    # column 0: a word, positive in posts about a bank and negative in general posts; column 1: noise
    rng = np.random.default_rng(1)
    n = 200
    general = np.arange(n) % 2 == 0
    word = rng.random(n) > 0.5
    y = np.where(word == ~general, "positive", "negative").tolist()
    x = sparse.csr_matrix(np.column_stack([word, rng.random(n)]).astype(np.float32))
    about_bank, about_none = domain_softmax_heads("sentiment", x, y, ["negative", "positive"], general)
    assert about_none.name == "sentiment_general"
    assert np.array_equal(about_none.bias, about_bank.bias)
    with_word = sparse.csr_matrix(np.array([[1.0, 0.5]], dtype=np.float32))
    assert about_bank.classes[about_bank.scores(with_word).argmax()] == "positive"
    assert about_none.classes[about_none.scores(with_word).argmax()] == "negative"
