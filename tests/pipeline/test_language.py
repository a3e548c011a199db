"""The language stage: short French posts, other languages, the platform's tag, the prior."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from veilleur.core.post import Platform, Post
from veilleur.errors import ConfigError
from veilleur.pipeline.base import Pipeline, make_doc
from veilleur.pipeline.language import DetectLanguage
from veilleur.pipeline.normalize import Normalize
from veilleur.settings import LanguageSettings, Settings


@pytest.fixture(scope="module")
def stage() -> DetectLanguage:
    return DetectLanguage()


@pytest.fixture(scope="module")
def pipeline(stage) -> Pipeline:
    return Pipeline([Normalize(), stage])


def language_of(pipeline: Pipeline, text: str, tag: str | None = None) -> str | None:
    doc = make_doc(Post(platform=Platform.X, external_id="1", text=text, language=tag,
                        created_at=datetime(2026, 1, 1, tzinfo=UTC)))
    assert pipeline.run([doc]) == []
    return doc.analysis.language


@pytest.mark.parametrize("text", [
    "Ma carte est bloquée depuis trois jours, personne ne répond au téléphone, c'est inadmissible",
    "Bravo la banque, 3 jours sans carte 👏",
    "merci",
    "bonjour",
    "trop bien",
    "mdr c nul",
    "slt jai pa recu ma cb",
    "jsp pk mon virement est bloqué",
    "wesh ma cb marche pa",
    "@SG_Vous #CarteBloquée",
])
def test_french_including_short_posts_and_sms_spelling(pipeline, text):
    assert language_of(pipeline, text) == "fr"


@pytest.mark.parametrize(("text", "code"), [
    ("My card was blocked again, terrible service", "en"),
    ("good morning everyone", "en"),
    ("thanks", "en"),
    ("Mi tarjeta está bloqueada desde ayer", "es"),
    ("Gracias por todo", "es"),
    ("Meine Karte ist seit gestern gesperrt", "de"),
    ("Danke schön", "de"),
])
def test_other_languages(pipeline, text, code):
    assert language_of(pipeline, text) == code


def test_platform_tag_wins_a_near_tie(pipeline):
    assert language_of(pipeline, "top") != "en"  # alone, the detector hesitates...
    assert language_of(pipeline, "top", "en") == "en"  # ...and the platform's tag settles it
    assert language_of(pipeline, "hola", "pt") == "pt"


@pytest.mark.parametrize("tag", ["fr", "fr-FR", "FR"])
def test_platform_tag_not_trusted_alone(pipeline, tag):
    assert language_of(pipeline, "Mi tarjeta está bloqueada desde ayer", tag) == "es"
    assert language_of(pipeline, "My card was blocked again, terrible service", tag) == "en"


def test_prior_wins_a_near_tie_when_there_is_no_tag(stage):
    code, _ = stage.detect("slt jai pa recu ma cb")
    assert code == "fr"
    english_prior = DetectLanguage(LanguageSettings(prior="en"))
    assert english_prior.detect("super appli")[0] == "en"


def test_unknown_platform_tag_ignored(pipeline):
    assert language_of(pipeline, "merci beaucoup pour votre aide", "und") == "fr"


@pytest.mark.parametrize("tag", [None, "fr", "en"])
@pytest.mark.parametrize("text", ["😀😀👍", "@SG_Vous @BNPParibas", "@SG_Vous 😡 https://t.co/x", "", "ok", "123 456"])
def test_no_language_without_enough_letters(pipeline, text, tag):
    assert language_of(pipeline, text, tag) is None


@pytest.mark.parametrize("text", ["你好世界你好", "Привет как дела"])
def test_no_language_for_a_script_none_of_the_languages_use(pipeline, text):
    assert language_of(pipeline, text, "fr") is None


def test_confidence_recorded(pipeline):
    doc = make_doc(Post(platform=Platform.X, external_id="1", text="Meine Karte ist seit gestern gesperrt",
                        created_at=datetime(2026, 1, 1, tzinfo=UTC)))
    pipeline.run([doc])
    assert 0.5 < doc.analysis.scores["language"] <= 1.0


def test_unknown_language_code_is_a_config_error():
    with pytest.raises(ConfigError, match=r"language\.languages.*'xx'"):
        DetectLanguage(LanguageSettings(languages=["fr", "xx"]))


def test_a_single_language_is_a_config_error():
    with pytest.raises(ConfigError, match=r"language\.languages"):
        DetectLanguage(LanguageSettings(languages=["fr"]))


def test_from_settings_uses_the_language_section():
    stage = DetectLanguage.from_settings(Settings(language={"languages": ["fr", "en"], "prior": "en"}))
    assert stage.settings.prior == "en"
    assert stage.detect("Mi tarjeta está bloqueada desde ayer")[0] in {"fr", "en"}


@pytest.mark.parametrize("text", [
    "virement instantané gratuit via appli mobile http",
    "la banque finance des centrales à charbon en Inde http",
])
def test_a_sure_but_wrong_fast_pass_is_checked_by_the_slow_pass(stage, text):
    # lingua's low-accuracy mode is over 0.9 sure these are Portuguese
    assert stage.detect(text)[0] == "fr"
