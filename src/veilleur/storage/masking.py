"""Masked storage: what of a post is stored when the ``pii`` stage found personal data in it.

``posts.text`` holds the masked text (``pipeline.masking.mask`` over ``Analysis.pii_spans``):
it is what the full-text index covers (FTS5 triggers on SQLite, the GIN index on PostgreSQL) and
what every screen shows. The text before masking is either encrypted into ``posts.text_original``
(AES-GCM, key ``compliance_storage.encryption_key``, the post's platform and id bound to the
ciphertext as associated data) or dropped, by ``compliance_storage.original_text``.
``posts.text_state`` says which:

- ``original``: nothing was masked, ``text`` is what the platform gave (``text_original`` NULL);
- ``encrypted``: ``text`` is masked, the original is in ``text_original``;
- ``dropped``: ``text`` is masked, the original was not kept;
- ``erased``: a GDPR tombstone (``compliance.gdpr``).

The raw payload (``posts.raw``) holds the original text too, sometimes more than once (a
``text`` and a ``full_text``, a quoted copy). It is *masked*, not dropped: every string in it has
each detected item replaced by the same masked form as in ``text``. Dropping it would lose what
the raw payload is kept for (audit of what the platform sent, re-parsing after a connector fix),
and a payload that keeps its shape re-parses into the masked post, so re-ingesting it cannot
bring the original back. The encrypted original, when kept, is the one way back, through
``SqlStore.unmask``. The analysis is masked the same way: ``clean_text``, and in ``details``
the spans' ``text`` (masked) and ``value`` (removed), and any other string holding an item.

Imports ``core``, ``pipeline.masking``, ``errors`` and, on first use, ``cryptography``.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from veilleur.core.labels import Span
from veilleur.errors import ConfigError, StoreError
from veilleur.pipeline.base import Doc
from veilleur.pipeline.masking import mask, mask_item

ORIGINAL, ENCRYPTED, DROPPED, ERASED = "original", "encrypted", "dropped", "erased"
VERSION = b"\x01"
NONCE = 12
KEY_ID = 4
SPACES = re.compile(r"\s+")


class UnmaskRefused(StoreError):
    """The role may not read masked originals (``compliance_storage.unmask_roles``)."""


class OriginalUnavailable(StoreError):
    """There is no original to show: it was dropped, erased, or cannot be decrypted."""


@dataclass(slots=True)
class Masked:
    """What is stored for a post with personal data, and for its analysis."""

    text: str
    text_original: bytes | None
    text_state: str
    raw: dict[str, Any]
    clean_text: str | None
    details: dict[str, Any]


class Cipher:
    """AES-GCM with one key: ``version | key id | nonce | ciphertext+tag``."""

    def __init__(self, key: bytes):
        try:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        except ImportError as exc:  # pragma: no cover - a missing dependency
            raise ConfigError("compliance_storage.original_text = 'encrypted' needs the cryptography "
                              "package (pip install cryptography)") from exc
        self._aead = AESGCM(key)
        self.key_id = key_id(key)

    def encrypt(self, text: str, context: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        return VERSION + self.key_id + nonce + self._aead.encrypt(nonce, text.encode(), context)

    def decrypt(self, blob: bytes, context: bytes) -> str:
        from cryptography.exceptions import InvalidTag

        blob = bytes(blob)
        if blob[:1] != VERSION:
            raise OriginalUnavailable("the original is in an unknown format")
        written_with = blob[1:1 + KEY_ID]
        if written_with != self.key_id:
            raise OriginalUnavailable(f"the original was encrypted with key {written_with.hex()}, the configured "
                                      f"key is {self.key_id.hex()} (compliance_storage.encryption_key changed?)")
        nonce = blob[1 + KEY_ID:1 + KEY_ID + NONCE]
        try:
            return self._aead.decrypt(nonce, blob[1 + KEY_ID + NONCE:], context).decode()
        except InvalidTag:
            raise OriginalUnavailable("the original does not decrypt: it was altered or moved to another post") \
                from None


def key_id(key: bytes) -> bytes:
    """A short, non-secret name of a key (to tell which key a ciphertext needs)."""
    return hashlib.sha256(b"veilleur key id\x00" + key).digest()[:KEY_ID]


def context(platform: str, external_id: str) -> bytes:
    """The associated data bound to a post's ciphertext: it decrypts for this post only."""
    return f"{platform}\x1f{external_id}".encode()


def mask_doc(doc: Doc, cipher: Cipher | None, details: dict[str, Any]) -> Masked | None:
    """The masked post and analysis of ``doc``, or None when it holds no personal data."""
    post = doc.post
    spans = kept_spans(post.text, doc.analysis.pii_spans)
    if not spans:
        return None
    masked = mask(post.text, spans)
    pairs = replacements(post.text, spans)
    if cipher is not None:
        original, state = cipher.encrypt(post.text, context(post.platform.value, post.external_id)), ENCRYPTED
    else:
        original, state = None, DROPPED
    moved = offsets(post.text, spans)
    details = scrub({k: v for k, v in details.items() if k != "pii_spans"}, pairs)
    details["pii_spans"] = [{"start": moved(s.start), "end": moved(s.start) + len(hidden), "kind": str(s.kind),
                             "text": hidden, "value": None}
                            for s in spans for hidden in [mask_item(post.text[s.start:s.end], s.kind, s.value)]]
    details["brands"] = [{**b, "start": moved(b["start"]), "end": moved(b["end"])} if "start" in b else b
                         for b in details.get("brands") or []]
    clean = doc.analysis.clean_text
    return Masked(masked, original, state, scrub(post.raw, pairs), scrub(clean, pairs) if clean else clean, details)


def kept_spans(text: str, spans: list[Span]) -> list[Span]:
    """The spans ``mask`` applies, in order: inside the text, none overlapping an earlier one."""
    kept, position = [], 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start < position or span.end <= span.start or span.end > len(text):
            continue
        kept.append(span)
        position = span.end
    return kept


def offsets(text: str, spans: list[Span]) -> Callable[[int], int]:
    """A function from offsets in ``text`` to offsets in its masked form (masked items change length).

    ``spans`` are ``kept_spans``; an offset inside an item goes to the masked item's start.
    """
    moves = []  # (start, end, shift before, shift after)
    shift = 0
    for span in spans:
        before = shift
        shift += len(mask_item(text[span.start:span.end], span.kind, span.value)) - (span.end - span.start)
        moves.append((span.start, span.end, before, shift))

    def moved(position: int) -> int:
        shift = 0
        for start, end, before, after in moves:
            if position < start:
                return position + before
            if position < end:
                return start + before
            shift = after
        return position + shift

    return moved


def replacements(text: str, spans: list[Span]) -> list[tuple[str, str]]:
    """(written, masked) for each item, as written and with its spaces collapsed, longest first."""
    pairs: dict[str, str] = {}
    for span in spans:
        written = text[span.start:span.end]
        hidden = mask_item(written, span.kind, span.value)
        pairs[written] = hidden
        pairs.setdefault(SPACES.sub(" ", written), SPACES.sub(" ", hidden))
        if span.value and len(span.value) >= 4:
            pairs.setdefault(span.value, hidden)
    return sorted(((w, h) for w, h in pairs.items() if w and w != h), key=lambda p: -len(p[0]))


def scrub(value: Any, pairs: list[tuple[str, str]]) -> Any:
    """``value`` (a JSON tree or a string) with each written item replaced by its masked form."""
    if isinstance(value, str):
        for written, hidden in pairs:
            if written in value:
                value = value.replace(written, hidden)
        return value
    if isinstance(value, dict):
        return {k: scrub(v, pairs) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, pairs) for v in value]
    return value
