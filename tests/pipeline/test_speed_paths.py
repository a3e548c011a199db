"""The fast paths give exactly what the straightforward computations they replace give."""
from __future__ import annotations

import dataclasses
import gc

import emoji
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from veilleur.pipeline.base import long_lived_frozen
from veilleur.pipeline.bundle import load_bundle
from veilleur.pipeline.linear import LinearHead
from veilleur.pipeline.normalize import find_emojis

TEXTS = [
    "", " ", "ok", "Bravo la banque, 3 jours sans carte 👏👏", "@SG_etvous ma carte est bloquée depuis lundi !!!",
    "pas terrible... vraiment pas terrible 😡", "#CarteBloquée #BoursoBank", "Merci LCL ❤️ top",
    "C'est nickel, l'appli marche enfin", "💰" * 40, "1 2 3 ?", "Revolut in didn't expect that, shoutout",
    "Thé 🧖🏿\u200d♀️ et 👩\u200d👩\u200d👧", "nuuuul ce service client " * 30,
]
PIECES = ["a", "é", "1", "#", "*", " ", "\u200d", "\ufe0f", "\ufe0e", "\u20e3", "🏻", "🏿", "🏴", "\U000e0067",
          "\U000e007f", "🇫", "🇷", "❤", "♀", "👩", "🧖", "-", "]", "^", "漢", "©"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
def test_find_emojis_finds_what_the_emoji_tokenizer_finds_on_the_whole_text(text):
    assert find_emojis(text) == [found["emoji"] for found in emoji.emoji_list(text)]


@pytest.fixture(scope="module")
def featurizer():
    return load_bundle().featurizer


def test_a_batch_gives_each_text_the_bytes_it_gets_alone(featurizer):
    together, readings = featurizer.transform_with_cues(TEXTS)
    for i, text in enumerate(TEXTS):
        alone, (reading,) = featurizer.transform_with_cues([text])
        row = together[i]
        assert row.indices.tobytes() == alone.indices.tobytes()
        assert row.data.tobytes() == alone.data.tobytes()
        assert dataclasses.astuple(reading) == dataclasses.astuple(readings[i])


def test_a_row_is_the_straightforward_tf_idf_and_mean_vector(featurizer):
    text = TEXTS[3]
    row, _ = featurizer.transform_with_cues([text])
    from veilleur.pipeline.features import HANDLE_TOKEN, model_text, word_features

    cols, vals = featurizer.words.row(word_features(model_text(text), featurizer.lexicon.negators))
    assert row.indices[:len(cols)].tolist() == cols.tolist()
    assert row.data[:len(cols)].tobytes() == vals.tobytes()
    mean, _ = featurizer.vectors.read(HANDLE_TOKEN.sub(" ", text))
    assert row.data[-featurizer.vectors.width:].tobytes() == mean.astype(np.float32).tobytes()


def test_an_empty_batch_is_an_empty_matrix(featurizer):
    matrix, readings = featurizer.transform_with_cues([])
    assert matrix.shape == (0, featurizer.width) and readings == []


def _explain_row_by_row(head, x, outputs, allowed, k):
    found = []
    for i in range(x.shape[0]):
        row = x[i]
        keep = allowed[row.indices]
        columns, values = row.indices[keep], row.data[keep]
        if outputs[i] < 0:
            found.append([])
            continue
        weights = head.weights[columns, outputs[i]]
        if head.kind == "softmax":
            weights = weights - head.weights.mean(axis=1)[columns]
        push = values * weights
        found.append([int(columns[j]) for j in np.argsort(-push)[:k] if push[j] > 0])
    return found


@pytest.mark.parametrize("kind", ["softmax", "sigmoid"])
def test_explain_for_a_batch_is_explain_row_by_row_ties_included(kind):
    rng = np.random.default_rng(7)
    weights = rng.normal(size=(30, 3)).astype(np.float32)
    weights[5] = weights[6]  # two features that always came together: equal weights, equal pushes
    head = LinearHead("h", ["a", "b", "c"], weights, np.zeros(3, dtype=np.float32), kind=kind)
    dense = np.where(rng.random((40, 30)) < 0.4, rng.random((40, 30)), 0).astype(np.float32)
    dense[:, 6] = dense[:, 5]
    x = sparse.csr_matrix(dense)
    allowed = np.ones(30, dtype=bool)
    allowed[20:] = False
    outputs = rng.integers(-1, 3, size=40)
    assert head.explain(x, outputs, allowed, k=4) == _explain_row_by_row(head, x, outputs, allowed, 4)


def _frozen(obj: object) -> bool:
    """Whether the collector has set ``obj`` aside (gc.freeze): tracked, yet in no generation."""
    return gc.is_tracked(obj) and not any(o is obj for o in gc.get_objects())


def test_long_lived_objects_are_frozen_only_inside_the_block_and_nesting_is_harmless():
    # objects, not gc.get_freeze_count(): a frozen object that loses its last reference is still
    # freed, so the count may drop inside the block when another test's leftovers die
    before = [[]]
    assert not _frozen(before)
    with long_lived_frozen():
        assert _frozen(before)
        during = [[]]
        with long_lived_frozen():
            assert _frozen(before) and not _frozen(during)  # the inner block froze nothing more
        assert _frozen(before)  # and leaving it thawed nothing
    assert not _frozen(before) and not _frozen(during)


def test_a_freeze_made_by_somebody_else_is_left_as_it_was():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with long_lived_frozen():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
