"""Topics of posts about no bank come from the general topics head, of posts about a bank from the
shared one; both are trained together by feature augmentation, with NB weights."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from tests.factories import analysed_with
from veilleur.pipeline.featurize import batch_matrix
from veilleur.pipeline.interplay import interplay_features
from veilleur.pipeline.topics import Topics
from veilleur.pipeline.training import domain_sigmoid_heads


@pytest.fixture(scope="module")
def analysed():
    texts = ["Mon fils a trouvé un job d'été dans une boulangerie, premier salaire !",
             "Le Crédit Agricole recrute 200 conseillers en alternance à la rentrée, postulez",
             "@SG_Vous 12 € de frais de tenue de compte ce mois-ci, c'est nouveau ?"]
    return analysed_with(Topics, texts)


def test_each_post_is_scored_by_the_topics_head_of_its_domain(analysed):
    stage, docs = analysed
    assert [d.analysis.bank for d in docs] == [None, "Crédit Agricole", "Société Générale"]
    x = batch_matrix(docs)
    expected = [stage.bundle.heads["topics_general"].scores(x[[0]])[0], stage.head.scores(x[[1]])[0],
                stage.head.scores(x[[2]])[0]]
    # a post about a bank shows the second reading of its first scores (``pipeline.interplay``)
    shown = [expected[0], *stage.bundle.heads["topics_interplay"].scores(interplay_features(np.array(expected[1:])))]
    for analysed_doc, scores in zip(docs, shown, strict=True):
        got = [analysed_doc.analysis.scores["topics"][c] for c in stage.head.classes]
        assert got == pytest.approx(np.round(scores, 3).tolist(), abs=1e-3)
    summer_job, hiring, fees = docs
    assert summer_job.analysis.topics == []  # a job, but no bank as employer: not `jobs` (rule R8)
    jobs = stage.head.classes.index("jobs")
    assert expected[0][jobs] < stage.head.scores(x[[0]])[0, jobs]  # the general head weighs "job" less
    assert "jobs" in hiring.analysis.topics and "accounts_fees" in fees.analysis.topics
    assert hiring.analysis.cues["topics"] and fees.analysis.cues["topics"]


def test_the_two_topic_heads_learn_that_a_word_counts_only_in_posts_about_a_bank():
    # column 0: a topic word, that marks the topic in posts about a bank and never in general posts
    rng = np.random.default_rng(3)
    n = 240
    general = np.arange(n) % 2 == 0
    word = rng.random(n) > 0.5
    noise = rng.random((n, 2)) * (rng.random((n, 2)) > 0.5)
    x = sparse.csr_matrix(np.column_stack([word, noise]).astype(np.float32))
    y = (word & ~general)[:, None]
    about_bank, about_none, _ = domain_sigmoid_heads("topics", x, y, ["cards"], 3, general)
    assert about_none.name == "topics_general" and about_none.thresholds == about_bank.thresholds
    threshold = about_bank.thresholds[0]
    with_word = sparse.csr_matrix(np.array([[1.0, 0.3, 0.3]], dtype=np.float32))
    assert about_bank.scores(with_word)[0, 0] >= threshold > about_none.scores(with_word)[0, 0]
    # read through the heads, the cross-validated decisions are right on nearly every post
    decided = np.where(general, about_none.scores(x)[:, 0], about_bank.scores(x)[:, 0]) >= threshold
    assert (decided == y[:, 0]).mean() > 0.95


def test_a_topic_never_seen_gets_constant_heads_in_both_domains():
    x = sparse.csr_matrix(np.eye(6, dtype=np.float32))
    general = np.array([True, False] * 3)
    about_bank, about_none, _ = domain_sigmoid_heads("topics", x, np.zeros((6, 1), dtype=bool), ["jobs"], 4, general)
    for head in (about_bank, about_none):
        assert not head.weights.any() and head.bias[0] == -10.0
        assert (head.scores(x)[:, 0] < 0.01).all()


def test_banking_words_in_another_sense_give_no_topic_and_keep_it_in_a_bank_post():
    # Written for this test: the same words (carte, compte, soldes, nickel) outside banking, and one
    # bank post that uses them in the banking sense.
    texts = ["J'ai enfin reçu ma nouvelle carte grise après trois semaines d'attente à la préfecture",
             "Mon compte Instagram a été piraté, je ne peux plus me connecter",
             "La carte SIM de mon nouveau téléphone n'est pas reconnue",
             "Les soldes commencent mercredi, je vais encore tout dépenser",
             "Ce resto est nickel, service rapide et plats délicieux",
             "@CreditAgricole ma carte est bloquée depuis ce matin, impossible de payer"]
    _, docs = analysed_with(Topics, texts)
    *other_sense, bank_post = docs
    assert [(d.analysis.bank, d.analysis.topics) for d in other_sense] == [(None, [])] * len(other_sense)
    assert bank_post.analysis.bank == "Crédit Agricole" and bank_post.analysis.topics == ["cards"]
