"""Phishing waves: reports of fraudulent messages about one bank by distinct authors, early and explained."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.analytics.support import MONDAY, post
from veilleur.analytics.settings import PhishingSettings
from veilleur.analytics.signals.base import observe
from veilleur.analytics.signals.phishing import PhishingDetector, is_report
from veilleur.core.alert import AlertKind, Severity


@pytest.mark.parametrize("text", [
    'Reçu un SMS "KIVO : votre compte est suspendu, réactivez-le ici"',
    "c'est vous qui envoyez des SMS ? Le lien a l'air bizarre",
    "Attention arnaque !! mail soi-disant de la banque, ne cliquez pas",
    "Encore une campagne de phishing aux couleurs de Kivo",
    "un faux conseiller m'a appelé pour valider un virement",
])
def test_reports_of_fraudulent_messages_are_recognised(text):
    assert is_report(text)


@pytest.mark.parametrize("text", [
    "Mon virement SEPA n'est toujours pas arrivé",
    "J'ai reçu un SMS de confirmation pour mon rendez-vous, parfait",
    "Le site est lent ce matin",
])
def test_everyday_posts_are_not_reports(text):
    assert not is_report(text)


def reports(*minutes_and_authors, text='SMS "compte suspendu" reçu, cliquez sur le lien : arnaque'):
    return [observe(post(MONDAY + timedelta(minutes=m), text, handle=a, bank="Kivo")) for m, a in minutes_and_authors]


def test_two_distinct_reporters_within_the_window_fire_once_explained():
    detector = PhishingDetector(PhishingSettings())
    fired = [f for obs in reports((0, "a"), (5, "a"), (16, "b"), (17, "c")) for f in detector.observe(obs)]
    assert len(fired) == 1  # not the same author twice; once fired, it does not refire within 5 minutes
    (firing,) = fired
    assert firing.kind == AlertKind.PHISHING_WAVE and firing.subject == "bank=Kivo|phishing"
    assert firing.severity == Severity.WARNING and firing.at == MONDAY + timedelta(minutes=16)
    assert firing.explanation.observed == 2 and firing.explanation.threshold == 2 and len(firing.post_ids) == 3


def test_reports_too_far_apart_do_not_fire():
    detector = PhishingDetector(PhishingSettings(window_minutes=60))
    assert [f for obs in reports((0, "a"), (61, "b")) for f in detector.observe(obs)] == []


def test_a_declared_victim_makes_it_critical():
    detector = PhishingDetector(PhishingSettings())
    detector.observe(reports((0, "a"))[0])
    (firing,) = detector.observe(reports((3, "b"), text="J'AI CLIQUÉ sur le lien du SMS, j'ai mis mon code")[0])
    assert firing.severity == Severity.CRITICAL and "1 victime" in firing.title


def test_the_banks_own_accounts_warn_but_do_not_report():
    detector = PhishingDetector(PhishingSettings(), official=frozenset({"kivo_help"}))
    fired = [f for obs in reports((0, "a"), (3, "Kivo_Help")) for f in detector.observe(obs)]
    assert fired == []


def test_a_debunk_of_a_viral_message_is_not_a_phishing_report():
    assert not is_report('FAUX : "Hélios en difficulté, retirez votre argent". Le message viral ne repose sur rien')
