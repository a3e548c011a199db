"""``mask``: a post's text with its personal data hidden, for storage, indexing and display.

Each ``pii`` span is replaced by a masked form that keeps just enough to recognise the item
and nothing that identifies the person; every other character of the text is kept as it is.

======================  ===================================  ======================================
kind                    written                              masked
======================  ===================================  ======================================
``iban``                FR76 3000 6000 0112 3456 7890 189    FR76 •••• •••• •••• •••• •••• 189
``account_number``      30006 00001 12345678901 89           ••••• ••••• ••••••••••1 89
``card_number``         4970 1012 3456 7893                  •••• •••• •••• 7893
``phone``               06 12 34 56 78 / +33 6 12 34 56 78   06 •• •• •• 78 / +33 6 •• •• •• 78
``email``               julie84@gmail.com                    j•••@gmail.com
``nir``                 1 85 05 78 006 084 91                1 •• •• •• ••• ••• ••
``birth_date``          14/02/1991                           [date de naissance]
``postal_address``      8 allée des Tilleuls 44300 Nantes    [adresse]
======================  ===================================  ======================================

Numbers keep their separators as written, so a masked number still reads as one. An e-mail's
local part becomes its first character and three bullets whatever its length; a birth date and an
address are replaced whole. Imports ``core`` and, to read a phone number's country code, the
``phonenumbers`` package (on first use).
"""
from __future__ import annotations

from collections.abc import Iterable

from veilleur.core.labels import PiiKind, Span

BULLET = "•"
REPLACEMENTS = {PiiKind.BIRTH_DATE: "[date de naissance]", PiiKind.POSTAL_ADDRESS: "[adresse]"}
# (alphanumerics kept at the start, at the end) of a number; the rest become bullets
KEEP = {PiiKind.IBAN: (4, 3), PiiKind.ACCOUNT_NUMBER: (0, 3), PiiKind.CARD_NUMBER: (0, 4), PiiKind.NIR: (1, 0)}


def mask(text: str, spans: Iterable[Span]) -> str:
    """``text`` with every span masked; a span overlapping an earlier one is ignored.

    Offsets are read in ``text`` (the span's own ``text`` is not trusted), so ``spans`` must
    point into this very string, as ``Analysis.pii_spans`` point into ``Post.text``.
    """
    parts: list[str] = []
    position = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start < position or span.end <= span.start or span.end > len(text):
            continue
        parts.append(text[position:span.start])
        parts.append(mask_item(text[span.start:span.end], span.kind, span.value))
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


def mask_item(written: str, kind: str, value: str | None = None) -> str:
    """The masked form of one item of personal data of ``kind``, as it was ``written``."""
    if kind in REPLACEMENTS:
        return REPLACEMENTS[PiiKind(kind)]
    if kind == PiiKind.EMAIL:
        local, at, domain = written.rpartition("@")
        return f"{local[:1]}{BULLET * 3}{at}{domain}" if at else _hide(written, 0, 0)
    if kind == PiiKind.PHONE:
        return _hide(written, _phone_prefix(written, value), 2)
    first, last = KEEP.get(kind, (0, 0))  # an unknown kind is hidden whole
    return _hide(written, first, last)


def _hide(written: str, first: int, last: int) -> str:
    """Bullets for every letter and digit but the ``first`` and ``last`` ones; the rest as is."""
    total = sum(c.isalnum() for c in written)
    if first + last >= total:
        first, last = 0, 0
    out, seen = [], 0
    for char in written:
        if char.isalnum():
            seen += 1
            out.append(char if seen <= first or seen > total - last else BULLET)
        else:
            out.append(char)
    return "".join(out)


def _phone_prefix(written: str, value: str | None) -> int:
    """Digits kept at the start of a phone number: the trunk and operator digit ("06"), or the
    country code and the next digit ("+33 6"), which tell a mobile from a landline and no more."""
    digits = "".join(c for c in written if c.isdigit())
    international = written.lstrip().startswith("+") or digits.startswith("00")
    if not international:
        return 2
    code = _country_code(value) if value else None
    length = len(str(code)) if code else 2
    return length + 1 + (2 if digits.startswith("00") else 0)


def _country_code(value: str) -> int | None:
    import phonenumbers  # only for international numbers, the rare case

    try:
        return phonenumbers.parse(value, None).country_code
    except phonenumbers.NumberParseException:
        return None
