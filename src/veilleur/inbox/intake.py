"""Intake: analysed posts open, update or reopen cases, incrementally, behind a cursor.

``Intake.sync`` reads the feed (``storage.feed.analysed_posts``) after the last post id handled and,
per page, in one transaction: places each post in a case, journals what it did, and moves the
cursor. A crash replays at most the page that was not committed; a post already in a case is
never added twice. Which case a post joins, in this order:

1. a post of the bank's own accounts (``organisation.entities[].accounts``) is the bank's reply:
   it marks its thread's case answered in public (first response, answer time), opens nothing;
2. posts about no bank of the organisation (competitors, other banks) are left to the watch;
3. the same author with the same normalised text within ``crosspost_window_hours`` (a duplicate or
   a cross-post on another platform) joins that case;
4. a platform thread (``conversation_id``) or a reply to a post already in a case joins that case;
5. otherwise the author's open case about the same entity within ``author_window_hours``.

A closed case that a new customer message reaches within ``reopen_days`` is reopened rather than a
new case opened. A new case is routed (``inbox.routing``); a ``skip`` action opens none. New cases
get SLA due times (``inbox.sla`` over the entity's ``BusinessCalendar``), a complaint record with
the ACPR clocks when the intent is ``complaint``, are closed by policy or escalated as the rule
says, then offered to the round robin of their team (``inbox.assignment``).

Imports ``core``, ``storage`` (feed, inbox store, journal), ``pipeline.text``, ``inbox``.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from veilleur.core.case import Case, CaseState, CloseReason, ComplaintRecord
from veilleur.core.labels import NO_ANSWER_INTENTS
from veilleur.inbox import assignment
from veilleur.inbox.calendar import Calendars
from veilleur.inbox.cases import move, record, save
from veilleur.inbox.complaints import complaint_clocks
from veilleur.inbox.crm import CrmLink, StaticCrmLink
from veilleur.inbox.routing import Router, Routing, Subject
from veilleur.inbox.sla import due_times
from veilleur.pipeline.text import HANDLE, URL, fold
from veilleur.storage import inbox_store as db
from veilleur.storage.feed import AnalysedPost, analysed_posts

ACTOR = "system:inbox"
SECURE_TAG = "canal_sécurisé"  # the rule asked for the secure-channel hand-off: public replies must carry it
MIN_FINGERPRINT_CHARS = 20  # shorter texts ("merci !") are too common to mean a duplicate


@dataclass(slots=True)
class IntakeReport:
    """What one ``sync`` did."""

    read: int = 0
    opened: int = 0
    joined: int = 0
    reopened: int = 0
    bank_replies: int = 0
    skipped: int = 0  # routed to "skip": no case
    ignored: int = 0  # not about the organisation's banks
    last_post_id: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)


def fingerprint(text: str) -> str | None:
    """A hash of the text without links, handles, accents, case and punctuation; None if too short."""
    words = re.findall(r"\w+", fold(HANDLE.sub(" ", URL.sub(" ", text))))
    normalised = " ".join(words)
    if len(normalised) < MIN_FINGERPRINT_CHARS:
        return None
    return hashlib.sha256(normalised.encode()).hexdigest()[:32]


AlertHook = Callable[[Connection, Case, Routing, AnalysedPost], None]
"""Called for a new case whose routing has the ``alert`` action (the worker raises a watch alert)."""


class Intake:
    """Turns the feed of analysed posts into cases. ``clock`` gives the journal's time."""

    def __init__(self, store: Any, settings: Any, *, crm: CrmLink | None = None, router: Router | None = None,
                 clock: Callable[[], datetime] | None = None, on_alert: AlertHook | None = None):
        self.store, self.settings, self.inbox = store, settings, settings.inbox
        self.on_alert = on_alert
        self.crm = crm or StaticCrmLink.from_settings(settings.inbox)
        self.router = router or Router(settings.inbox)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.calendars = Calendars(settings.service_levels, settings.organisation)
        organisation = settings.organisation
        self.owned = organisation.owned_handles()
        self.entity_ids = {e.id for e in organisation.entities}
        self.brand_entity = {e.brand: e.id for e in organisation.entities if e.brand}
        self.own_brands = {b.name for b in organisation.brands if b.kind == "own"} | set(self.brand_entity)
        self.press = {h.lstrip("@").lower() for h in [*self.inbox.journalists, *self.inbox.analysts]}

    def sync(self, limit: int | None = None, progress: Callable[[int], None] | None = None) -> IntakeReport:
        """Handle every analysed post after the cursor (at most ``limit``), one page per transaction."""
        report = IntakeReport()
        while limit is None or report.read < limit:
            size = self.inbox.batch_size if limit is None else min(self.inbox.batch_size, limit - report.read)
            with self.store.engine.begin() as conn:
                posts = analysed_posts(conn, db.lock_cursor(conn), size)
                if not posts:
                    break
                for post in posts:
                    self.take(conn, post, report)
                report.read += len(posts)
                report.last_post_id = posts[-1].id
                db.set_cursor(conn, posts[-1].id, self.clock())
            if progress is not None:
                progress(len(posts))
        return report

    # -- one post ----------------------------------------------------------------------------------
    def take(self, conn: Connection, post: AnalysedPost, report: IntakeReport) -> None:
        handle = (post.author_handle or "").lstrip("@").lower()
        if (post.platform, handle) in self.owned:
            report.bank_replies += self._bank_reply(conn, post)
            return
        thread_case = self._thread_case(conn, post)
        if thread_case is None and not self._concerns_us(post) and not self._inherits_thread(conn, post):
            report.ignored += 1
            return
        print_ = fingerprint(post.text)
        existing = thread_case or self._duplicate_or_window(conn, post, print_)
        if existing is not None and self._join(conn, existing, post, print_, report):
            return
        self._open(conn, post, print_, report)

    def _concerns_us(self, post: AnalysedPost) -> bool:
        return post.entity in self.entity_ids or post.bank in self.own_brands

    def _inherits_thread(self, conn: Connection, post: AnalysedPost) -> bool:
        """A post in a thread where another customer has a case ("pareil pour moi") is about that bank too."""
        if not post.conversation_id:
            return False
        other = db.latest_case_by_key(conn, f"thread:{post.platform}:{post.conversation_id}:")
        if other is None:
            return False
        post.bank, post.entity = other.bank, other.entity  # this read-only copy only: the analysis is unchanged
        return True

    def entity_of(self, post: AnalysedPost) -> str | None:
        if post.entity in self.entity_ids:
            return post.entity
        return self.brand_entity.get(post.bank or "")

    def key_of(self, post: AnalysedPost) -> str:
        """The conversation key: the platform thread and the author (several customers comment one thread),
        else the author and entity."""
        handle = (post.author_handle or "?").lstrip("@").lower()
        if post.conversation_id:
            return f"thread:{post.platform}:{post.conversation_id}:{handle}"
        return f"author:{post.platform}:{handle}:{self.entity_of(post) or '-'}"

    def _thread_case(self, conn: Connection, post: AnalysedPost, *, from_bank: bool = False) -> Case | None:
        """The case of the post this one replies to (the same customer's, or any for the bank), else of
        the customer's thread; for the bank without a reply target, the thread's latest open case."""
        if post.reply_to_id:
            case_id = db.case_of_external_post(conn, post.platform, post.reply_to_id)
            if case_id is not None:
                case = db.get_case(conn, case_id)
                if from_bank or (case.author_handle or "").lower() == (post.author_handle or "").lower():
                    return case
        if post.conversation_id and from_bank:
            return db.latest_case_by_key(conn, f"thread:{post.platform}:{post.conversation_id}:", open_only=True)
        if post.conversation_id:
            return db.latest_case_by_key(conn, self.key_of(post))
        return None

    def _duplicate_or_window(self, conn: Connection, post: AnalysedPost, print_: str | None) -> Case | None:
        if print_ and post.author_handle:
            since = post.created_at - timedelta(hours=self.inbox.crosspost_window_hours)
            case_id = db.case_of_fingerprint(conn, post.author_handle, print_, since)
            if case_id is not None:
                return db.get_case(conn, case_id)
        case = db.latest_case_by_key(conn, self.key_of(post))
        if case is None or not case.is_open:
            return case  # a closed one may be reopened
        last = case.last_customer_at or case.opened_at
        return case if post.created_at - last <= timedelta(hours=self.inbox.author_window_hours) else None

    def _join(self, conn: Connection, case: Case, post: AnalysedPost, print_: str | None,
              report: IntakeReport) -> bool:
        """Add a customer post to ``case`` (reopening it if closed recently); False: open a new case."""
        reopen_limit = timedelta(days=self.inbox.reopen_days)
        if not case.is_open and (case.closed_at is None or post.created_at - case.closed_at > reopen_limit):
            return False
        if not db.add_case_post(conn, case.id, post, print_, from_bank=False):
            return True  # replayed page: already there
        routing = self.router.route(self.subject(conn, post))
        # thanks, news, insults: no answer expected, so they never reopen work (labels.md's low urgency)
        needs_work = "skip" not in routing.actions and post.intent not in NO_ANSWER_INTENTS
        action, details = "post_added", {"post_id": post.id}
        back_to = CaseState.ASSIGNED if case.assignee else CaseState.NEW
        if not case.is_open and needs_work:
            move(case, back_to, "reopened: the customer wrote again", post.created_at)
            action, report.reopened = "reopened", report.reopened + 1
        else:
            report.joined += 1
            if needs_work and case.state in (CaseState.WAITING_CUSTOMER, CaseState.ANSWERED):
                move(case, back_to, "the customer wrote again", post.created_at)
        if needs_work and routing.priority.rank < case.priority.rank:
            details["priority"] = {"from": case.priority.value, "to": routing.priority.value}
            case.priority = routing.priority
        if needs_work:
            case.tags = list(dict.fromkeys([*case.tags, *routing.tags]))
        case.last_customer_at = max(case.last_customer_at or post.created_at, post.created_at)
        save(conn, case, ACTOR, action, details, post.created_at, self.clock())
        return True

    def _bank_reply(self, conn: Connection, post: AnalysedPost) -> int:
        case = self._thread_case(conn, post, from_bank=True)
        if case is None or not case.is_open or not db.add_case_post(conn, case.id, post, None, from_bank=True):
            return 0
        details = {"post_id": post.id, "account": post.author_handle}
        case.answered_in_public = True
        if case.state == CaseState.ESCALATED or case.state == CaseState.ANSWERED:
            case.first_response_at = case.first_response_at or post.created_at  # a holding answer
        else:
            move(case, CaseState.ANSWERED, "answered in public by the bank's account", post.created_at)
        db.mark_complaint(conn, case.id, acknowledged_at=post.created_at)
        save(conn, case, ACTOR, "bank_reply_seen", details, post.created_at, self.clock())
        return 1

    # -- a new case ------------------------------------------------------------------------------
    def subject(self, conn: Connection, post: AnalysedPost) -> Subject:
        """What the routing rules look at for this post, with the facts about its author."""
        handle = (post.author_handle or "").lstrip("@").lower()
        since = post.created_at - timedelta(days=self.inbox.repeat_complainer_days)
        repeat = bool(handle) and db.complaint_cases_of(conn, post.author_handle, since) >= \
            self.inbox.repeat_complainer_cases
        return Subject(
            text=post.text, platform=post.platform, intent=post.intent, topics=post.topics, urgency=post.urgency,
            sentiment=post.sentiment, abusive=post.abusive, pii=post.pii, language=post.language, bank=post.bank,
            entity=self.entity_of(post), author_handle=post.author_handle, followers=post.author_followers,
            verified=post.author_verified, addressed=self.addressed(post), journalist=handle in self.press,
            known_customer=bool(handle) and self.crm.lookup(handle, post.platform) is not None,
            repeat_complainer=repeat)

    def addressed(self, post: AnalysedPost) -> bool:
        """Whether the post tags one of the bank's accounts (the others concern it without telling it)."""
        mentioned = {h.lstrip("@").lower() for h in post.details.get("handles") or []}
        mentioned |= {m.lower() for m in HANDLE.findall(post.text)}
        return any((post.platform, h) in self.owned for h in mentioned) or bool(post.reply_to_id)

    def _open(self, conn: Connection, post: AnalysedPost, print_: str | None, report: IntakeReport) -> None:
        routing = self.router.route(self.subject(conn, post))
        if "skip" in routing.actions:
            report.skipped += 1
            return
        case = self._new_case(post, routing)
        db.insert_case(conn, case, ACTOR, post.created_at)
        db.add_case_post(conn, case.id, post, print_, from_bank=False)
        record(conn, case, ACTOR, "opened", {"post_id": post.id, **routing.to_dict()}, post.created_at, self.clock())
        report.opened += 1
        report.by_rule[routing.rule or "(default)"] = report.by_rule.get(routing.rule or "(default)", 0) + 1
        if case.intent == "complaint":
            self._complaint(conn, case, post)
        self._apply_actions(conn, case, routing, post)

    def _new_case(self, post: AnalysedPost, routing: Routing) -> Case:
        entity = self.entity_of(post)
        handle = post.author_handle
        tags = [*routing.tags, SECURE_TAG] if "secure_handoff" in routing.actions else list(routing.tags)
        case = Case(id=None, state=CaseState.NEW, priority=routing.priority, queue=routing.queue,
                    opened_at=post.created_at, conversation_key=self.key_of(post), team=routing.team, entity=entity,
                    bank=post.bank, platform=post.platform, author_handle=handle, tags=list(dict.fromkeys(tags)),
                    crm_customer_id=self.crm.lookup(handle, post.platform) if handle else None, intent=post.intent,
                    topics=list(post.topics), last_customer_at=post.created_at, rule=routing.rule)
        due = due_times(self.calendars.for_entity(entity), case.priority.value, case.opened_at,
                        self.settings.service_levels)
        case.first_response_due, case.resolution_due = due.first_response_due, due.resolution_due
        return case

    def _complaint(self, conn: Connection, case: Case, post: AnalysedPost) -> None:
        clocks = complaint_clocks(post.created_at, self.calendars.for_entity(case.entity),
                                  self.settings.service_levels)
        summary = ", ".join(post.topics) or "réclamation"
        db.insert_complaint(conn, ComplaintRecord(case.id, case.entity, post.created_at, clocks.acknowledge_due,
                                                  clocks.answer_due, summary=f"{summary} ({post.platform})"))
        record(conn, case, ACTOR, "complaint_opened", {"acknowledge_due": clocks.acknowledge_due.isoformat(),
                                                      "answer_due": clocks.answer_due.isoformat()},
               post.created_at, self.clock())

    def _apply_actions(self, conn: Connection, case: Case, routing: Routing, post: AnalysedPost) -> None:
        at = post.created_at
        if "alert" in routing.actions and self.on_alert is not None:
            self.on_alert(conn, case, routing, post)  # in the case's transaction: no alert without its case
        if "close_by_policy" in routing.actions:
            move(case, CaseState.CLOSED, CloseReason.POLICY.value, at)
            save(conn, case, ACTOR, "closed", {"reason": CloseReason.POLICY.value, "rule": routing.rule}, at,
                 self.clock())
            return
        if "escalate" in routing.actions:
            move(case, CaseState.ESCALATED, f"rule: {routing.rule}", at)
            save(conn, case, ACTOR, "escalated", {"rule": routing.rule, "queue": case.queue}, at, self.clock())
        if case.team:
            assignment.offer(conn, case, self.inbox, at, ACTOR, journal_at=self.clock())
