"""Escalation and hand-back: from community managers to the back office and back, and going private.

The path of domain.md §2 (La Banque Postale, BNP Paribas): a community manager ``escalate``s a
case to the back-office queue (customer relations) with a note giving the context; the back office
reads the ``packet`` (the case, its posts and notes, all masked of personal data — posts are
stored masked, notes are masked when written), then either ``record_contact`` (it reached the
customer outside social media: the case is answered, handled privately) or ``hand_back`` the
elements of an answer to the community managers, who publish (``inbox.replies``) and close.

Moving a public conversation to private follows each platform's rule, modelled as data in
``PRIVATE_CHANNELS``: Facebook allows one private reply per public comment within 7 days; X a
direct message only when the user accepts them (``inbox.open_x_dms``); Instagram, app stores,
review sites and the rest have no private channel usable by the bank, so the customer gets the
secure-channel link. ``private_channel`` says yes or no, and why.

Imports ``core``, ``storage`` (inbox store, feed), ``inbox`` and ``errors``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from veilleur.core.actor import Actor
from veilleur.core.case import Case, CaseEvent, CaseNote, CaseState
from veilleur.inbox import assignment
from veilleur.inbox.cases import Inbox, InboxError, mask_personal_data, move
from veilleur.storage import inbox_store as db
from veilleur.storage.feed import AnalysedPost, posts_by_id


@dataclass(frozen=True, slots=True)
class PrivateChannel:
    """How a platform lets the bank answer privately a public message (None kind: it does not)."""

    kind: str | None  # "private_reply", "dm", or None
    per_public_post: int | None = None  # private replies allowed per public comment
    within_days: int | None = None  # ... within this many days of the comment
    needs_open_dms: bool = False  # the user must accept direct messages (or follow the account)


PRIVATE_CHANNELS: dict[str, PrivateChannel] = {
    "facebook": PrivateChannel("private_reply", per_public_post=1, within_days=7),
    "x": PrivateChannel("dm", needs_open_dms=True),
    "bluesky": PrivateChannel("dm", needs_open_dms=True),
    "mastodon": PrivateChannel("dm"),
    "instagram": PrivateChannel(None),
    "linkedin": PrivateChannel(None),
    "app_store": PrivateChannel(None),
    "google_play": PrivateChannel(None),
    "trustpilot": PrivateChannel(None),
}
"""Per platform, how a conversation may go private; platforms not listed have no private channel."""


@dataclass(frozen=True, slots=True)
class PrivateDecision:
    allowed: bool
    channel: str | None
    why: str
    in_reply_to: int | None = None  # the public post answered privately


class PrivateRefused(InboxError):
    """The platform's rule does not allow a private message here (the message says why)."""


@dataclass(slots=True)
class EscalationPacket:
    """What the back office sees of an escalated case: personal data masked everywhere."""

    case: Case
    posts: list[AnalysedPost]
    notes: list[CaseNote]
    history: list[CaseEvent]


def private_channel(conn: Connection, case: Case, settings: Any, now: datetime) -> PrivateDecision:
    """Whether ``case`` may continue in private on its platform now, and why (not)."""
    rule = PRIVATE_CHANNELS.get(case.platform or "", PrivateChannel(None))
    link = secure_link(settings, case.entity)
    if rule.kind is None:
        return PrivateDecision(False, None, f"{case.platform} offers no private channel: send the secure-channel "
                                            f"link ({link})")
    if rule.needs_open_dms and (case.author_handle or "").lstrip("@").lower() not in \
            {h.lstrip("@").lower() for h in settings.inbox.open_x_dms}:
        return PrivateDecision(False, None, f"{case.author_handle} does not accept direct messages on {case.platform}: "
                                            f"ask them to follow or open DMs, or send the secure-channel link ({link})")
    if rule.per_public_post is None:
        return PrivateDecision(True, rule.kind, f"{case.platform} allows a direct message")
    posts = [p for p in posts_by_id(conn, case.post_ids) if p.platform == case.platform and
             (p.author_handle or "").lower() == (case.author_handle or "").lower()]
    for post in reversed(posts):
        if now - post.created_at > timedelta(days=rule.within_days or 0):
            continue
        if db.private_replies_to(conn, post.id) < rule.per_public_post:
            return PrivateDecision(True, rule.kind, f"one private reply to comment {post.external_id} "
                                                    f"(within {rule.within_days} days)", post.id)
    return PrivateDecision(False, None, f"{case.platform} allows {rule.per_public_post} private reply per public "
                                        f"comment within {rule.within_days} days: none left, send the secure-channel "
                                        f"link ({link})")


def secure_link(settings: Any, entity: str | None) -> str:
    """The secure-channel link of hand-offs: ``inbox.secure_channel_link``, else the entity's policy's."""
    if settings.inbox.secure_channel_link:
        return settings.inbox.secure_channel_link
    return settings.compliance.policy_for(entity, settings.organisation).secure_channel_link


class Escalations(Inbox):
    """The escalation path's actions (an ``Inbox`` with the back office's verbs)."""

    def escalate(self, actor: Actor, case_id: int, context: str, *, expected_version: int | None = None) -> Case:
        """Send the case to the back-office queue with a (masked) context note; round robin there."""
        if not context.strip():
            raise InboxError("say why the case is escalated (the back office reads it first)")
        settings = self.settings.inbox

        def change(case: Case, now: datetime) -> dict[str, Any]:
            from_queue = case.queue
            move(case, CaseState.ESCALATED, "escalated to the back office", now)
            case.queue, case.team, case.assignee = settings.backoffice_queue, settings.backoffice_team, None
            return {"from_queue": from_queue, "to_queue": case.queue}

        def then(conn: Connection, case: Case, now: datetime) -> None:
            self.add_note(conn, case, actor.name, f"[escalade] {context}", now)
            assignment.offer(conn, case, settings, now, actor.name)
        return self._act(actor, case_id, "escalated", change, expected_version, then)

    def packet(self, actor: Actor, case_id: int) -> EscalationPacket:
        case, history, notes = self.history(actor, case_id)
        with self.store.engine.connect() as conn:
            posts = posts_by_id(conn, case.post_ids)
        return EscalationPacket(case, posts, notes, history)

    def record_contact(self, actor: Actor, case_id: int, how: str, *, expected_version: int | None = None) -> Case:
        """The back office reached the customer outside social media (phone, branch, secure messaging)."""
        if not how.strip():
            raise InboxError("say how the customer was contacted (phone, branch, secure messaging...)")
        previous = self._previous_agent(case_id)

        def change(case: Case, now: datetime) -> dict[str, Any]:
            if case.state != CaseState.ESCALATED:
                raise InboxError(f"case {case.id} is {case.state.value}, not escalated: nothing to report back")
            move(case, CaseState.ANSWERED, "contacted outside social media", now)
            case.moved_private = True
            case.queue, case.team = self.settings.inbox.default_queue, self.settings.inbox.default_team
            case.assignee = previous
            return {"how": mask_personal_data(how.strip())}
        return self._act(actor, case_id, "contacted_privately", change, expected_version)

    def hand_back(self, actor: Actor, case_id: int, elements: str, *, expected_version: int | None = None) -> Case:
        """Return the elements of an answer to the community managers, who publish and close."""
        if not elements.strip():
            raise InboxError("the hand-back needs the elements of the answer")
        previous = self._previous_agent(case_id)

        def change(case: Case, now: datetime) -> dict[str, Any]:
            if case.state != CaseState.ESCALATED:
                raise InboxError(f"case {case.id} is {case.state.value}, not escalated: nothing to hand back")
            inbox = self.settings.inbox
            case.queue, case.team, case.assignee = inbox.default_queue, inbox.default_team, previous
            move(case, CaseState.ASSIGNED if previous else CaseState.NEW, "handed back with an answer", now)
            return {"to_queue": case.queue, "assignee": previous}

        def then(conn: Connection, case: Case, now: datetime) -> None:
            self.add_note(conn, case, actor.name, f"[éléments de réponse] {elements}", now)
        return self._act(actor, case_id, "handed_back", change, expected_version, then)

    def go_private(self, actor: Actor, case_id: int) -> PrivateDecision:
        """Check the platform's rule for a private message; raises ``PrivateRefused`` with the reason."""
        with self.store.engine.connect() as conn:
            case = self._visible(actor, db.get_case(conn, case_id))
            decision = private_channel(conn, case, self.settings, self.clock())
        if not decision.allowed:
            raise PrivateRefused(f"case {case_id}: {decision.why}")
        return decision

    def _previous_agent(self, case_id: int) -> str | None:
        """The community manager who had the case before it went up (they publish the answer)."""
        with self.store.engine.connect() as conn:
            history = db.events(conn, case_id)
        backoffice = {a.login for a in self.settings.inbox.agents if a.team == self.settings.inbox.backoffice_team}
        for event in reversed(history):
            who = event.details.get("assignee") if event.action == "assigned" else None
            if who and who not in backoffice:
                return who
        return None
