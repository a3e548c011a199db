"""The role matrix and the queues each role works (``access.permissions``, ``access.settings``)."""
from __future__ import annotations

import pytest

from veilleur.access.errors import Forbidden
from veilleur.access.permissions import Action, check, roles_for, work_queues
from veilleur.access.settings import AccessSettings
from veilleur.core.actor import Actor, Role
from veilleur.errors import ConfigError
from veilleur.settings import get_settings

EXPERT = Actor("eva", Role.EXPERT, "banque-a", frozenset({"banque-a"}))
RELATIONS = Actor("chloe", Role.CUSTOMER_RELATIONS)


def test_queues_are_configurable_per_role():
    settings = AccessSettings(work_queues={"expert": ["credit"]})
    check(EXPERT, Action.DRAFT, "credit", settings=settings)
    with pytest.raises(Forbidden, match=r"does not work the queue 'community_managers' \(its queues: credit"):
        check(EXPERT, Action.DRAFT, "community_managers", settings=settings)
    assert work_queues(Role.COMMUNITY_MANAGER, settings) == {"community_managers", "moderation"}  # default kept


def test_customer_relations_work_the_inbox_back_office_queue_whatever_its_name():
    assert "arriere-guichet" in work_queues(Role.CUSTOMER_RELATIONS, AccessSettings(), "arriere-guichet")
    check(RELATIONS, Action.HAND_BACK, "arriere-guichet", settings=AccessSettings(), backoffice_queue="arriere-guichet")


def test_a_role_refused_everywhere_is_told_who_may():
    with pytest.raises(Forbidden, match=r"may not approve \(allowed: communication, compliance, admin\)"):
        check(EXPERT, Action.APPROVE, settings=AccessSettings())
    assert roles_for(Action.FACTS) == (Role.EXPERT, Role.ADMIN)


def test_a_wrong_role_in_the_settings_names_the_key(tmp_path):
    config = tmp_path / "veilleur.toml"
    config.write_text('[access.work_queues]\nboss = ["x"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"access.work_queues: .*unknown role\(s\) boss"):
        get_settings(config)
