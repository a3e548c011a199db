"""The ``normalize`` stage: a clean text for the models, beside the untouched raw one.

Unicode NFC; zero-width and bidirectional control characters removed; markup entities read
("R&amp;D" → "R&D", as the X API writes text); URLs, @handles, hashtags
and emoji extracted; hashtags split into words (#CarteBloquée → carte bloquée); elongations
folded ("nuuuul" → "nul", "!!!!!" → "!!!"); white space collapsed. The clean text keeps
handles and emoji (they carry meaning for the models) and drops URLs.

Imports ``pipeline.base``, ``pipeline.text`` and the ``emoji`` package (its table of emoji is
kept up to date with Unicode, which a hand-written range would not be).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import ClassVar

import emoji

from veilleur.pipeline.base import Doc
from veilleur.pipeline.text import HANDLE, HASHTAG, URL, split_hashtag, unescape_entities

# zero-width, word joiner, BOM, soft hyphen; LRM/RLM/ALM, embeddings/overrides, isolates; tag characters
# (invisible, used to smuggle text; they also end the England and Scotland flags, whose 🏴 is kept)
INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]")
ZWJ = "\u200d"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ELONGATED_LETTER = re.compile(r"([^\W\d_])\1{2,}")
ELONGATED_PUNCT = re.compile(r"([!?.])\1{3,}")
SPACES = re.compile(r"[ \t\u00a0\u202f]+")
BLANK_LINES = re.compile(r"\s*\n\s*")


# Every emoji holds at least one of these code points; most posts hold none, and the emoji
# package's tokenizer (which knows ZWJ sequences, flags and skin tones) is only run on the others.
MAYBE_EMOJI = re.compile("[\u00a9\u00ae\u203c\u2049\u20e3\u2122\u2139\u2194-\u2bff\u3030\u303d"
                         "\u3297\u3299\ufe0f\U0001F000-\U0001FAFF]")


def _ranges(code_points: list[int]) -> str:
    """A regex character class body for sorted code points, as ranges (sre scans ranges far faster)."""
    spans: list[list[int]] = []
    for cp in code_points:
        if spans and cp == spans[-1][1] + 1:
            spans[-1][1] = cp
        else:
            spans.append([cp, cp])
    return "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in spans)


# Every character of every emoji (keycap digits, '#' and '*' included), and the text-style selector
# U+FE0E, which the emoji package's tokenizer skips without ending anything. A run of other characters
# can be no part of an emoji, and that tokenizer (a Python loop over every character) finds the same
# emoji when each such run is one space: it matches greedily from the left, and a character that is
# in no emoji only ends whatever came before it. Posts are mostly words: this cuts its work tenfold.
_EMOJI_CLASS = _ranges(sorted({ord(c) for key in emoji.EMOJI_DATA for c in key} | {0xFE0E}))
_NOT_IN_EMOJI = re.compile(f"[^{_EMOJI_CLASS}]+")
# no emoji holds these, and a small class is scanned much faster: a cheap first pass
_PLAIN = re.compile(r"[a-zA-Z\s.,;:!?'\"()\-/@_àâäçéèêëîïôöûùüÿœæÀÂÇÉÈÊËÎÏÔÛÙÜ]+")


def find_emojis(text: str) -> list[str]:
    if not MAYBE_EMOJI.search(text):
        return []
    return [found["emoji"] for found in emoji.emoji_list(_NOT_IN_EMOJI.sub(" ", _PLAIN.sub(" ", text)))]


def clean(text: str, keep_zwj: bool = False) -> str:
    """NFC text without invisible or control characters (still with URLs, hashtags...).

    ``keep_zwj`` keeps the zero-width joiners, which glue emoji sequences (👨‍👩‍👧) together.
    """
    text = unicodedata.normalize("NFC", text)
    if keep_zwj:
        text = INVISIBLE.sub(lambda m: m.group(0) if m.group(0) == ZWJ else "", text)
    else:
        text = INVISIBLE.sub("", text)
    # removing a character can leave a sequence that is no longer NFC ("e", ZWSP, combining acute)
    return unicodedata.normalize("NFC", CONTROL.sub(" ", text))


def fold_elongations(text: str) -> str:
    return ELONGATED_PUNCT.sub(r"\1\1\1", ELONGATED_LETTER.sub(r"\1", text))


class Normalize:
    """Extract URLs, handles, hashtags, emoji; build ``clean_text``."""

    name: ClassVar[str] = "normalize"
    version: ClassVar[str] = "2"
    requires: ClassVar[frozenset[str]] = frozenset({"text"})
    assigns: ClassVar[frozenset[str]] = frozenset({"clean_text", "urls", "handles", "hashtags", "emojis", "flags"})

    def process(self, docs: Sequence[Doc]) -> None:
        for doc in docs:
            self.normalize(doc)

    @staticmethod
    def normalize(doc: Doc) -> None:
        a = doc.analysis
        raw = unescape_entities(doc.text)  # before cleaning: "&#7;" is a control character, "&#128512;" 😀
        # emoji are read before the joiners go, so that a ZWJ sequence stays one emoji
        has_emoji = MAYBE_EMOJI.search(raw) is not None  # most posts: one cleaning pass only
        a.emojis = find_emojis(URL.sub(" ", clean(raw, keep_zwj=True))) if has_emoji else []
        text = clean(raw)
        a.urls = URL.findall(text)
        text = URL.sub(" ", text)
        a.handles = HANDLE.findall(text)
        a.hashtags = HASHTAG.findall(text)
        text = HASHTAG.sub(lambda m: split_hashtag(m.group(1)), text)
        text = fold_elongations(text)
        text = BLANK_LINES.sub("\n", SPACES.sub(" ", text)).strip()
        a.clean_text = unicodedata.normalize("NFC", text)
        if not text and "empty" not in a.flags:
            a.flags.append("empty")
