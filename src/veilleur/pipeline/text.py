"""Text helpers shared by stages: accent folding that keeps offsets, and the token patterns.

``fold`` lower-cases and strips accents one character for one character, so an offset in the
folded text is the same offset in the original: brand and PII spans found on folded text point
straight into ``Post.text``. ``reading_copy`` and ``spans_back_into`` do the same for a text with
decomposed accents or odd white space. Imports the standard library only (``core.labels`` for type hints).
"""
from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from veilleur.core.labels import Span


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
# Markup entities as the X API and archived tweets write them ("R&amp;D", "&lt;3", "&#39;"): the
# five of XML and numeric ones, each closed by its semicolon. Not ``html.unescape``: HTML5 also
# reads legacy names without a semicolon, so "bread&nothing" would become "bread¬hing".
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _entity(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name:
        return _NAMED[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return match.group(0)  # no character: the text keeps what it said
    return chr(code)


def unescape_entities(text: str) -> str:
    """``text`` with its markup entities read ("R&amp;D" → "R&D"), twice at most: archives often
    escape twice ("&amp;amp;"), and a third level is more likely meant literally."""
    if "&" not in text:
        return text
    once = _ENTITY.sub(_entity, text)
    return once if once == text else _ENTITY.sub(_entity, once)


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


# The combining marks of Latin text; a regular expression looks for them at C speed, and most posts
# (typed on keyboards that compose accents) hold none.
MAYBE_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# white space other than one plain space: two spaces, a no-break space, a tab, a line break
ODD_SPACE = re.compile(r"[^\S ]| {2,}")


def reading_copy(text: str) -> tuple[str, list[int] | None]:
    """``text`` as the patterns of the stages read it, and where each of its characters was (None:
    ``text`` itself).

    Combining marks are dropped: a text with decomposed accents (NFD: "e" + U+0301, as some
    systems paste it) reads as the same text typed without accents, which the patterns know
    ("Emile", "fevrier"). A run of white space is one space, or one line break if it holds one:
    "06 12 34 56 78" with no-break spaces, or a name with two spaces inside, is the same item.
    """
    marks = bool(MAYBE_MARKS.search(text)) and any(unicodedata.combining(c) for c in text)
    if not marks and not ODD_SPACE.search(text):
        return text, None
    chars, index, in_space = [], [], False
    for i, c in enumerate(text):
        if marks and unicodedata.combining(c):
            continue
        if c.isspace():
            if in_space:
                if c == "\n":
                    chars[-1] = "\n"
                continue
            in_space, c = True, "\n" if c == "\n" else " "
        else:
            in_space = False
        chars.append(c)
        index.append(i)
    return "".join(chars), index


def spans_back_into(text: str, index: list[int] | None, spans: list[Span]) -> list[Span]:
    """``spans`` found in ``reading_copy(text)`` moved back onto ``text`` (marks at their end included)."""
    if index is None:
        return spans
    for span in spans:
        span.start, span.end = index[span.start], _end_with_marks(text, index[span.end - 1] + 1)
        span.text = text[span.start:span.end]
    return spans


def _end_with_marks(text: str, end: int) -> int:
    while end < len(text) and unicodedata.combining(text[end]):
        end += 1
    return end
