"""Bring your own model: tiny randomly initialised Hugging Face models, made and saved here, in the real pipeline.

Skipped as a whole when the ``transformers`` extra (torch and transformers) is not installed,
so that the default suite stays free of torch; ``make test-transformers`` runs them in an
environment with the extra, where ``VEILLEUR_REQUIRE_TRANSFORMERS=1`` turns a missing extra into a
failure (a skipped file can rot unseen: this one did once, when ``sentiment`` began to need ``bank``).
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest

WHY = "the transformers extra is not installed (pip install veilleur[transformers])"
if os.environ.get("VEILLEUR_REQUIRE_TRANSFORMERS") == "1":
    import torch
    import transformers
else:
    torch = pytest.importorskip("torch", reason=WHY)
    transformers = pytest.importorskip("transformers", reason=WHY)

from scipy.special import expit, softmax  # noqa: E402

from veilleur.core.labels import Intent, Sentiment, Topic  # noqa: E402
from veilleur.errors import ConfigError  # noqa: E402
from veilleur.pipeline.analyze import analyze_lines  # noqa: E402
from veilleur.pipeline.factory import build_pipeline  # noqa: E402
from veilleur.pipeline.transformer_head import TransformerStage, load_model, map_outputs  # noqa: E402
from veilleur.settings import Settings, TransformerHeadSettings, get_settings  # noqa: E402

WORDS = ["ma", "carte", "est", "bloquée", "depuis", "trois", "jours", "merci", "pour", "rien", "bravo", "la",
         "banque", "virement", "toujours", "pas", "reçu", "conseiller", "super", "accueil", "agence", "application",
         "plante", "frais", "prêt", "immobilier", "livret", "assurance", "fraude", "compte", "piraté", "recrute",
         "alternance", "sponsor", "quel", "plafond", "du", "ldd", "?", "!", ",", "."]
TEXTS = [
    "Ma carte est bloquée depuis trois jours",
    "Bravo la banque, 3 jours sans carte 👏",
    "Super accueil à l'agence, merci au conseiller",
    "toujours pas reçu mon virement !",
    "Quel est le plafond du LDD ?",
    "l'application plante encore, frais de tenue de compte en hausse",
    "compte piraté, fraude en cours !!",
]
SENTIMENT = {"NEG": "negative", "NEU": "neutral", "POS": "positive"}


def save_tiny_model(folder: Path, id2label: dict[int, str], problem_type: str | None = None, seed: int = 0) -> Path:
    """A BERT of 2 layers, 2 heads and hidden size 32 over a word list, randomly initialised, saved to ``folder``."""
    folder.mkdir(parents=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *dict.fromkeys(WORDS)]) + "\n",
                     encoding="utf-8")
    tokenizer = transformers.BertTokenizer(str(vocab), do_lower_case=True)
    config = transformers.BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128, initializer_range=0.5, id2label=id2label,
        label2id={name: i for i, name in id2label.items()}, problem_type=problem_type)
    torch.manual_seed(seed)
    model = transformers.BertForSequenceClassification(config).eval()
    with torch.no_grad():  # centre the random logits on the test texts, so that labels vary from text to text
        logits = model(**tokenizer(TEXTS, padding=True, return_tensors="pt")).logits
        model.classifier.bias.sub_(logits.mean(dim=0))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("models")
    return {
        "sentiment": save_tiny_model(root / "sentiment", {0: "NEG", 1: "NEU", 2: "POS"}),
        "intent": save_tiny_model(root / "intent", {i: f"LABEL_{i}" for i in range(len(Intent))}, seed=1),
        "topics": save_tiny_model(root / "topics", {i: t.value for i, t in enumerate(Topic)},
                                  "multi_label_classification", seed=2),
        "abusive": save_tiny_model(root / "abusive", {0: "ok", 1: "toxic"}, seed=3),
        "abusive-1": save_tiny_model(root / "abusive-1", {0: "toxic"}, seed=4),
        "stars": save_tiny_model(root / "stars", {i: f"{i + 1} stars" for i in range(5)}, seed=5),
    }


def heads(models: dict[str, Path], **changes) -> dict[str, dict]:
    """``pipeline.transformers`` for the four labels, mapped by name, by index and by TOML boolean."""
    values = {
        "sentiment": {"path": models["sentiment"], "labels": SENTIMENT, "batch_size": 3},
        "intent": {"path": models["intent"], "labels": {str(i): v.value for i, v in enumerate(Intent)},
                   "name": "intentions-banque"},
        "topics": {"path": models["topics"], "labels": {t.value: t.value for t in Topic}, "threshold": 0.6},
        "abusive": {"path": models["abusive"], "labels": {"ok": False, "toxic": True}, "input": "clean_text"},
    }
    for label, change in changes.items():
        values[label] = {**values[label], **change}
    return values


@pytest.fixture(scope="module")
def pipeline(models):
    return build_pipeline(Settings(pipeline={"transformers": heads(models)}))


def analyse(pipeline, texts):
    return list(analyze_lines([json.dumps({"id": i, "text": t}) for i, t in enumerate(texts)], pipeline))


def test_the_real_pipeline_assigns_valid_labels_with_every_local_model(pipeline):
    assert pipeline.names[-5:] == ["sentiment", "intent", "topics", "abusive", "urgency"]
    replaced = {s.name: s for s in pipeline.stages if isinstance(s, TransformerStage)}
    assert sorted(replaced) == ["abusive", "intent", "sentiment", "topics"]
    assert replaced["intent"].requires == frozenset({"features"}) and replaced["intent"].assigns == {"intent"}
    results = analyse(pipeline, TEXTS)
    assert [r["id"] for r in results] == list(range(len(TEXTS)))
    for r in results:
        assert "error" not in r, r
        assert r["sentiment"] in set(Sentiment) and r["intent"] in set(Intent)
        assert set(r["topics"]) <= set(Topic) and isinstance(r["abusive"], bool)
        assert r["urgency"] in {"high", "normal", "low"}  # the shipped urgency stage reads the model's intent
        scores, cues = r["details"]["scores"], r["details"]["cues"]
        assert set(scores["sentiment"]) == set(Sentiment)
        assert sum(scores["sentiment"].values()) == pytest.approx(1, abs=0.01)
        assert set(scores["intent"]) == set(Intent) and set(scores["topics"]) == set(Topic)
        assert 0 <= scores["abusive"] <= 1
        assert r["topics"] == sorted(r["topics"], key=lambda t: -scores["topics"][t])
        assert all(scores["topics"][t] >= 0.6 for t in r["topics"])
        assert cues["sentiment"] == ["modèle sentiment"] and cues["intent"] == ["modèle intentions-banque"]
        assert r["details"]["versions"]["intent"].startswith("transformers:intentions-banque:")
    assert len({r["sentiment"] for r in results}) > 1, "a random model with spread logits gives varied labels"


def test_batches_give_the_same_results_as_one_post_at_a_time(models):
    texts = [*TEXTS, " ".join(WORDS * 20)]  # a text far longer than max_length
    head = TransformerHeadSettings(path=models["sentiment"], labels=SENTIMENT, batch_size=3, max_length=16)
    stage = TransformerStage("sentiment", head)
    shapes = []
    forward = stage.loaded.model.forward

    def recording(*args, **kwargs):
        assert not torch.is_grad_enabled()
        shapes.append(tuple(kwargs["input_ids"].shape))
        return forward(*args, **kwargs)

    stage.loaded.model.forward = recording
    batched = stage.logits(texts)
    assert [s[0] for s in shapes] == [3, 3, 2] and max(s[1] for s in shapes) == 16
    alone = np.vstack([stage.logits([t]) for t in texts])
    assert batched.shape == (len(texts), 3)
    np.testing.assert_allclose(batched, alone, atol=1e-5)
    assert not stage.loaded.model.training and stage.loaded.model.device.type == "cpu"


def test_several_outputs_may_share_a_value_and_add_up(models):
    labels = {"1 stars": "negative", "1": "negative", "2": "neutral", "4 stars": "positive", "4": "positive"}
    stage = TransformerStage("sentiment", TransformerHeadSettings(path=models["stars"], labels=labels))
    pipeline = build_pipeline(Settings(pipeline={"stages": ["normalize", "bank", "features", "sentiment"]}))
    pipeline.stages[-1] = stage
    results = analyse(pipeline, TEXTS)
    p = softmax(stage.logits(TEXTS), axis=1)
    expected = np.stack([p[:, :2].sum(1), p[:, 2], p[:, 3:].sum(1)], axis=1)
    for r, e in zip(results, expected, strict=True):
        assert list(r["details"]["scores"]["sentiment"].values()) == pytest.approx(list(e), abs=1e-3)
        assert r["sentiment"] == ["negative", "neutral", "positive"][int(e.argmax())]


def test_abusive_is_a_softmax_for_a_binary_classifier_and_a_sigmoid_for_one_output(models):
    two = TransformerStage("abusive", TransformerHeadSettings(path=models["abusive"],
                                                              labels={"0": "false", "1": "true"}))
    one = TransformerStage("abusive", TransformerHeadSettings(path=models["abusive-1"], labels={"toxic": "true"},
                                                              threshold=0.3))
    pipeline = build_pipeline(Settings(pipeline={"stages": ["normalize", "features", "abusive"]}))
    for stage, probability in ((two, softmax(two.logits(TEXTS), axis=1)[:, 1]), (one, expit(one.logits(TEXTS))[:, 0])):
        pipeline.stages[-1] = stage
        results = analyse(pipeline, TEXTS)
        assert [r["details"]["scores"]["abusive"] for r in results] == pytest.approx(probability, abs=1e-3)
        assert [r["abusive"] for r in results] == [bool(p >= stage.head.threshold) for p in probability]


def test_offline_only(models, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    load_model("sentiment", TransformerHeadSettings(path=models["sentiment"], labels=SENTIMENT))
    assert os.environ["HF_HUB_OFFLINE"] == "1"


@pytest.mark.parametrize(("labels", "key", "says"), [
    ({"NEG": "negatif", "NEU": "neutral", "POS": "positive"}, "pipeline.transformers.sentiment.labels.NEG",
     "not a value of sentiment"),
    ({**SENTIMENT, "LABEL_9": "neutral"}, "pipeline.transformers.sentiment.labels.LABEL_9", "not an output"),
    ({"NEG": "negative", "POS": "positive"}, "pipeline.transformers.sentiment.labels", "not mapped: 1 ('NEU')"),
    ({**SENTIMENT, "1": "negative"}, "pipeline.transformers.sentiment.labels.1", "already mapped"),
])
def test_bad_mappings_raise_config_error_naming_the_key(models, labels, key, says):
    head = TransformerHeadSettings(path=models["sentiment"], labels=labels)  # values are checked by PipelineSettings
    with pytest.raises(ConfigError, match=f"^{re.escape(key)}: .*{re.escape(says)}"):
        TransformerStage("sentiment", head)


def test_map_outputs_by_index_and_by_name():
    id2label = {0: "LABEL_0", 1: "LABEL_1"}
    key = "pipeline.transformers.abusive"
    assert map_outputs("abusive", {"0": "false", "LABEL_1": "true"}, id2label, key) == ["false", "true"]
    with pytest.raises(ConfigError, match=rf"^{key}\.labels: map at least one output to true"):
        map_outputs("abusive", {"0": "false", "1": "false"}, id2label, key)


def write_config(tmp_path: Path, table: str) -> Path:
    path = tmp_path / "veilleur.toml"
    path.write_text(table, encoding="utf-8")
    return path


@pytest.mark.parametrize(("table", "key"), [
    ('[pipeline.transformers.sentiment]\npath = "m"\nlabels = { NEG = "négatif" }\n',
     "pipeline.transformers: Value error, sentiment.labels.NEG: 'négatif' is not a value of sentiment"),
    ('[pipeline.transformers.urgency]\npath = "m"\nlabels = { 0 = "high" }\n', "pipeline.transformers.urgency:"),
    ('[pipeline.transformers.topics]\npath = "m"\nlabels = {}\n', "pipeline.transformers.topics.labels:"),
    ('[pipeline.transformers.intent]\npath = "m"\nlabels = { 0 = "question" }\nbatch_size = 0\n',
     "pipeline.transformers.intent.batch_size:"),
])
def test_wrong_settings_are_refused_at_start(tmp_path, table, key):
    with pytest.raises(ConfigError) as caught:
        get_settings(write_config(tmp_path, table))
    assert key in str(caught.value)


def test_settings_file_with_a_model(tmp_path, models):
    table = (f'[pipeline.transformers.abusive]\npath = "{models["abusive"]}"\nbatch_size = 2\n'
             '[pipeline.transformers.abusive.labels]\nok = false\ntoxic = true\n')
    settings = get_settings(write_config(tmp_path, table))
    assert settings.pipeline.transformers["abusive"].labels == {"ok": "false", "toxic": "true"}
    [result] = analyse(build_pipeline(settings), ["bande d'escrocs"])
    assert isinstance(result["abusive"], bool) and result["details"]["cues"]["abusive"] == ["modèle abusive"]


def test_folder_problems_name_the_path_key(tmp_path, models):
    pickled = tmp_path / "pickled"
    pickled.mkdir()
    (pickled / "config.json").write_text((models["sentiment"] / "config.json").read_text())
    cases = [(tmp_path / "absent", "is not a folder"), (tmp_path, "has no config.json"),
             (pickled, "no .safetensors weights")]
    for path, says in cases:
        with pytest.raises(ConfigError, match=rf"^pipeline\.transformers\.sentiment\.path: .*{re.escape(says)}"):
            TransformerStage("sentiment", TransformerHeadSettings(path=path, labels=SENTIMENT))


def test_a_model_for_a_stage_the_pipeline_does_not_run(models):
    settings = Settings(pipeline={"stages": ["normalize", "features", "sentiment"],
                                  "transformers": {"intent": heads(models)["intent"]}})
    with pytest.raises(ConfigError, match=r"^pipeline\.transformers\.intent: the pipeline has no stage 'intent'"):
        build_pipeline(settings)


def test_without_the_extra_the_error_says_how_to_install_it(models, monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)  # import transformers now raises ImportError
    with pytest.raises(ConfigError, match=r"pip install veilleur\[transformers\]"):
        load_model("sentiment", TransformerHeadSettings(path=models["sentiment"], labels=SENTIMENT))
