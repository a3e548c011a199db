"""The pipeline spine: order checks, failure isolation, truncation, versions."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import ClassVar

import pytest

from veilleur.core.post import Platform, Post
from veilleur.errors import PipelineError
from veilleur.pipeline.base import Doc, Failure, Pipeline, Stage, check_order, make_doc


def post(text: str, external_id: str = "1") -> Post:
    return Post(platform=Platform.X, external_id=external_id, text=text, created_at=datetime(2026, 1, 1, tzinfo=UTC))


class Upper:
    name: ClassVar[str] = "upper"
    version: ClassVar[str] = "2"
    requires: ClassVar[frozenset[str]] = frozenset({"text"})
    assigns: ClassVar[frozenset[str]] = frozenset({"clean_text"})

    def __init__(self) -> None:
        self.calls: list[int] = []

    def process(self, docs: Sequence[Doc]) -> None:
        self.calls.append(len(docs))
        for doc in docs:
            if "boom" in doc.text:
                raise ValueError(f"cannot read {doc.post.external_id}")
            doc.analysis.clean_text = doc.text.upper()


class Bank:
    name: ClassVar[str] = "bank"
    version: ClassVar[str] = "7"
    requires: ClassVar[frozenset[str]] = frozenset({"clean_text"})
    assigns: ClassVar[frozenset[str]] = frozenset({"bank"})

    def process(self, docs: Sequence[Doc]) -> None:
        for doc in docs:
            doc.analysis.bank = "LCL" if "LCL" in (doc.analysis.clean_text or "") else None


class BatchOnly:
    """Fails on any batch of more than one doc, works post by post."""

    name: ClassVar[str] = "batch_only"
    version: ClassVar[str] = "1"
    requires: ClassVar[frozenset[str]] = frozenset({"text"})
    assigns: ClassVar[frozenset[str]] = frozenset({"language"})

    def process(self, docs: Sequence[Doc]) -> None:
        if len(docs) > 1:
            raise MemoryError("batch too big")
        docs[0].analysis.language = "fr"


def test_stages_satisfy_the_protocol():
    assert isinstance(Upper(), Stage)
    assert isinstance(Bank(), Stage)


def test_check_order_accepts_a_sound_order():
    check_order([Upper(), Bank()])
    assert Pipeline([Upper(), Bank()]).names == ["upper", "bank"]


def test_check_order_refuses_unmet_requirements_naming_stage_and_field():
    with pytest.raises(PipelineError) as info:
        check_order([Bank(), Upper()])
    message = str(info.value)
    assert "'bank'" in message
    assert "clean_text" in message


def test_pipeline_refuses_unmet_requirements_at_construction():
    with pytest.raises(PipelineError, match="bank"):
        Pipeline([Bank()])


def test_check_order_refuses_a_duplicate_stage_naming_it():
    with pytest.raises(PipelineError) as info:
        check_order([Upper(), Bank(), Bank()])
    message = str(info.value)
    assert "stage 'bank' appears more than once" in message


def test_a_failing_post_fails_alone_and_its_neighbours_are_analysed():
    stage = Upper()
    docs = [make_doc(post("merci LCL", "a")), make_doc(post("boom", "b")), make_doc(post("hello", "c"))]
    failures = Pipeline([stage, Bank()]).run(docs)
    assert len(failures) == 1
    failure = failures[0]
    assert isinstance(failure, Failure)
    assert failure.doc is docs[1]
    assert failure.stage == "upper"
    assert "ValueError" in failure.reason
    assert "cannot read b" in failure.reason
    assert docs[0].analysis.clean_text == "MERCI LCL"
    assert docs[0].analysis.bank == "LCL"
    assert docs[2].analysis.clean_text == "HELLO"
    assert docs[2].analysis.bank is None
    assert docs[1].analysis.bank is None  # removed from the later stages
    assert stage.calls == [3, 1, 1, 1]  # the batch, then post by post


def test_a_batch_level_failure_retries_post_by_post_without_failures():
    docs = [make_doc(post("un", "1")), make_doc(post("deux", "2"))]
    assert Pipeline([BatchOnly()]).run(docs) == []
    assert [d.analysis.language for d in docs] == ["fr", "fr"]


def test_stream_yields_batches_and_keeps_failed_docs_apart():
    posts = [post(f"texte {i}", str(i)) for i in range(5)] + [post("boom", "bad")]
    pipeline = Pipeline([Upper(), Bank()], batch_size=2)
    batches = list(pipeline.stream(posts))
    assert [len(docs) + len(failures) for docs, failures in batches] == [2, 2, 2]
    analysed = [d.post.external_id for docs, _ in batches for d in docs]
    failed = [f.doc.post.external_id for _, failures in batches for f in failures]
    assert analysed == ["0", "1", "2", "3", "4"]
    assert failed == ["bad"]


def test_make_doc_truncates_long_texts_and_flags_them():
    long = "a" * 150
    doc = make_doc(post(long), max_chars=100)
    assert doc.text == "a" * 100
    assert doc.post.text == long  # the post itself is untouched
    assert doc.analysis.flags == ["truncated"]


@pytest.mark.parametrize("max_chars", [None, 150, 1000])
def test_make_doc_keeps_texts_that_fit(max_chars):
    doc = make_doc(post("a" * 150), max_chars=max_chars)
    assert doc.text == "a" * 150
    assert "truncated" not in doc.analysis.flags


def test_stream_truncates_with_max_chars():
    [(docs, _)] = list(Pipeline([Upper()]).stream([post("x" * 300)], max_chars=120))
    assert docs[0].analysis.clean_text == "X" * 120
    assert docs[0].analysis.flags == ["truncated"]


def test_versions_of_every_stage_are_recorded():
    doc = make_doc(post("LCL"))
    assert Pipeline([Upper(), Bank()]).run([doc]) == []
    assert doc.analysis.versions == {"upper": "2", "bank": "7"}


def test_empty_input_runs_nothing():
    stage = Upper()
    assert Pipeline([stage]).run([]) == []
    assert list(Pipeline([stage]).stream([])) == []
    assert stage.calls == []
