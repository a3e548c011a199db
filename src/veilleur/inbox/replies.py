"""Replies: drafts checked by the reply policy, four-eyes approval, sending through a ``Replier``.

A draft is checked at once by ``compliance.policy.check_reply`` with the entity's policy; its
findings are kept with it. A draft with a blocking finding cannot be sent (write a new one). A
draft needs a second, different person's approval, with a comment, when the policy warns about it
or the case is sensitive: a rumour, a press or analyst author, an influential author (tags set by
routing: ``rumeur``, ``presse``, ``influence``). ``send`` checks again, goes through the
``Replier`` of the platform (connectors bring real ones later; ``RecordingReplier`` serves the demo
and tests), and marks the case: first response, answered in public (or moved private), complaint
acknowledged. A private reply must be allowed by the platform's rule (``inbox.escalation``).
Every step is journaled: ``case_action`` entries, and ``reply_sent``/``private_message_sent``.

Imports ``core``, ``compliance.policy``, ``storage`` (inbox store, journal), ``inbox`` and ``errors``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from sqlalchemy.engine import Connection

from veilleur.compliance.policy import Finding, check_reply
from veilleur.core.actor import Actor
from veilleur.core.case import Case, CaseState
from veilleur.inbox.cases import Inbox, InboxError, move, record, save
from veilleur.inbox.escalation import PrivateRefused, private_channel, secure_link
from veilleur.storage import inbox_store as db
from veilleur.storage.feed import posts_by_id
from veilleur.storage.journal import NewEntry, append

Channel = Literal["public", "private"]
SENSITIVE_TAGS = {"rumeur": "rumour", "presse": "press or analyst author", "influence": "high-influence author"}
IDENTIFICATION_TAGS = {"canal_sécurisé", "compte", "données_personnelles", "fraude"}
"""Cases with these tags concern the customer's own account (the intake tags ``canal_sécurisé`` when a
rule asks for the ``secure_handoff``): a public reply must carry the secure-channel hand-off."""


class ReplyError(InboxError):
    """A reply cannot be drafted, approved or sent as asked (the message says why)."""


@runtime_checkable
class Replier(Protocol):
    """Sends a reply on a platform and returns the platform's id of the message sent."""

    def send(self, case: Case, text: str, *, channel: Channel = "public", in_reply_to: str | None = None) -> str:
        ...


@dataclass(slots=True)
class RecordingReplier:
    """A replier that sends nothing and remembers what it was given (demo, tests)."""

    sent: list[dict[str, Any]] = field(default_factory=list)

    def send(self, case: Case, text: str, *, channel: Channel = "public", in_reply_to: str | None = None) -> str:
        platform_id = f"recorded-{len(self.sent) + 1}"
        self.sent.append({"case_id": case.id, "platform": case.platform, "channel": channel, "text": text,
                          "in_reply_to": in_reply_to, "platform_id": platform_id})
        return platform_id


def approval_reasons(case: Case, findings: list[Finding], author_facts: list[str] = ()) -> list[str]:
    """Why a second person must approve this reply (empty: no approval needed)."""
    reasons = [why for tag, why in SENSITIVE_TAGS.items() if tag in case.tags] + list(author_facts)
    if case.intent == "rumor" and "rumour" not in reasons:
        reasons.append("rumour")
    reasons += [f"policy warning: {f.code}" for f in findings if f.severity == "warn"]
    return list(dict.fromkeys(reasons))


class Replies(Inbox):
    """Drafting, approving and sending replies on cases."""

    def draft(self, actor: Actor, case_id: int, text: str, channel: Channel = "public") -> dict[str, Any]:
        """Check ``text`` against the policy and keep it as a draft of ``case_id``; returns the reply."""
        if channel not in ("public", "private"):
            raise ReplyError(f"channel must be public or private, not {channel!r}")
        if not text.strip():
            raise ReplyError("a reply needs some text")
        now = self.clock()
        with self.store.engine.begin() as conn:
            case = self._visible(actor, db.get_case(conn, case_id))
            findings = self.check(case, text, channel)
            reasons = approval_reasons(case, findings, self._author_facts(conn, case))
            blocked = any(f.severity == "block" for f in findings)
            state = "blocked" if blocked else "pending_approval" if reasons else "ready"
            reply_id = db.insert_reply(conn, case_id, {
                "state": state, "channel": channel, "in_reply_to": None, "text": text, "author": actor.name,
                "created_at": now, "findings": [asdict(f) for f in findings], "approval_reasons": reasons})
            record(conn, case, actor.name, "reply_drafted", {"reply_id": reply_id, "state": state,
                                                             "findings": [f.code for f in findings]}, now)
            return db.get_reply(conn, reply_id)

    def _author_facts(self, conn: Connection, case: Case) -> list[str]:
        """Press and influence read from the case's posts, whatever the routing rules tagged."""
        settings = self.settings.inbox
        handle = (case.author_handle or "").lstrip("@").lower()
        followers = max((p.author_followers or 0 for p in posts_by_id(conn, case.post_ids)), default=0)
        facts = []
        if handle and handle in {h.lstrip("@").lower() for h in [*settings.journalists, *settings.analysts]}:
            facts.append("press or analyst author")
        if followers >= settings.high_influence_followers:
            facts.append("high-influence author")
        return facts

    def check(self, case: Case, text: str, channel: Channel) -> list[Finding]:
        """The reply policy's findings for ``text`` on ``case`` (the entity's policy)."""
        policy = self.settings.compliance.policy_for(case.entity, self.settings.organisation)
        link = secure_link(self.settings, case.entity)
        if link != policy.secure_channel_link:
            policy = policy.model_copy(update={"secure_channel_link": link})
        needs_identification = bool(IDENTIFICATION_TAGS & set(case.tags)) or case.escalated
        return check_reply(text, channel, {"needs_identification": needs_identification}, policy=policy)

    def decide(self, actor: Actor, reply_id: int, approve: bool, comment: str) -> dict[str, Any]:
        """Approve or reject a reply waiting for a second person (never its author), with a comment."""
        if not comment.strip():
            raise ReplyError("an approval or a rejection needs a comment")
        now = self.clock()
        with self.store.engine.begin() as conn:
            reply = db.get_reply(conn, reply_id)
            case = self._visible(actor, db.get_case(conn, reply["case_id"]))
            if reply["state"] != "pending_approval":
                raise ReplyError(f"reply {reply_id} is {reply['state']}, not waiting for approval")
            if reply["author"] == actor.name:
                raise ReplyError(f"reply {reply_id}: four eyes — {actor.name} wrote it and cannot approve it")
            state = "approved" if approve else "rejected"
            db.update_reply(conn, reply_id, reply["version"], actor.name, {
                "state": state, "approver": actor.name, "approval_comment": comment.strip(), "decided_at": now})
            record(conn, case, actor.name, f"reply_{state}", {"reply_id": reply_id, "comment": comment.strip()}, now)
            return db.get_reply(conn, reply_id)

    def send(self, actor: Actor, reply_id: int, replier: Replier, *, expected_version: int | None = None) -> Case:
        """Send a ready or approved reply; the case is marked answered. Raises ``ReplyError`` otherwise."""
        now = self.clock()
        with self.store.engine.begin() as conn:
            reply = db.get_reply(conn, reply_id)
            case = self._visible(actor, db.get_case(conn, reply["case_id"]))
            if expected_version is not None and expected_version != case.version:
                raise db.CaseConflict("case", case.id, expected_version, case.version, None, case.updated_at)
            self._sendable(reply, case)
            in_reply_to = self._private_target(conn, case, reply, now)
            platform_id = replier.send(case, reply["text"], channel=reply["channel"],
                                       in_reply_to=str(in_reply_to) if in_reply_to else None)
            db.update_reply(conn, reply_id, reply["version"], actor.name, {
                "state": "sent", "sent_at": now, "platform_id": platform_id, "in_reply_to": in_reply_to})
            self._mark_answered(conn, case, reply, actor, now, platform_id)
            return case

    def _sendable(self, reply: dict[str, Any], case: Case) -> None:
        if reply["state"] not in ("ready", "approved"):
            why = {"blocked": "the reply policy blocks it (see its findings); write a new draft",
                   "pending_approval": "it waits for a second person's approval",
                   "rejected": "it was rejected", "sent": "it was already sent"}.get(reply["state"], reply["state"])
            raise ReplyError(f"reply {reply['id']} cannot be sent: {why}")
        if not case.is_open:
            raise ReplyError(f"case {case.id} is closed: reopen it before replying")
        if any(f.severity == "block" for f in self.check(case, reply["text"], reply["channel"])):
            raise ReplyError(f"reply {reply['id']} is now blocked by the reply policy: write a new draft")

    def _private_target(self, conn: Connection, case: Case, reply: dict[str, Any], now: datetime) -> int | None:
        if reply["channel"] != "private":
            return None
        decision = private_channel(conn, case, self.settings, now)
        if not decision.allowed:
            raise PrivateRefused(f"case {case.id}: {decision.why}")
        return decision.in_reply_to

    def _mark_answered(self, conn: Connection, case: Case, reply: dict[str, Any], actor: Actor, now: datetime,
                       platform_id: str) -> None:
        public = reply["channel"] == "public"
        case.first_response_at = case.first_response_at or now
        if public:
            case.answered_in_public = True
        else:
            case.moved_private = True
        if case.state != CaseState.ANSWERED:
            move(case, CaseState.ANSWERED, "answered in public" if public else "answered in private", now)
        db.mark_complaint(conn, case.id, acknowledged_at=now)
        save(conn, case, actor.name, "reply_sent", {"reply_id": reply["id"], "channel": reply["channel"],
                                                    "platform_id": platform_id}, now)
        append(conn, [NewEntry(actor.name, "sent", "reply_sent" if public else "private_message_sent",
                               f"case:{case.id}", {"reply_id": reply["id"], "platform": case.platform,
                                                   "platform_id": platform_id, "approver": reply["approver"]})])
