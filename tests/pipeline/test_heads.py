"""The shipped analysis heads on hard French cases written by the team (not from any corpus)."""
from __future__ import annotations

import pytest

from tests.factories import analysed_texts
from veilleur.core.labels import LABEL_NAMES
from veilleur.pipeline.factory import build_pipeline
from veilleur.settings import Settings


@pytest.fixture(scope="module")
def analyse():
    pipeline = build_pipeline(Settings())

    return lambda *texts: analysed_texts(texts, pipeline)


@pytest.mark.parametrize(("text", "sentiment"), [
    ("Bravo la banque, 3 jours sans carte 👏", "negative"),  # sarcasm
    ("Merci @SG_Vous, ma carte est arrivée en 48h, service impeccable 🙏", "positive"),
    ("Jamais eu le moindre souci avec mon conseiller, franchement rien à redire", "positive"),  # negation
    ("toujours pas recu mon virement depuis lundi, c'est inadmissible", "negative"),
    ("Quel est le plafond du LDD en 2026 ?", "neutral"),
    ("C NUL CETTE APPLI ELLE PLANTE TOUT LE TEMPS", "negative"),  # caps, SMS spelling
])
def test_sentiment_of_hard_cases(analyse, text, sentiment):
    [result] = analyse(text)
    assert result["sentiment"] == sentiment, result["details"]["cues"].get("sentiment")


@pytest.mark.parametrize(("text", "sentiment"), [
    ("La pollution menace les récifs coralliens, alerte un rapport", "negative"),  # a judging word (S3)
    ("Le Sénat examine le projet de loi mardi prochain", "neutral"),  # a plain fact
    ("Enfin une bonne nouvelle : le chômage recule pour le troisième trimestre", "positive"),
    ("Génial, encore un lundi sous la pluie et le RER en panne 🙃", "negative"),  # irony
    ("pas mal du tout ce film, je m'attendais à pire", "positive"),  # negation
])
def test_sentiment_of_posts_about_no_bank(analyse, text, sentiment):
    [result] = analyse(text)
    assert result["bank"] is None
    assert result["sentiment"] == sentiment, result["details"]["cues"].get("sentiment")


@pytest.mark.parametrize(("text", "intent"), [
    ("Comment faire opposition sur ma carte un dimanche ?", "question"),
    ("Ça fait 3 semaines que j'attends le remboursement de la fraude, personne ne répond @BNPParibas", "complaint"),
    ("Il paraît que la Caisse d'Épargne va fermer 200 agences l'an prochain, quelqu'un confirme ?", "rumor"),
    ("Ce serait top de pouvoir bloquer temporairement sa carte depuis l'appli Boursorama", "suggestion"),
    ("La Société Générale recrute 300 conseillers en alternance, postulez ici", "information"),
])
def test_intent_of_hard_cases(analyse, text, intent):
    [result] = analyse(text)
    assert result["intent"] == intent, result["details"]["cues"].get("intent")


def test_abuse_and_urgency(analyse):
    insult, fraud, praise = analyse(
        "bande d'escrocs de merde, allez tous vous faire foutre",
        "URGENT on vient de vider mon compte, 3 paiements frauduleux ce matin, ma carte est encore active !!",
        "Super accueil à l'agence de Nantes, merci à Julie pour sa patience",
    )
    assert insult["abusive"] is True and insult["urgency"] == "low"
    assert fraud["urgency"] == "high" and "fraud_security" in fraud["topics"]
    assert praise["abusive"] is False and praise["urgency"] == "low" and praise["intent"] == "praise"


def test_harsh_criticism_alone_is_not_abusive(analyse):
    [result] = analyse("Ces frais de tenue de compte c'est de l'arnaque pure et simple")
    assert result["abusive"] is False


def test_urgency_follows_the_rule_of_labels_md(analyse):
    results = analyse("Merci pour votre aide !", "Vous devriez proposer un livret pour les enfants",
                      "Nouvelle agence inaugurée à Lyon ce matin",
                      "ma carte est bloquée à l'étranger, je fais comment ??")
    for r in results:
        if r["intent"] in ("praise", "information", "other", "abuse"):
            assert r["urgency"] == "low"
        if r["intent"] in ("rumor", "suggestion"):
            assert r["urgency"] == "normal"
        if r["urgency"] == "high":
            assert r["intent"] in ("question", "complaint")


def test_every_label_has_scores_and_cues_short_enough_to_show(analyse):
    [result] = analyse("Bravo @SG_Vous, toujours pas de carte après 3 semaines 👏")
    assert set(LABEL_NAMES) <= set(result)
    scores, cues = result["details"]["scores"], result["details"]["cues"]
    for label in ("sentiment", "intent", "topics", "abusive", "urgency"):
        assert label in scores
    assert 0 < len(cues["sentiment"]) <= 4
    assert all(len(c) < 40 for c in cues["sentiment"])
    assert abs(sum(scores["sentiment"].values()) - 1) < 0.01


def test_same_text_same_labels(analyse):
    first, second = analyse("L'appli plante encore, bravo 👏", "L'appli plante encore, bravo 👏")
    assert first == second


def test_irony_is_a_cue_only_when_it_pushed_the_label(analyse):
    # praise words raise the irony flag either way; the inbox shows "ironie ?" only beside sarcasm
    sincere, sarcastic = analyse("super banque, je recommande", "Bravo la banque, 3 jours sans carte 👏")
    assert sincere["sentiment"] == "positive"
    assert "ironie ?" not in sincere["details"]["cues"]["sentiment"]
    assert "ironie ?" not in sincere["details"]["cues"]["intent"]
    assert sarcastic["sentiment"] == "negative"
    assert "ironie ?" in sarcastic["details"]["cues"]["sentiment"]


def test_a_word_is_shown_once_among_the_cues(analyse):
    # the lexicon's "'top' +" and the model's n-gram "'top'" are one reason, not two
    for result in analyse("Top la réactivité", "super banque, je recommande", "rien à redire, nickel"):
        for label in ("sentiment", "intent"):
            words = [c[1:c.rindex("'")] if c.startswith("'") else c for c in result["details"]["cues"][label]]
            assert len(words) == len(set(words)), result["details"]["cues"][label]
