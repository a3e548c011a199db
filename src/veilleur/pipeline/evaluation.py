"""Evaluation of the analysis against a labelled file (the format of labels.md).

For each label present in the file: accuracy, per-value precision, recall and F1, macro-F1,
micro-F1 for the multi-valued labels (topics, pii), the confusion matrix (per-value true and
false positives and false negatives for multi-valued labels) and the worst errors (the most
confident wrong answers). ``abusive`` is scored on the values "true"/"false"; its headline F1
is that of "true". Pure computation on lists: imports the standard library only.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

MULTI = {"topics", "pii"}
SINGLE = {"sentiment", "intent", "urgency", "abusive", "bank"}
NONE = "(none)"


def as_value(label: str, value: Any) -> str:
    if label == "abusive":
        return "true" if value else "false"
    return NONE if value is None else str(value)


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "support": tp + fn}


def single_label(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    values = sorted(set(truth) | set(predicted))
    confusion = {t: {p: 0 for p in values} for t in values}
    for t, p in zip(truth, predicted, strict=True):
        confusion[t][p] += 1
    per_value = {}
    for v in values:
        tp = confusion[v][v]
        fp = sum(confusion[t][v] for t in values) - tp
        fn = sum(confusion[v].values()) - tp
        per_value[v] = _prf(tp, fp, fn)
    scored = [v for v in values if per_value[v]["support"]]
    correct = sum(t == p for t, p in zip(truth, predicted, strict=True))
    return {"n": len(truth), "accuracy": round(correct / len(truth), 4) if truth else 0.0,
            "macro_f1": round(sum(per_value[v]["f1"] for v in scored) / len(scored), 4) if scored else 0.0,
            "per_value": per_value, "confusion": confusion}


def multi_label(truth: list[set[str]], predicted: list[set[str]]) -> dict[str, Any]:
    values = sorted(set().union(*truth, *predicted)) if truth else []
    counts = {v: Counter() for v in values}
    for t, p in zip(truth, predicted, strict=True):
        for v in values:
            key = "tp" if v in t and v in p else "fp" if v in p else "fn" if v in t else None
            if key:
                counts[v][key] += 1
    per_value = {v: _prf(c["tp"], c["fp"], c["fn"]) for v, c in counts.items()}
    tp, fp, fn = (sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn"))
    scored = [v for v in values if per_value[v]["support"]]
    exact = sum(t == p for t, p in zip(truth, predicted, strict=True))
    return {"n": len(truth), "accuracy": round(exact / len(truth), 4) if truth else 0.0,
            "micro_f1": _prf(tp, fp, fn)["f1"],
            "macro_f1": round(sum(per_value[v]["f1"] for v in scored) / len(scored), 4) if scored else 0.0,
            "per_value": per_value, "confusion": {v: dict(c) for v, c in counts.items()}}


def _confidence(label: str, value: Any, scores: dict[str, Any]) -> float:
    s = scores.get(label)
    if isinstance(s, dict):
        return float(max(s.values())) if s else 0.0
    if isinstance(s, int | float):
        return float(s) if value else 1.0 - float(s)
    return 0.0


def evaluate(rows: list[dict[str, Any]], outputs: list[dict[str, Any]], worst: int = 20) -> dict[str, Any]:
    """Scores per label for gold ``rows`` and the analysis ``outputs`` (same order)."""
    report: dict[str, Any] = {}
    labels = [name for name in ("sentiment", "intent", "topics", "abusive", "urgency", "pii", "bank")
              if any(name in r for r in rows)]
    for label in labels:
        pairs = [(r, o) for r, o in zip(rows, outputs, strict=True) if label in r]
        if label in MULTI:
            truth = [set(r[label] or []) for r, _ in pairs]
            predicted = [set(o.get(label) or []) for _, o in pairs]
            result = multi_label(truth, predicted)
            errors = [(len(t ^ p), _confidence(label, None, o["details"].get("scores", {})), r, o)
                      for (r, o), t, p in zip(pairs, truth, predicted, strict=True) if t != p]
        else:
            truth = [as_value(label, r[label]) for r, _ in pairs]
            predicted = [as_value(label, o.get(label)) for _, o in pairs]
            result = single_label(truth, predicted)
            if label == "abusive":
                result["f1"] = result["per_value"].get("true", {}).get("f1", 0.0)
            errors = [(1, _confidence(label, o.get(label), o["details"].get("scores", {})), r, o)
                      for (r, o), t, p in zip(pairs, truth, predicted, strict=True) if t != p]
        errors.sort(key=lambda e: (-e[0], -e[1]))
        result["worst_errors"] = [
            {"id": r.get("id"), "text": r["text"][:280], "expected": r[label], "predicted": o.get(label),
             "confidence": round(c, 3), "cues": (o["details"].get("cues") or {}).get(label, [])}
            for _, c, r, o in errors[:worst]]
        report[label] = result
    report["n"] = len(rows)
    return report


def headline(report: dict[str, Any]) -> dict[str, float]:
    """The one figure per label quoted in notes: macro-F1, micro-F1 for topics, F1(true) for abusive."""
    out: dict[str, float] = {}
    for label, result in report.items():
        if not isinstance(result, dict):
            continue
        out[label] = result["micro_f1"] if label in MULTI else result.get("f1", result["macro_f1"])
    return out


def by_value(report: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {label: {v: m["f1"] for v, m in result["per_value"].items()}
            for label, result in report.items() if isinstance(result, dict)}



