"""Evaluation metrics checked against figures computed by hand."""
from __future__ import annotations

import pytest

from veilleur.pipeline.evaluation import evaluate, headline


def out(sentiment=None, topics=None, abusive=None, scores=None):
    return {"sentiment": sentiment, "intent": None, "topics": topics, "abusive": abusive, "urgency": None,
            "pii": None, "bank": None, "details": {"scores": scores or {}, "cues": {}}}


ROWS = [
    {"id": 1, "text": "a", "sentiment": "negative", "topics": ["cards"], "abusive": True},
    {"id": 2, "text": "b", "sentiment": "negative", "topics": ["cards", "digital"], "abusive": False},
    {"id": 3, "text": "c", "sentiment": "positive", "topics": [], "abusive": False},
    {"id": 4, "text": "d", "sentiment": "neutral", "topics": ["loans"], "abusive": True},
]
OUTPUTS = [
    out("negative", ["cards"], True),
    out("positive", ["cards"], True, {"sentiment": {"negative": 0.1, "neutral": 0.1, "positive": 0.8}}),
    out("positive", ["digital"], False),
    out("neutral", [], False),
]


@pytest.fixture(scope="module")
def report():
    return evaluate(ROWS, OUTPUTS)


def test_single_label_figures(report):
    s = report["sentiment"]
    assert s["n"] == 4 and s["accuracy"] == 0.75
    assert s["per_value"]["negative"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert s["per_value"]["positive"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1}
    assert s["per_value"]["neutral"]["f1"] == 1.0
    assert s["macro_f1"] == pytest.approx((0.6667 + 0.6667 + 1.0) / 3, abs=1e-4)
    assert s["confusion"]["negative"] == {"negative": 1, "neutral": 0, "positive": 1}


def test_multi_label_figures(report):
    t = report["topics"]
    assert t["accuracy"] == 0.25  # only the first row matches exactly
    assert t["micro_f1"] == pytest.approx(0.5714, abs=1e-4)  # tp 2, fp 1, fn 2
    assert t["per_value"]["cards"]["f1"] == 1.0
    assert t["per_value"]["digital"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert t["macro_f1"] == pytest.approx(1 / 3, abs=1e-4)
    assert t["confusion"]["digital"] == {"fp": 1, "fn": 1}


def test_abusive_headline_is_the_f1_of_true(report):
    a = report["abusive"]
    assert a["f1"] == 0.5 and a["per_value"]["true"]["precision"] == 0.5
    assert headline(report) == {"sentiment": report["sentiment"]["macro_f1"], "topics": 0.5714, "abusive": 0.5}


def test_worst_errors_come_most_confident_first(report):
    worst = report["sentiment"]["worst_errors"]
    assert [e["id"] for e in worst] == [2]
    assert worst[0]["confidence"] == 0.8 and worst[0]["expected"] == "negative"


def test_absent_fields_are_not_evaluated():
    rows = [{"text": "x", "sentiment": "neutral"}, {"text": "y", "urgency": "low"}]
    report = evaluate(rows, [out("neutral"), out("neutral")])
    assert set(report) == {"sentiment", "urgency", "n"}
    assert report["sentiment"]["n"] == 1 and report["urgency"]["n"] == 1
    assert report["urgency"]["accuracy"] == 0.0  # predicted null for "low"
