"""``check_reply``: every outgoing text is checked against the reply policy before it leaves.

A reply is ``public`` (visible to all, on the platform) or ``private`` (a private message). The
rules, each giving ``Finding``s that block the reply or warn the agent:

- ``personal_data_public`` (block): personal data (IBAN, card, phone...) in a public reply.
  In a private message, a card number blocks and data the policy does not allow warns
  (``personal_data_private``). Without the ``pii`` stage the check cannot be made: a public
  reply is then blocked (``personal_data_unchecked``), never let through unchecked.
- ``secret_requested`` (block, everywhere): asking for codes, card numbers, passwords, PIN, CVV,
  a code received by SMS — what a bank never asks and a phisher always does.
- ``data_requested_public`` (block): asking for personal data in public. A request that sends
  the customer to a private message ("en MP") is judged as private, and one that sends them to
  the secure channel (the policy's link, "espace client") is accepted.
- ``data_not_allowed_private`` (block): asking in private for data the policy does not allow.
- ``handoff_missing`` (block): a public reply on a case that needs identification, or on an
  account-specific matter ("votre virement a bien été reçu"), without the secure-channel hand-off.
- ``review_wording`` (warn): wording compliance wants to review (default lexicon and additions).
- ``credit_mention_missing`` (block): consumer credit promoted without the legal mention.

A sentence asks for data when it names a kind of data and a request ("envoyez-nous",
"pouvez-vous nous communiquer", "quel est votre", "DM us") that is not negated ("ne communiquez
jamais votre code" is advice, not a request). Imports ``compliance``, ``pipeline`` (the ``pii``
stage, lazily), ``core``, ``settings`` and ``errors``.
"""
from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from veilleur.compliance import lexicon as lx
from veilleur.compliance.settings import ReplyPolicy
from veilleur.errors import VeilleurError
from veilleur.pipeline.text import fold

Channel = Literal["public", "private"]
Severity = Literal["block", "warn"]
Detector = Callable[[str], list[tuple[int, int, str]]]


class ComplianceError(VeilleurError):
    """The reply policy cannot be applied as asked."""


class PersonalDataUnavailable(ComplianceError):
    """The personal-data detector (the ``pii`` stage) cannot be loaded or failed."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong (``block``) or worth a second look (``warn``) in a reply.

    ``span`` is [start, end) in the reply's text, or None when the finding is about what is missing.
    """

    code: str
    severity: Severity
    message_fr: str
    message_en: str
    span: tuple[int, int] | None = None


def blocks(findings: list[Finding]) -> bool:
    """Whether the reply must not leave as it is."""
    return any(f.severity == "block" for f in findings)


def check_reply(text: str, channel: Channel, case: Any = None, *, policy: ReplyPolicy | None = None,
                detector: Detector | None = None) -> list[Finding]:
    """The findings of the reply policy on ``text``, blocking ones first, then in text order.

    Args:
        text: the reply as it would be sent.
        channel: "public" (a visible reply) or "private" (a private message).
        case: the case answered, if any: anything with a ``needs_identification`` attribute or key.
        policy: the entity's policy (``ComplianceSettings.policy_for``); default: the built-in one.
        detector: finds personal data, ``text -> [(start, end, kind)]``; default: the ``pii`` stage
            with default settings (``personal_data_finder(settings)`` honours the configured ones).
    """
    if channel not in ("public", "private"):
        raise ValueError(f"channel must be 'public' or 'private', not {channel!r}")
    policy = policy or ReplyPolicy()
    folded = fold(text)
    findings = [
        *_personal_data(text, channel, policy, detector or find_personal_data),
        *_requests(folded, channel, policy),
        *_handoff(folded, channel, case, policy),
        *_review_wording(folded, policy),
        *_credit(folded, policy),
    ]
    return sorted(findings, key=lambda f: (f.severity != "block", f.span or (len(text), len(text)), f.code))


# --- personal data in the reply -------------------------------------------------------------------

def find_personal_data(text: str) -> list[tuple[int, int, str]]:
    """Personal data in ``text`` as (start, end, kind), found by the ``pii`` stage with its default settings.

    Raises:
        PersonalDataUnavailable: ``veilleur.pipeline.pii`` cannot be loaded or fails on the text.
    """
    return _default_finder()(text)


@functools.cache
def _default_finder() -> Detector:
    return personal_data_finder()


def personal_data_finder(settings: Any = None) -> Detector:
    """A detector using ``settings`` (their ``[pii]`` allow-list of the banks' public numbers, say).

    The ``pii`` stage is built on the first call and kept; the detector raises
    ``PersonalDataUnavailable`` when ``veilleur.pipeline.pii`` cannot be loaded or fails.
    """
    built: list[Any] = []

    def find(text: str) -> list[tuple[int, int, str]]:
        if not built:
            try:
                stage_class = importlib.import_module("veilleur.pipeline.pii").DetectPii
            except (ImportError, AttributeError) as exc:
                raise PersonalDataUnavailable(f"the personal-data detector is not available ({exc})") from exc
            built.append(stage_class.from_settings(settings) if settings is not None else stage_class())
        try:
            spans = built[0].find(text)
        except Exception as exc:  # a detector that fails must not let the reply through unchecked
            raise PersonalDataUnavailable(f"the personal-data detector failed ({type(exc).__name__}: {exc})") \
                from exc
        return [(s.start, s.end, str(s.kind)) for s in spans]

    return find


def _personal_data(text: str, channel: Channel, policy: ReplyPolicy, detector: Detector) -> list[Finding]:
    try:
        spans = detector(text)
    except PersonalDataUnavailable as exc:
        return [Finding("personal_data_unchecked", "block" if channel == "public" else "warn",
                        f"Données personnelles non vérifiées : {exc}.",
                        f"Personal data could not be checked: {exc}.")]
    findings = []
    for start, end, kind in spans:
        fr, en = lx.DATA_LABELS.get(kind, (kind, kind))
        if channel == "public":
            findings.append(Finding("personal_data_public", "block",
                                    f"Donnée personnelle ({fr}) dans une réponse publique : retirez-la.",
                                    f"Personal data ({en}) in a public reply: remove it.", (start, end)))
        elif kind == "card_number":
            findings.append(Finding("personal_data_private", "block",
                                    "Numéro de carte dans un message privé : n'échangez jamais de numéro de carte.",
                                    "Card number in a private message: never exchange card numbers.", (start, end)))
        elif kind not in policy.allowed_private_data:
            findings.append(Finding("personal_data_private", "warn",
                                    f"Donnée personnelle ({fr}) dans un message privé, hors de ce que la politique "
                                    "autorise : est-elle nécessaire ?",
                                    f"Personal data ({en}) in a private message, beyond what the policy allows: "
                                    "is it needed?", (start, end)))
    return findings


# --- requests for data ------------------------------------------------------------------------------

def _requests(folded: str, channel: Channel, policy: ReplyPolicy) -> list[Finding]:
    findings = []
    link = _link_key(policy.secure_channel_link)
    for start, end in lx.sentences(folded):
        sentence = folded[start:end]
        named = lx.mentions(folded, start, end)
        if not named:
            continue
        cues = [(m.start() + start, m.end() + start) for m in lx.REQUEST.finditer(sentence)]
        asked = [m for m in named if _is_requested(folded, start, end, m, cues, named)]
        if not asked:
            continue
        secure = bool(lx.SECURE_CHANNEL.search(sentence)) or bool(link and link in sentence)
        where = "secure" if secure else "private" if lx.PRIVATE_CHANNEL.search(sentence) else channel
        findings.extend(f for m in asked if (f := _judge_request(m, where, policy)))
    return findings


def _is_requested(folded: str, start: int, end: int, mention: lx.Mention, cues: list[tuple[int, int]],
                  named: list[lx.Mention]) -> bool:
    before = [c for c in cues if c[1] <= mention.start]
    after = [c for c in cues if c[0] >= mention.end]
    cue = before[-1] if before else after[0] if after else None
    if cue is None:
        return _asked_as_question(folded, start, end, mention, named)
    clause_start = start
    for match in lx.CLAUSE_BREAK.finditer(folded, start, cue[0]):
        clause_start = match.end()
    scope = folded[clause_start:cue[1]] + " " + folded[cue[1]:mention.start]
    scope = lx.NOT_A_NEGATION.sub(lambda m: " " * len(m.group()), scope)
    return lx.NEGATION.search(scope) is None


def _asked_as_question(folded: str, start: int, end: int, mention: lx.Mention, named: list[lx.Mention]) -> bool:
    """ "Votre numéro de compte ?" — a clause made of nothing but the data asked and a question mark."""
    sentence = folded[start:end].rstrip()
    if not sentence.endswith("?"):
        return False
    clause_start = start
    for match in lx.CLAUSE_BREAK.finditer(folded, start, end):
        clause_start = match.end()
    if mention.start < clause_start:
        return False
    residue = list(folded[clause_start:start + len(sentence) - 1])
    for m in named:
        if m.start >= clause_start:
            residue[m.start - clause_start:m.end - clause_start] = " " * (m.end - m.start)
    return lx.QUESTION_OPENER.match("".join(residue)) is not None


def _judge_request(mention: lx.Mention, where: str, policy: ReplyPolicy) -> Finding | None:
    fr, en = lx.DATA_LABELS[mention.kind]
    span = (mention.start, mention.end)
    if mention.kind in lx.NEVER_ASKED:
        return Finding("secret_requested", "block",
                       f"Donnée secrète demandée ({fr}) : une banque ne la demande jamais, même en privé "
                       "(hameçonnage).",
                       f"Asks for the {en}: a bank never asks for it, even in private (phishing bait).", span)
    if where == "public":
        return Finding("data_requested_public", "block",
                       f"Donnée personnelle demandée en public ({fr}) : demandez-la en message privé ou renvoyez vers "
                       "le canal sécurisé.",
                       f"Asks for the {en} in public: ask in a private message or hand off to the secure channel.",
                       span)
    if where == "private" and mention.kind not in policy.allowed_private_data:
        allowed = ", ".join(lx.DATA_LABELS[k][0] for k in policy.allowed_private_data) or "rien"
        allowed_en = ", ".join(lx.DATA_LABELS[k][1] for k in policy.allowed_private_data) or "nothing"
        return Finding("data_not_allowed_private", "block",
                       f"Donnée demandée en message privé ({fr}) : la politique n'autorise que {allowed} ; "
                       "le reste passe par le canal sécurisé.",
                       f"Asks for the {en} in a private message: the policy allows only {allowed_en}; "
                       "the rest goes through the secure channel.", span)
    return None


# --- secure-channel hand-off ------------------------------------------------------------------------

def _needs_identification(case: Any) -> bool:
    if case is None:
        return False
    if isinstance(case, Mapping):
        return bool(case.get("needs_identification"))
    return bool(getattr(case, "needs_identification", False))


def _link_key(link: str) -> str:
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", fold(link.strip())).rstrip("/")


def _has_handoff(folded: str, policy: ReplyPolicy) -> bool:
    link = _link_key(policy.secure_channel_link)
    if link and link in folded:
        return True
    sentence = lx.squash(policy.secure_channel_text.replace("{link}", " "))
    return bool(sentence) and sentence in lx.squash(folded)


def _handoff(folded: str, channel: Channel, case: Any, policy: ReplyPolicy) -> list[Finding]:
    if channel != "public" or _has_handoff(folded, policy):
        return []
    specific = next((m for p in lx.ACCOUNT_SPECIFIC for m in [p.search(folded)] if m), None)
    if specific is None and not _needs_identification(case):
        return []
    why_fr = "cette réponse traite d'un sujet propre au compte du client" if specific else \
        "ce dossier demande d'identifier le client"
    why_en = "this reply deals with the customer's own account" if specific else \
        "this case needs the customer identified"
    return [Finding("handoff_missing", "block",
                    f"Réponse publique sans renvoi vers le canal sécurisé alors que {why_fr} : ajoutez « "
                    f"{policy.handoff} ».",
                    f"Public reply without the secure-channel hand-off although {why_en}: add \"{policy.handoff}\".",
                    (specific.start(), specific.end()) if specific else None)]


# --- wording to review, consumer credit --------------------------------------------------------------

def _review_wording(folded: str, policy: ReplyPolicy) -> list[Finding]:
    hits = []
    for category, term, pattern in lx.review_patterns(tuple(policy.review_terms)):
        hits.extend((m.start(), m.end(), category, term) for m in pattern.finditer(folded))
    hits.sort(key=lambda h: (h[0] - h[1], h[0]))
    kept: list[tuple[int, int, str, str]] = []
    for hit in hits:
        if all(hit[1] <= k[0] or hit[0] >= k[1] for k in kept):
            kept.append(hit)
    findings = []
    for start, end, category, term in sorted(kept):
        fr, en = lx.REVIEW_CATEGORIES[category]
        findings.append(Finding("review_wording", "warn",
                                f"Formulation à faire relire par la conformité ({fr}) : « {term} ».",
                                f"Wording for compliance to review ({en}): \"{term}\".", (start, end)))
    return findings


def _credit(folded: str, policy: ReplyPolicy) -> list[Finding]:
    trigger = lx.CREDIT_PUSH.search(folded)
    if trigger is None:
        trigger = next((m for m in lx.CREDIT_PRODUCT.finditer(folded) if not _possessed(folded, m.start())), None)
        if trigger is None or not lx.CREDIT_OFFER.search(folded):
            return []
    if lx.squash(policy.credit_mention) in lx.squash(folded):
        return []
    return [Finding("credit_mention_missing", "block",
                    f"Promotion d'un crédit à la consommation sans la mention légale : ajoutez « "
                    f"{policy.credit_mention} ».",
                    f"Consumer credit promoted without the legal mention: add \"{policy.credit_mention}\".",
                    (trigger.start(), trigger.end()))]


def _possessed(folded: str, start: int) -> bool:
    """ "votre prêt personnel": the customer's own contract, not an offer."""
    return re.search(rf"\b{lx.POSSESSIVE}\s+$", folded[max(0, start - 8):start]) is not None
