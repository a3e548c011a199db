"""`veilleur train` is deterministic, and the shipped bundle is what it rebuilds from the corpus."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from veilleur.pipeline.bundle import ModelBundle, default_folder
from veilleur.pipeline.interplay import HEAD_SUFFIX, interplay_features
from veilleur.pipeline.training import train

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "corpus" / "train.jsonl"


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def small_corpus(tmp_path: Path, n: int = 400) -> Path:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()[:n]
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def train_in_a_fresh_process(corpus: Path, out: Path) -> None:
    """`veilleur train` as a user runs it: a new process, as the reproducibility promise is about."""
    subprocess.run([sys.executable, "-m", "veilleur.cli.main", "train", "--corpus", str(corpus), "--out", str(out)],
                   check=True, capture_output=True, timeout=1200)


def test_training_twice_gives_the_same_bytes(tmp_path):
    corpus = small_corpus(tmp_path)
    train_in_a_fresh_process(corpus, tmp_path / "a")
    train_in_a_fresh_process(corpus, tmp_path / "b")
    assert digests(tmp_path / "a") == digests(tmp_path / "b")


def test_bundle_files_are_safe_formats(tmp_path):
    folder = default_folder()
    for path in folder.iterdir():
        assert path.suffix in {".json", ".npy", ".txt"}, path.name
        if path.suffix == ".npy":
            np.load(path, allow_pickle=False)  # raises if an object array (pickle) hid inside
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert set(meta["heads"]) == {"sentiment", "sentiment_general", "intent", "topics", "topics_general",
                                  "topics_interplay", "abusive", "urgency"}
    assert sum(p.stat().st_size for p in folder.iterdir()) < 50e6


@pytest.mark.slow
def test_the_shipped_bundle_is_rebuilt_bit_for_bit(tmp_path):
    meta = json.loads((default_folder() / "meta.json").read_text(encoding="utf-8"))
    assert meta["corpus_sha256"] == hashlib.sha256(CORPUS.read_bytes()).hexdigest(), \
        "the shipped models were not trained on data/corpus/train.jsonl: run `veilleur train`"
    train_in_a_fresh_process(CORPUS, tmp_path / "rebuilt")
    rebuilt, shipped = digests(tmp_path / "rebuilt"), digests(default_folder())
    assert [name for name in shipped if rebuilt.get(name) != shipped[name]] == []


def test_a_loaded_bundle_scores_like_the_saved_one(tmp_path):
    corpus = small_corpus(tmp_path, 300)
    trained = train(corpus, tmp_path / "m")
    loaded = ModelBundle.load(tmp_path / "m")
    texts = ["carte bloquée depuis hier", "merci pour votre aide"]
    x1, x2 = trained.featurizer.transform(texts), loaded.featurizer.transform(texts)
    assert (x1 != x2).nnz == 0
    for name, head in trained.heads.items():
        if name.endswith(HEAD_SUFFIX):  # reads the first topic scores, not the features
            first = interplay_features(trained.heads["topics"].scores(x1))
            assert np.allclose(head.scores(first), loaded.heads[name].scores(first))
        else:
            assert np.allclose(head.scores(x1), loaded.heads[name].scores(x2))


def test_nb_ratios_by_hand():
    from scipy import sparse

    from veilleur.pipeline.training import NB_ALPHA, nb_ratios

    # columns 0-1 are n-grams, column 2 a dense feature that keeps ratio 1
    x = sparse.csr_matrix(np.array([[1.0, 0.0, 0.5], [0.0, 2.0, 0.5], [1.0, 1.0, 0.5]]))
    ratios = nb_ratios(x, np.array([1, 0, 1]), columns=2)
    with_label = np.array([2.0, 1.0]) + NB_ALPHA  # rows 0 and 2
    without = np.array([0.0, 2.0]) + NB_ALPHA  # row 1
    expected = np.log((with_label / with_label.sum()) / (without / without.sum()))
    assert ratios[:2] == pytest.approx(expected)
    assert ratios[2] == 1.0
    assert ratios[0] > 0 > ratios[1]


def test_an_nb_weighted_head_scores_with_one_product(tmp_path):
    from scipy import sparse

    from veilleur.pipeline.training import sigmoid_head

    rng = np.random.default_rng(0)
    x = sparse.csr_matrix(rng.random((60, 5)) * (rng.random((60, 5)) > 0.5))
    y = (x[:, 0].toarray().ravel() > 0).astype(bool)
    head = sigmoid_head("topics", x, y[:, None], ["cards"], nb_columns=4)
    scores = head.scores(x)[:, 0]
    assert ((scores >= head.thresholds[0]) == y).mean() > 0.9  # column 0 decides, and the head learnt it
