"""Text helpers shared by stages: accent folding that keeps offsets, and the token patterns.

``fold`` lower-cases and strips accents one character for one character, so an offset in the
folded text is the same offset in the original: brand and PII spans found on folded text point
straight into ``Post.text``. Imports the standard library only.
"""
from __future__ import annotations

import re
import unicodedata


def _fold_char(ch: str) -> str:
    low = ch.lower()
    if len(low) != 1:
        return ch
    base = unicodedata.normalize("NFD", low)[0]
    return base if len(base) == 1 else low


_FOLD_TABLE = {cp: _fold_char(chr(cp)) for cp in range(0x00C0, 0x0250)}
_FOLD_TABLE.update({cp: chr(cp).lower() for cp in range(ord("A"), ord("Z") + 1)})
_FOLD_TABLE.update({0x2019: "'", 0x2018: "'", 0x02BC: "'", 0x00B4: "'", 0x0060: "'"})
_FOLD_TABLE = {k: v for k, v in _FOLD_TABLE.items() if chr(k) != v}


def fold(text: str) -> str:
    """Lower-case, accent-free copy of ``text`` of exactly the same length."""
    return text.translate(_FOLD_TABLE)


# A URL stops at white space, quotes, an ellipsis ("https://t.co/ab…" in a cut tweet) and emoji
# glued to it ("https://t.co/ab👇"); it does not end with punctuation.
_NOT_IN_URL = "\\s<>\"'«»…\u2600-\u27bf\u2b00-\u2bff\ufe0f\U0001f000-\U0001faff"
URL = re.compile(
    rf"(?:https?://|www\.)[^{_NOT_IN_URL}]+[^{_NOT_IN_URL}.,;:!?)\]]"
    r"|\bhttps?\b(?!:)",  # a bare "http": how archived and anonymised tweets write their links
    re.IGNORECASE)
HANDLE = re.compile(r"(?<![\w@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,48}[A-Za-z0-9_])?)")
HASHTAG = re.compile(r"(?<![\w#&])#(\w[\w'’]*)")
_CAMEL = re.compile(
    r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])"  # carteBloquée
    r"|(?<=[A-ZÀ-Þ])(?=[A-ZÀ-Þ][a-zà-ÿ])"  # SGVous → SG Vous
    r"|(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])"  # JO2024
)


def split_hashtag(tag: str) -> str:
    """Words of a hashtag body: "CarteBloquée" → "carte bloquée", "JO2024" → "jo 2024"."""
    words = _CAMEL.split(tag.replace("_", " "))
    return " ".join(w for w in " ".join(words).split()).lower()


def spans_overlap(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)
