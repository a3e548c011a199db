"""The second reading of the topics: each topic's decision weighs every topic's first score."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from tests.factories import analysed_with
from veilleur.pipeline.featurize import batch_matrix
from veilleur.pipeline.interplay import interplay_features
from veilleur.pipeline.topics import Topics
from veilleur.pipeline.training import interplay_head


def test_features_are_the_log_odds_and_their_positive_part():
    features = interplay_features(np.array([[0.5, 0.8, 0.2], [0.0, 1.0, 0.5]]))
    odds, big = math.log(4.0), 13.8155
    assert features.shape == (2, 6)
    assert features[0].tolist() == pytest.approx([0.0, odds, -odds, 0.0, odds, 0.0])
    # scores of exactly 0 and 1 (constant heads) stay finite: clipped at 1e-6
    assert features[1].tolist() == pytest.approx([-big, big, 0.0, 0.0, big, 0.0], abs=1e-3)


def test_a_topic_clearly_there_rules_out_its_look_alike():
    # Two topics whose first heads confuse them: a post of topic 0 also gets 0.6 for topic 1, as a
    # real post of topic 1 does. Topic 1's own score cannot tell them apart; topic 0's score can.
    rng = np.random.default_rng(5)
    n = 600
    kind = rng.integers(0, 3, n)  # 0: topic 0, 1: topic 1, 2: neither
    first = np.column_stack([np.where(kind == 0, 0.95, 0.05), np.where(kind == 2, 0.1, 0.6)])
    first = np.clip(first + rng.normal(0, 0.03, first.shape), 0.01, 0.99)
    targets = np.column_stack([kind == 0, kind == 1])
    head = interplay_head("topics_interplay", first, targets, ["cards", "digital"], [0.5, 0.5])
    assert head.name == "topics_interplay" and head.weights.shape == (4, 2) and len(head.thresholds) == 2
    decided = head.scores(interplay_features(first)) >= np.array(head.thresholds)
    assert (decided == targets).all(axis=1).mean() > 0.95
    alone = max(((first[:, 1] >= t) == targets[:, 1]).mean() for t in np.arange(0.05, 1.0, 0.05))
    assert alone < 0.75  # the first score of topic 1 alone cannot do it


def test_a_topic_never_seen_in_posts_about_a_bank_passes_its_first_reading_through():
    first = np.random.default_rng(1).random((8, 2))
    head = interplay_head("topics_interplay", first, np.column_stack([first[:, 0] > 0.5, np.zeros(8, bool)]),
                          ["cards", "jobs"], [0.4, 0.3])
    second = head.scores(interplay_features(first))
    assert second[:, 1] == pytest.approx(first[:, 1], abs=1e-5) and head.thresholds[1] == 0.3
    assert head.weights[:, 0].tolist() != np.eye(4)[0].tolist()  # topic 0 is seen: it has weights of its own


@pytest.fixture(scope="module")
def analysed():
    # Written for this test: posts about a bank with one topic and two, and a post about no bank.
    texts = ["@BNPParibas ma carte est bloquée et l'appli ne répond plus depuis ce matin",
             "Le Crédit Agricole sponsorise le tournoi de rugby de ma ville, belle initiative",
             "Ma carte Vitale est périmée, il faut que je refasse une demande sur ameli"]
    return analysed_with(Topics, texts)


def decided(scores, thresholds, classes) -> set[str]:
    return {c for c, s, t in zip(classes, scores, thresholds, strict=True) if s >= t}


def test_a_post_about_a_bank_is_decided_on_the_second_reading(analysed):
    stage, docs = analysed
    interplay, classes = stage.bundle.heads["topics_interplay"], stage.head.classes
    for doc in docs[:2]:
        assert doc.analysis.bank is not None
        second = interplay.scores(interplay_features(stage.head.scores(batch_matrix([doc]))))[0]
        shown = [doc.analysis.scores["topics"][c] for c in classes]
        assert shown == pytest.approx(np.round(second, 3).tolist(), abs=1e-3)
        assert set(doc.analysis.topics) == decided(second, interplay.thresholds, classes)
    cards, sponsorship, _ = docs
    assert "cards" in cards.analysis.topics and cards.analysis.cues["topics"]
    assert sponsorship.analysis.topics == ["csr_sponsorship"]


def test_a_post_about_no_bank_keeps_the_decision_of_its_own_head(analysed):
    stage, docs = analysed
    general, classes = stage.bundle.heads["topics_general"], stage.head.classes
    doc = docs[2]
    assert doc.analysis.bank is None
    first = general.scores(batch_matrix([doc]))[0]
    assert [doc.analysis.scores["topics"][c] for c in classes] == pytest.approx(np.round(first, 3).tolist(), abs=1e-3)
    assert set(doc.analysis.topics) == decided(first, stage.head.thresholds, classes)


def test_a_bundle_without_interplay_head_decides_on_the_first_scores():
    stage, docs = analysed_with(Topics, ["@BNPParibas ma carte est bloquée et l'appli ne répond plus"])
    heads = {k: v for k, v in stage.bundle.heads.items() if k != "topics_interplay"}
    plain = Topics(dataclasses.replace(stage.bundle, heads=heads))
    first = stage.head.scores(batch_matrix(docs))[0]
    plain.process(docs)
    shown = [docs[0].analysis.scores["topics"][c] for c in stage.head.classes]
    assert shown == pytest.approx(np.round(first, 3).tolist(), abs=1e-3)
    assert set(docs[0].analysis.topics) == decided(first, stage.head.thresholds, stage.head.classes)
