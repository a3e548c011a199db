"""``Stage`` and ``Pipeline``: the spine every analysis stage plugs into (after spaCy's components).

A stage names the ``Analysis`` fields it ``requires`` and those it ``assigns``; ``Pipeline``
refuses an order whose requirements are not met, runs stages over batches, and isolates a post
that makes a stage fail: the batch is retried post by post, the culprit is set aside as a
``Failure`` (stage and reason) for the dead-letter table, and its neighbours go on.

Batches run with the objects alive before them (models, lexicons, vocabularies: millions of
long-lived objects) set aside from the garbage collector (``gc.freeze``, undone afterwards):
otherwise each full collection walks them all again, a fifth of an ingest's time.

Imports ``core`` and ``errors`` only.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, ClassVar, Protocol, runtime_checkable

from veilleur.core.labels import Analysis
from veilleur.core.post import Post
from veilleur.errors import PipelineError

INPUT_FIELDS = frozenset({"text"})
"""What every stage may read without another stage assigning it: the post itself."""


@dataclass(slots=True)
class Doc:
    """A post travelling through the pipeline with its growing analysis.

    ``text`` is the text stages analyse: the post's text, cut to the configured maximum.
    """

    post: Post
    analysis: Analysis = field(default_factory=Analysis)
    text: str = ""
    features: Any = None  # the shared feature row of the analysis heads (``pipeline.featurize``)

    def __post_init__(self) -> None:
        if not self.text:
            self.text = self.post.text


@runtime_checkable
class Stage(Protocol):
    """One step of the analysis. ``process`` fills ``assigns`` on every doc of the batch."""

    name: ClassVar[str]
    version: ClassVar[str]
    requires: ClassVar[frozenset[str]]
    assigns: ClassVar[frozenset[str]]

    def process(self, docs: Sequence[Doc]) -> None: ...


@dataclass(slots=True)
class Failure:
    """A post that a stage could not process."""

    doc: Doc
    stage: str
    reason: str


def check_order(stages: Sequence[Stage]) -> None:
    """Raise ``PipelineError`` if a stage requires a field that no earlier stage assigns."""
    available = set(INPUT_FIELDS)
    names = [s.name for s in stages]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise PipelineError(f"stage {', '.join(map(repr, twice))} appears more than once (order: {names})")
    for stage in stages:
        missing = set(stage.requires) - available
        if missing:
            raise PipelineError(
                f"stage {stage.name!r} requires {sorted(missing)}, which no earlier stage assigns "
                f"(order: {names})")
        available |= set(stage.assigns)


class Pipeline:
    """Stages in a checked order, run batch by batch."""

    def __init__(self, stages: Sequence[Stage], batch_size: int = 500):
        check_order(stages)
        self.stages = list(stages)
        self.batch_size = batch_size

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def run(self, docs: Sequence[Doc]) -> list[Failure]:
        """Analyse ``docs`` in place; return the ones that failed, removed from further stages."""
        failures: list[Failure] = []
        alive = list(docs)
        with long_lived_frozen():
            for stage in self.stages:
                alive, failed = _run_stage(stage, alive)
                failures.extend(failed)
        versions = {s.name: s.version for s in self.stages}
        for doc in alive:
            doc.analysis.versions.update(versions)
        return failures

    def stream(self, posts: Iterable[Post], max_chars: int | None = None
               ) -> Iterator[tuple[list[Doc], list[Failure]]]:
        """Batches of analysed docs and failures for a stream of posts."""
        iterator = iter(posts)
        while batch := list(islice(iterator, self.batch_size)):
            docs = [make_doc(p, max_chars) for p in batch]
            failures = self.run(docs)
            failed_ids = {id(f.doc) for f in failures}
            yield [d for d in docs if id(d) not in failed_ids], failures


_freezes = 0  # blocks inside our own freeze: gc.get_freeze_count() walks every frozen object, so it is
_freeze_lock = threading.Lock()  # asked only when none is open


@contextmanager
def long_lived_frozen() -> Iterator[None]:
    """Keep the objects alive now out of garbage collections until the block ends.

    The cyclic collector skips them meanwhile (a cycle among them that becomes garbage waits until
    the end; an object whose last reference goes is still freed at once), and they are given back
    to the collector afterwards. Does nothing inside another freeze (nested use, or a server
    that froze its objects before forking: its freeze is left alone).
    """
    global _freezes
    with _freeze_lock:
        if _freezes == 0 and gc.get_freeze_count():
            ours = False  # somebody else's freeze
        else:
            ours = True
            _freezes += 1
            if _freezes == 1:
                gc.freeze()
    try:
        yield
    finally:
        if ours:
            with _freeze_lock:
                _freezes -= 1
                if _freezes == 0:
                    gc.unfreeze()


def make_doc(post: Post, max_chars: int | None = None) -> Doc:
    """A doc for ``post``, its analysed text cut at ``max_chars`` (flagged ``truncated``)."""
    doc = Doc(post)
    if max_chars is not None and len(post.text) > max_chars:
        doc.text = post.text[:max_chars]
        doc.analysis.flags.append("truncated")
    return doc


def _run_stage(stage: Stage, docs: list[Doc]) -> tuple[list[Doc], list[Failure]]:
    if not docs:
        return docs, []
    try:
        stage.process(docs)
        return docs, []
    except Exception:
        pass
    alive, failed = [], []
    for doc in docs:
        try:
            stage.process([doc])
            alive.append(doc)
        except Exception as exc:
            failed.append(Failure(doc, stage.name, f"{type(exc).__name__}: {exc}"))
    return alive, failed
