"""Cases for the API tests, written straight through the inbox store (independent of intake and routing).

The organisation is ``tests.access.conftest.organisation``: groupe → banque-a → agence-a1, and banque-b.
"""
from __future__ import annotations

from datetime import timedelta

from tests.access.conftest import T0
from tests.factories import doc
from veilleur.core.case import Case, CaseState, ComplaintRecord, Priority
from veilleur.storage import feed
from veilleur.storage import inbox_store as db

USERS = {  # login → (role, entity)
    "cm-a": ("community_manager", "banque-a"),
    "cm-b": ("community_manager", "banque-b"),
    "expert-a": ("expert", "banque-a"),
    "cr-a": ("customer_relations", "banque-a"),
    "com-a": ("communication", "banque-a"),
    "com2-a": ("communication", "banque-a"),
    "comp-a": ("compliance", "banque-a"),
    "admin": ("admin", None),
}
ROLE_USER = {"community_manager": "cm-a", "expert": "expert-a", "customer_relations": "cr-a",
             "communication": "com-a", "compliance": "comp-a", "admin": "admin"}
"""One user of banque-a (or of the group, for admin) per role."""


def add_users(api) -> None:
    for login, (role, entity) in USERS.items():
        api.add(login, role, entity)


def seed_case(store, entity: str, queue: str, *, text: str = "Bonjour, quel est le plafond du LDD ?",
              state: CaseState = CaseState.NEW, tags: tuple[str, ...] = (), intent: str | None = "question",
              assignee: str | None = None, complaint: bool = False) -> int:
    """A case of ``entity`` in ``queue`` with one post; a complaint record too when asked."""
    with store.engine.connect() as conn:
        n = feed.last_post_id(conn) + 1
    store.save([doc(n, text)])
    with store.engine.begin() as conn:
        post = feed.posts_by_id(conn, [feed.last_post_id(conn)])[0]
        case = db.insert_case(conn, Case(
            id=None, state=state, priority=Priority.P3, queue=queue, opened_at=T0 + timedelta(minutes=n),
            conversation_key=f"thread:x:{n}", entity=entity, platform="x", author_handle=post.author_handle,
            tags=list(tags), intent=intent, assignee=assignee, escalated=state == CaseState.ESCALATED,
            post_ids=[post.id]), "test", T0)
        db.add_case_post(conn, case.id, post, None, False)
        if complaint:
            db.insert_complaint(conn, ComplaintRecord(case.id, entity, case.opened_at, T0 + timedelta(days=14),
                                                      T0 + timedelta(days=61), summary=f"réclamation {n}"))
    return case.id


def case_version(store, case_id: int) -> int:
    with store.engine.connect() as conn:
        return db.get_case(conn, case_id).version
