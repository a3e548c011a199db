"""Routing rules: order, first match wins, continue, reasons, validation, and the shipped seeds."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veilleur.core.case import Priority
from veilleur.core.labels import Intent
from veilleur.errors import ConfigError
from veilleur.inbox.routing import Router, Subject, parse_rules
from veilleur.inbox.settings import InboxSettings


def subject(text: str = "Bonjour", **fields) -> Subject:
    values = {"text": text, "platform": "x", "intent": "question", "urgency": "normal", "addressed": True}
    values.update(fields)
    return Subject(**values)


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(InboxSettings())


def test_generic_question_goes_to_community_managers_with_a_suggested_answer(router):
    routing = router.route(subject("Quel est le taux du Livret A en ce moment ?"))
    assert (routing.queue, routing.team, routing.priority, routing.rule) == \
        ("community_managers", "community_managers", Priority.P3, "question générale")
    assert routing.actions == ["suggest_answer"]
    assert routing.fired[-1].reasons == ["intent=question"]


def test_account_specific_question_is_escalated_with_the_secure_channel_hand_off(router):
    routing = router.route(subject("Pourquoi mon virement n'est toujours pas arrivé ?"))
    assert (routing.queue, routing.rule) == ("customer_relations", "cas propre au compte")
    assert routing.actions == ["escalate", "secure_handoff"]
    assert "keyword «mon virement»" in routing.fired[-1].reasons


def test_personal_data_is_escalated(router):
    routing = router.route(subject("mon tel 06 12 •• •• 78 rappelez moi", intent="complaint", pii=["phone"]))
    assert routing.rule == "données personnelles publiées" and "escalate" in routing.actions


def test_abuse_is_closed_by_policy_and_vehement_complaint_answered(router):
    abuse = router.route(subject("bande de nuls", intent="abuse", abusive=True, urgency="low"))
    vehement = router.route(subject("putain 3 jours sans appli", intent="complaint", abusive=True))
    assert (abuse.queue, abuse.actions) == ("moderation", ["close_by_policy"])
    assert (vehement.queue, vehement.priority, vehement.actions) == \
        ("community_managers", Priority.P2, ["suggest_answer"])


def test_abuse_intent_without_abusive_words_is_left_to_a_person(router):
    unsure = router.route(subject("@Helios_Aide ah ben chez moi toujours pas 😑", intent="abuse", abusive=False))
    assert (unsure.rule, unsure.queue, unsure.actions) == ("insulte incertaine", "community_managers", [])
    assert "insulte_à_vérifier" in unsure.tags


def test_rumour_goes_to_communication_and_fraud_in_progress_is_p1(router):
    rumour = router.route(subject("Il paraît que la banque va faire faillite", intent="rumor"))
    fraud = router.route(subject("On m'a piraté, des virements partent !", intent="complaint",
                                 topics=["fraud_security"], urgency="high"))
    assert (rumour.queue, rumour.team) == ("communication", "communication")
    assert (fraud.priority, fraud.queue, fraud.rule) == (Priority.P1, "customer_relations", "fraude en cours")
    assert [f.name for f in fraud.fired] == ["urgence", "fraude en cours"]
    assert fraud.tags == ["urgent", "fraude"]


def test_continue_rules_tag_and_raise_priority(router):
    routing = router.route(subject("Question sur le LDD", followers=50_000, journalist=True))
    assert routing.tags == ["presse", "influence", "question"]
    assert routing.actions == ["alert", "suggest_answer"]
    repeat = router.route(subject("Encore un souci de frais", intent="complaint", repeat_complainer=True))
    assert repeat.priority == Priority.P2


def test_information_opens_no_case_and_untagged_questions_are_tagged(router):
    assert router.route(subject("La banque sponsorise le marathon", intent="information")).actions == ["skip"]
    assert "non_adressé" in router.route(subject("la banque répond jamais ?", addressed=False)).tags


def test_keywords_are_accent_and_case_insensitive():
    rules = parse_rules({"inbox": {"rules": [{"name": "k", "when": {"keywords": ["Prélèvement"]}, "queue": "q"}]}},
                        "test")
    router = Router(InboxSettings(), rules)
    assert router.route(subject("un PRELEVEMENT inconnu")).queue == "q"
    assert router.route(subject("prélèvements")).queue == "community_managers"  # whole words only


def test_no_rule_gives_the_default_queue_and_priority_from_urgency():
    router = Router(InboxSettings(), [])
    routing = router.route(subject(urgency="high"))
    assert (routing.queue, routing.priority, routing.rule, routing.explain()) == \
        ("community_managers", Priority.P2, None, "no rule matched: default queue, priority from urgency")


@pytest.mark.parametrize(("rule", "key"), [
    ({"name": "x", "when": {"intent": ["questoin"]}}, "inbox.rules.0.when.intent.0"),
    ({"name": "x", "when": {"colour": "red"}}, "inbox.rules.0.when.colour"),
    ({"name": "x", "priority": "P9"}, "inbox.rules.0.priority"),
    ({"name": "x", "actions": ["reply_rudely"]}, "inbox.rules.0.actions.0"),
    ({"name": "x", "when": {"topics": ["crypto"]}}, "inbox.rules.0.when.topics.0"),
])
def test_unknown_keys_and_values_name_the_key(rule, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_rules({"inbox": {"rules": [rule]}}, "test.toml")


def test_settings_file_rules_errors_name_the_key(tmp_path):
    from veilleur.settings import get_settings
    path = tmp_path / "v.toml"
    path.write_text('[[inbox.rules]]\nname = "a"\nwhen = { urgency = ["soon"] }\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"inbox\.rules\.0\.when\.urgency\.0"):
        get_settings(path)


@given(intent=st.sampled_from(list(Intent)), abusive=st.booleans(), pii=st.booleans(),
       urgency=st.sampled_from(["high", "normal", "low"]), text=st.text(max_size=80))
def test_every_subject_gets_one_placement_with_reasons(router, intent, abusive, pii, urgency, text):
    routing = router.route(subject(text, intent=intent.value, abusive=abusive, pii=["phone"] if pii else [],
                                   urgency=urgency))
    assert sum(f.final for f in routing.fired) <= 1
    assert all(f.reasons for f in routing.fired)
    if intent == Intent.ABUSE:  # closed unseen only when the abusive label agrees
        assert ("close_by_policy" in routing.actions) == abusive
