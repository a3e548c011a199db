"""analyze_lines: one result per input line, in order, with exactly the label fields."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import ClassVar

import pytest

from veilleur.core.labels import LABEL_NAMES
from veilleur.core.post import Platform
from veilleur.errors import MalformedPayload
from veilleur.pipeline.analyze import analyze_lines, line_to_post
from veilleur.pipeline.bank import DetectBank
from veilleur.pipeline.base import Doc, Pipeline
from veilleur.pipeline.language import DetectLanguage
from veilleur.pipeline.normalize import Normalize

LABELS = set(LABEL_NAMES)


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline([Normalize(), DetectLanguage(), DetectBank()], batch_size=2)


def keys(row: dict) -> set[str]:
    return set(row)


def test_one_result_per_non_blank_line_in_order(pipeline):
    lines = ['{"id": "a", "text": "la SG bloque ma carte"}', "", "   ", "Merci Boursorama !",
             '{"id": "c", "text": "rien à voir"}', "\n", "LCL appli en panne", '{"id": "e", "text": "@CIC bonjour"}']
    rows = list(analyze_lines(lines, pipeline))
    assert [r["bank"] for r in rows] == ["Société Générale", "BoursoBank", None, "LCL", "CIC"]
    assert [r.get("id") for r in rows] == ["a", None, "c", None, "e"]


def test_top_level_keys_are_exactly_the_labels_and_details(pipeline):
    with_id, bare = analyze_lines(['{"id": 7, "text": "Merci beaucoup LCL"}', "Merci beaucoup LCL"], pipeline)
    assert keys(with_id) == {"id", *LABELS, "details"}
    assert keys(bare) == LABELS | {"details"}
    assert with_id["id"] == 7  # the input's id, as given
    assert list(bare)[:len(LABEL_NAMES)] == list(LABEL_NAMES)
    assert bare["details"]["language"] == "fr"
    assert bare["details"]["brands"][0]["text"] == "LCL"
    assert set(bare["details"]["versions"]) == {"normalize", "language", "bank"}
    json.dumps(with_id)  # plain JSON values only


def test_json_string_lines_are_texts(pipeline):
    [row] = analyze_lines(['"Merci \\u00e0 la SG"'], pipeline)
    assert row["bank"] == "Société Générale"
    assert "error" not in row


def test_text_starting_like_json_but_not_json_is_a_bare_text(pipeline):
    rows = list(analyze_lines(["[URGENT] LCL ne répond pas", '"Bravo" la BNP'], pipeline))
    assert [r["bank"] for r in rows] == ["LCL", "BNP Paribas"]
    assert all("error" not in r for r in rows)


def test_full_records_are_read_with_their_author_and_platform(pipeline):
    record = {"platform": "twitter", "id": "184", "text": "bonjour @SG_Vous", "lang": "fr",
              "created_at": "2026-10-09T08:14:00+02:00", "author": {"handle": "client"}}
    [row] = analyze_lines([json.dumps(record)], pipeline)
    assert row["id"] == "184"
    assert row["bank"] == "Société Générale"


@pytest.mark.parametrize("line", ['{"id": "x", "text": broken', "{not json}", '{"text": "a"'])
def test_invalid_json_gives_null_labels_and_an_error(pipeline, line):
    rows = list(analyze_lines(["LCL", line, "la SG"], pipeline))
    assert len(rows) == 3
    bad = rows[1]
    assert keys(bad) == LABELS | {"details", "error"}
    assert all(bad[name] is None for name in LABEL_NAMES)
    assert bad["error"].startswith("line 2:")
    assert "JSON" in bad["error"]
    assert (rows[0]["bank"], rows[2]["bank"]) == ("LCL", "Société Générale")


@pytest.mark.parametrize(("line", "reason"), [
    ("[1, 2]", "expected a text"),
    ('{"id": 5, "text": 3}', "expected a text"),
    ('{"id": 5}', "expected a text"),
    ('{"id": 5, "platform": "myspace", "text": "a", "created_at": "2026-01-01T00:00:00Z"}', "unknown platform"),
    ('{"id": 5, "platform": "x", "text": "a", "created_at": "hier"}', "created_at"),
])
def test_unreadable_objects_keep_their_id_and_say_why(pipeline, line, reason):
    [row] = analyze_lines([line], pipeline)
    assert reason in row["error"]
    assert row["error"].startswith("line 1:")
    assert all(row[name] is None for name in LABEL_NAMES)
    if line.startswith('{"id": 5'):
        assert row["id"] == 5


@pytest.mark.parametrize("line", ['{"id": "%s", "text": "LCL"}' % ("x" * 300), '{"id": "", "text": "LCL"}',
                                  '{"text": "LCL", "lang": 5}', '{"id": null, "text": "LCL"}'])
def test_odd_ids_and_tags_do_not_break_the_run(pipeline, line):
    [row] = analyze_lines([line], pipeline)
    assert row["bank"] == "LCL"
    assert "error" not in row


def test_a_stage_failure_is_reported_on_its_line_only():
    class Fragile:
        name: ClassVar[str] = "fragile"
        version: ClassVar[str] = "1"
        requires: ClassVar[frozenset[str]] = frozenset({"clean_text"})
        assigns: ClassVar[frozenset[str]] = frozenset({"sentiment"})

        def process(self, docs: Sequence[Doc]) -> None:
            for doc in docs:
                if "boom" in doc.text:
                    raise RuntimeError("kaput")
                doc.analysis.sentiment = "neutral"

    rows = list(analyze_lines(["ok", "boom", "ok"], Pipeline([Normalize(), Fragile()])))
    assert [r["sentiment"] for r in rows] == ["neutral", None, "neutral"]
    assert rows[1]["error"] == "stage fragile: RuntimeError: kaput"
    assert "error" not in rows[0]


def test_max_chars_truncates(pipeline):
    [row] = analyze_lines(["x" * 200 + " LCL"], pipeline, max_chars=100)
    assert row["bank"] is None
    assert "truncated" in row["details"]["flags"]


def test_no_lines_no_results(pipeline):
    assert list(analyze_lines([], pipeline)) == []
    assert list(analyze_lines(["", "  "], pipeline)) == []


def test_line_to_post():
    ident, post = line_to_post('{"id": "k", "text": "salut", "platform": "fb", "lang": "fr"}', 3)
    assert ident == "k"
    assert (post.platform, post.external_id, post.text, post.language) == (Platform.FACEBOOK, "k", "salut", "fr")
    ident, post = line_to_post("  juste un texte  ", 4)
    assert (ident, post.external_id, post.text, post.platform) == (None, "4", "juste un texte", Platform.OTHER)
    with pytest.raises(MalformedPayload, match="line 9"):
        line_to_post("{oops", 9)
