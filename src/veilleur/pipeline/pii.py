"""The ``pii`` stage: personal data in a post, as spans of its text with a kind of ``labels.md``.

Regular expressions propose candidates, validators keep the true ones:

- ``iban``: an IBAN of a SEPA country, with or without spaces; its length must be the country's
  and python-stdnum's ``iban`` must accept it (ISO 13616 mod-97, BBAN structure, the national
  checks stdnum knows). A French or Monegasque BBAN is a RIB whose key must check too.
- ``account_number``: a complete French RIB (bank 5 digits, branch 5, account 11 alphanumerics,
  key 2) whose key checks. python-stdnum has no ``fr.rib`` module (2.2), so the key is computed
  here: 97 − ((89·bank + 15·branch + 3·account) mod 97), letters of the account read as digits
  (A, J → 1; B, K, S → 2; … I, R, Z → 9). Inside an IBAN, a RIB counts as the IBAN only.
- ``card_number``: 13–19 digits, unbroken or in groups (4-4-4-4, 4-4-4-4-3, 4-6-5), Luhn-valid
  (stdnum ``luhn``), with a first digit and a length a payment network uses (``card_number_ok``),
  not a test number (4111 1111 1111 1111), not the tail of a longer number (an IBAN with a typo).
- ``nir``: a French social-security number (stdnum ``fr.nir``: key, Corsica 2A/2B), whose first
  digit and month are possible.
- ``phone``: a number the ``phonenumbers`` matcher finds and finds valid (region FR unless set;
  ``phone_validation = "possible"`` also takes numbers of unallocated ranges), written with a
  trunk 0, a + or 00, not a piece of a longer number, and not one of the banks' public numbers
  (``allow_numbers``).
- ``email``: an address with a domain and a top-level domain.
- ``birth_date``: a full date (14/02/1991, 3 juin 2009, 1991-02-14) right after a birth cue ("né
  le", "née le", "date de naissance", "DDN"), or right before "(date de naissance)". Typed
  without its accent, "ne le" is also "je ne le savais pas": the date must then follow at once.
- ``postal_address``: number, street type (rue, avenue, bd, chemin, allée, impasse, place, route,
  quai…), street name, 5-digit postcode and city.

No false alarms: a number whose checksum fails, an amount ("1 250,00 €"), an order, tracking or
case number (a checksummed-looking number right after "commande", "colis", "dossier", "réf."…
is not taken), a date without birth context, a bank's customer-service number. A text without a
digit or an "@" is not scanned at all (most posts), and the costly validators only see candidates.
Spans are offsets into ``Doc.text`` (the post's text); ``value`` is the normalised item.
The finders read a copy of the text without combining marks (decomposed accents read as if typed
without accents) and with one space per run of white space (``text.reading_copy``); the spans
are mapped back onto the text as given.

Imports ``core``, ``pipeline.base``, ``pipeline.text``, ``pipeline.masking`` and pydantic;
python-stdnum and phonenumbers are imported on first use, so that reading the settings (which
holds ``PiiSettings``) stays quick.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from veilleur.core.labels import PiiKind, Span
from veilleur.pipeline.base import Doc
from veilleur.pipeline.masking import mask
from veilleur.pipeline.text import fold, reading_copy, spans_back_into

if TYPE_CHECKING:
    from veilleur.settings import Settings

__all__ = ["DetectPii", "PiiSettings", "find_pii", "mask"]

DEFAULT_ALLOW_NUMBERS = [
    "3639",  # La Banque Postale, service client
    "3933",  # Société Générale, service client
    "09 69 39 77 77",  # Société Générale, opposition carte
    "3477",  # BNP Paribas, service client
    "0 892 705 705",  # serveur interbancaire d'opposition carte bancaire
    "+33 4 42 60 53 03",  # the same, from abroad
    "0 892 683 208",  # Banque de France, chèques perdus ou volés
]


class PiiSettings(BaseModel):
    """Personal-data detection (the ``pii`` stage)."""

    model_config = ConfigDict(extra="forbid")

    allow_numbers: list[str] = Field(
        default_factory=lambda: list(DEFAULT_ALLOW_NUMBERS),
        description="public phone numbers (the banks' customer services) that are not personal data")
    phone_region: str = Field(default="FR", description="the country of phone numbers written without +code")
    phone_validation: Literal["valid", "possible"] = Field(
        default="valid", description="valid: the number is allocated; possible: it has the right length")

    @field_validator("allow_numbers")
    @classmethod
    def _looks_like_numbers(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.fullmatch(r"\+?[\d .()\-\u00a0]+", value) or sum(c.isdigit() for c in value) < 3:
                raise ValueError(f"{value!r} is not a phone number")
        return values

    @field_validator("phone_region")
    @classmethod
    def _region_code(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{2}", value):
            raise ValueError("must be a two-letter country code in capitals, e.g. FR")
        return value


# --- candidates ------------------------------------------------------------------------------
SEP = "[ \u00a0\u202f.\\-]"  # what people put between the groups of a number
WORTH_A_LOOK = re.compile(r"[0-9@]")
# cheap pre-checks, each a few microseconds: a pattern that opens with a character class lets the
# regex engine skip ahead; IGNORECASE and leading look-behinds would not
LONG_NUMBER = re.compile(f"[0-9]{SEP}?[0-9A-Z]{SEP}?[0-9A-Z](?:{SEP}?[0-9A-Z]){{10}}")
"""13 digits or capitals in a row, single separators allowed: IBANs, RIBs, NIRs and cards all have them."""
PHONE_HINT = re.compile(r"[+0](?:(?<=\+) ?\(?\d|(?<![0-9A-Za-z]0)(?:0 ?[1-9]|[1-9](?:[ .\-/\u00a0]?\d){7,10}))")
BIRTH_HINT = re.compile(r"n[ée](?:e|\(e\))?s? +le\b|naissance|ddn\b|d\.d\.n|born on|birth|dob\b|d\.o\.b")
"""Searched in the lower-cased text; the birth cues proper are read in the folded text."""
POSTCODE = re.compile(r"\d{5}")
EMAIL = re.compile(r"(?<![\w.+\-])[\w][\w.+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w@]|\.\w)")
IBAN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})(?:[ \u00a0\u202f\-]?[A-Za-z0-9]){10,31}")
RIB = re.compile(rf"(?<![A-Za-z0-9])(\d{{5}}){SEP}?(\d{{5}}){SEP}?([0-9A-Z]{{11}}){SEP}?(\d{{2}})(?![A-Za-z0-9])")
NIR = re.compile(r"(?<![A-Za-z0-9])[1-478][ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[ABab])[ .]?\d{3}[ .]?\d{3}"
                 r"[ .]?\d{2}(?![A-Za-z0-9])")
CARD = re.compile(r"(?<![A-Za-z0-9.,])(?=[2-6])(?:\d{13,19}"
                  r"|\d{4}([ \u00a0\-])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?"
                  r"|\d{4}([ \u00a0\-])\d{6}\2\d{4,5})(?![A-Za-z0-9]|[.,]\d)")
# what comes before the tail of a longer number: a group with a digit, or the head of an IBAN
AFTER_A_NUMBER = re.compile(r"\d[ .\-\u00a0]?$|\d[A-Za-z0-9]*[ .\-\u00a0]$"
                            r"|(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ \u00a0\-]?[A-Z0-9]){0,30}[ \u00a0\-]$")
BEFORE_A_NUMBER = re.compile(r"[ .\-\u00a0]?\d\d")
# a reference number named as such ("commande n° …", "colis :", "réf.") is not personal data
REFERENCE = re.compile(r"\b(?:commandes?|colis|suivi|dossiers?|ref|reference|factures?|tickets?|transactions?|"
                       r"contrats?|sinistres?|orders?|tracking|parcel|case)\W{0,3}"
                       r"(?:n\W?o?|num(?:ero)?|no|#|number)?\W{0,3}$")
SEPA_IBAN_LENGTHS = {
    "AD": 24, "AL": 28, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28, "IE": 22,
    "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "VA": 22,
}
"""The IBAN length of each SEPA country (ISO 13616 registry; French overseas use FR)."""

# birth dates, matched in the folded text (lower case, no accents, same offsets)
BIRTH_CUE = re.compile(r"\bnee?(?:\(e\))?s?\s+le\b|\bdate\s+(?:de\s+)?naissance\b|\bd\.?d\.?n\b"
                       r"|\bborn\s+on\b|\bdate\s+of\s+birth\b|\bd\.?o\.?b\b")
_MONTHS = {"janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
           "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9,
           "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
           "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
           "august": 8, "september": 9, "october": 10, "november": 11, "december": 12}
DATE = re.compile(
    r"(?<![\d/.\-])(?:(\d{1,2}) ?([/.\-]) ?(\d{1,2}) ?\2 ?(\d{4}|\d{2})"
    rf"|(1er|\d{{1,2}})\s+({'|'.join(sorted(_MONTHS, key=len, reverse=True))})\.?\s+(\d{{4}})"
    r"|(\d{4})-(\d{2})-(\d{2}))(?![\d/])")
CUE_AFTER = re.compile(r"\W{0,3}(?:c'est\s+)?(?:ma\s+|sa\s+)?(?:date\s+de\s+naissance|ddn)\b")

# postal addresses, matched in the text as written: street names and cities keep their capitals
_STREET = r"rue|avenue|av|bd|boulevard|blvd|chemin|all[ée]e|impasse|imp|quai|r[ée]sidence|lotissement|faubourg|fbg|rte"
# street types that are also common words ("5 cours de yoga", "2 places"): their name must have a capital
_STREET_AMBIGUOUS = (r"place|route|cours|square|chauss[ée]e|passage|hameau|rond-point|esplanade|promenade|sentier"
                     r"|villa|cit[ée]|parvis")
_NAME_WORD = (r"(?!(?:à|a|par|pour|avec|et|est|mais|ou|je|il|elle|on|nous|vous|ils|elles|qui|que|depuis|chez|dans"
              r"|mon|ma|mes|son|sa|ses|notre|votre|leur)\b)[^\W\d_][\w'’.\-]*")
_LINK = r"(?:de la|de l'|de l’|de|du|des|la|le|les|d'|l'|d’|l’)"
_CAPITAL = r"[A-ZÀ-Þ][\w'’\-]*"
_PARTICLE = r"(?:sur|sous|en|l[èe]s|le|la|les|de|du|des|aux?|d'|l'|d’|l’)"
ADDRESS = re.compile(
    r"(?<![\w,.])\d{1,4}(?: ?(?:bis|ter|quater|[A-Da-d])\b)?,? +"
    rf"(?:(?i:(?:{_STREET})\b\.?) +{_NAME_WORD}(?: +{_NAME_WORD}){{0,6}}"
    rf"|(?i:(?:{_STREET_AMBIGUOUS})\b) +(?:{_LINK} ?)?{_CAPITAL}(?: +{_NAME_WORD}){{0,5}})"
    r",? +(?:0[1-9]|[1-8]\d|9[0-8])\d{3} +"
    rf"(?:{_CAPITAL}(?:[ \-](?:{_PARTICLE}[ \-])?{_CAPITAL}){{0,3}}(?: (?i:cedex)(?: \d{{1,2}})?)?"
    r"|[a-zà-ÿ][a-zà-ÿ'’\-]{2,})(?![\w'’])")
NOT_A_CITY = frozenset({"euros", "eur", "euro", "balles", "dollars", "km", "habitants", "personnes", "clients",
                        "abonnes", "abonnés", "followers", "vues", "likes", "points", "fois", "ans", "jours"})

# RIB key: letters of the account read as digits
_RIB_LETTERS = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789")


def rib_key_ok(bank: str, branch: str, account: str, key: str) -> bool:
    """Whether ``key`` is the RIB key of ``bank``, ``branch`` and ``account`` (see the module's docstring)."""
    account = account.upper().translate(_RIB_LETTERS)
    if not (bank + branch + account + key).isdigit():
        return False
    return 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97 == int(key)


# --- finders: each yields spans of one kind ----------------------------------------------------
def _is_reference(text: str, start: int) -> bool:
    return bool(REFERENCE.search(fold(text[max(0, start - 30):start])))


def _inside_a_number(text: str, start: int) -> bool:
    return bool(AFTER_A_NUMBER.search(text[max(0, start - 40):start]))


def find_emails(text: str) -> Iterator[Span]:
    if "@" not in text:
        return
    for m in EMAIL.finditer(text):
        yield Span(m.start(), m.end(), PiiKind.EMAIL.value, m.group(0), m.group(0).lower())


def find_numbers(text: str) -> Iterator[Span]:
    """IBANs, then RIBs, NIRs and card numbers (in this order of precedence)."""
    if LONG_NUMBER.search(text):
        for finder in (find_ibans, find_ribs, find_nirs, find_cards):
            yield from finder(text)


def find_ibans(text: str) -> Iterator[Span]:
    from stdnum import iban as std_iban

    position = 0
    while m := IBAN.search(text, position):
        position = m.start() + 1
        country = m.group(1).upper()
        length = SEPA_IBAN_LENGTHS.get(country)
        end = _end_after(text, m.start(), length) if length else None
        if end is None or (end < len(text) and text[end].isalnum()):
            continue
        value = "".join(c for c in text[m.start():end] if c.isalnum()).upper()
        if not std_iban.is_valid(value):
            continue
        if country in ("FR", "MC") and not rib_key_ok(value[4:9], value[9:14], value[14:25], value[25:]):
            continue
        position = end
        yield Span(m.start(), end, PiiKind.IBAN.value, text[m.start():end], value)


def _end_after(text: str, start: int, count: int) -> int | None:
    """The offset just after the ``count``-th letter or digit from ``start``."""
    for i in range(start, len(text)):
        if text[i].isalnum():
            count -= 1
            if count == 0:
                return i + 1
    return None


def find_ribs(text: str) -> Iterator[Span]:
    for m in RIB.finditer(text):
        if rib_key_ok(*m.groups()) and not _is_reference(text, m.start()):
            yield Span(m.start(), m.end(), PiiKind.ACCOUNT_NUMBER.value, m.group(0), "".join(m.groups()))


def find_nirs(text: str) -> Iterator[Span]:
    from stdnum.fr import nir as std_nir

    for m in NIR.finditer(text):
        value = re.sub(r"[ .]", "", m.group(0)).upper()
        month = int(value[3:5])
        if not (1 <= month <= 12 or 20 <= month <= 42 or month >= 50) or not std_nir.is_valid(value):
            continue
        if not _is_reference(text, m.start()):
            yield Span(m.start(), m.end(), PiiKind.NIR.value, m.group(0), value)


def find_cards(text: str) -> Iterator[Span]:
    for m in CARD.finditer(text):
        if _inside_a_number(text, m.start()):
            continue  # the tail of a longer number ("FR76 3000 6000 0112 3456 …" with a wrong key)
        written = m.group(0)
        # "4970 1012 3456 7893 12/27": the regex also took the month of the expiry date
        glued = m.group(1) and text[m.end():m.end() + 1] == "/"
        for candidate in (written, written[:written.rfind(m.group(1))] if glued else ""):
            digits = re.sub(r"\D", "", candidate)
            if card_number_ok(digits):
                if not _is_reference(text, m.start()):
                    yield Span(m.start(), m.start() + len(candidate), PiiKind.CARD_NUMBER.value, candidate, digits)
                break


def card_number_ok(digits: str) -> bool:
    """Luhn, and a length its network uses: Visa (4…) 13, 16 or 19 digits; Mastercard 2-series
    (2221–2720) 16; Amex, Diners, JCB (3…), Mastercard, Maestro (5…), Discover, UnionPay (6…)
    13 to 19. Test numbers (4111 1111 1111 1111, 4242…) are not personal data."""
    from stdnum import luhn

    length = len(digits)
    if not 13 <= length <= 19 or digits[0] not in "23456" or len(set(digits)) <= 2:
        return False
    if digits[0] == "4" and length not in (13, 16, 19):
        return False
    if digits[0] == "2" and (length != 16 or not 2221 <= int(digits[:4]) <= 2720):
        return False
    return luhn.is_valid(digits)


def find_birth_dates(text: str) -> Iterator[Span]:
    if not BIRTH_HINT.search(text.lower()):
        return
    folded = fold(text)
    dates = [(m, iso) for m in DATE.finditer(folded) if (iso := _iso_date(m))]
    if not dates:
        return
    # "ne le" typed without its accent is also "je ne le savais pas": then the date must follow at once
    cues = [(c.end(), text[c.start():c.start() + 2].lower() == "ne") for c in BIRTH_CUE.finditer(folded)]
    for i, (m, iso) in enumerate(dates):
        previous_end = dates[i - 1][0].end() if i else 0
        # the first date after a cue, within 60 characters; or a date followed by "(date de naissance)"
        before = any(previous_end <= cue <= m.start() and m.start() - cue <= 60
                     and not (bare and folded[cue:m.start()].strip(" :,-")) for cue, bare in cues)
        if before or CUE_AFTER.match(folded, m.end()):
            yield Span(m.start(), m.end(), PiiKind.BIRTH_DATE.value, text[m.start():m.end()], iso)


def _iso_date(m: re.Match[str]) -> str | None:
    g = m.groups()
    if g[0]:
        day, month, year = int(g[0]), int(g[2]), int(g[3])
        if len(g[3]) == 2:
            year += 1900 if year > date.today().year % 100 else 2000
    elif g[4]:
        day, month, year = (1 if g[4] == "1er" else int(g[4])), _MONTHS[g[5]], int(g[6])
    else:
        year, month, day = int(g[7]), int(g[8]), int(g[9])
    try:
        born = date(year, month, day)
    except ValueError:
        return None
    return born.isoformat() if year >= 1900 and born <= date.today() else None


def find_addresses(text: str) -> Iterator[Span]:
    if not POSTCODE.search(text):
        return
    for m in ADDRESS.finditer(text):
        city = m.group(0).rsplit(" ", 1)[-1]
        if city.lower() in NOT_A_CITY:
            continue
        yield Span(m.start(), m.end(), PiiKind.POSTAL_ADDRESS.value, m.group(0), " ".join(m.group(0).split()))


class PhoneFinder:
    """Phone numbers through the ``phonenumbers`` matcher, minus the allowed public numbers."""

    def __init__(self, region: str = "FR", allow: Sequence[str] = (), validation: str = "valid"):
        import phonenumbers

        self.phonenumbers = phonenumbers
        self.region = region
        self.leniency = (phonenumbers.Leniency.VALID if validation == "valid"
                         else phonenumbers.Leniency.POSSIBLE)
        self.allowed = {self.e164(n) for n in allow}

    def e164(self, number: str) -> str:
        try:
            parsed = self.phonenumbers.parse(number, self.region)
        except self.phonenumbers.NumberParseException:
            return re.sub(r"\D", "", number)
        return self.phonenumbers.format_number(parsed, self.phonenumbers.PhoneNumberFormat.E164)

    def __call__(self, text: str) -> Iterator[Span]:
        if not PHONE_HINT.search(text):
            return
        fmt = self.phonenumbers.PhoneNumberFormat.E164
        for m in self.phonenumbers.PhoneNumberMatcher(text, self.region, leniency=self.leniency):
            if _inside_a_number(text, m.start) or BEFORE_A_NUMBER.match(text, m.end):
                continue  # a piece of a longer number (an invalid card or IBAN, a reference)
            value = self.phonenumbers.format_number(m.number, fmt)
            if value not in self.allowed:
                start, end = _without_stray_brackets(text, m.start, m.end)
                yield Span(start, end, PiiKind.PHONE.value, text[start:end], value)


def _without_stray_brackets(text: str, start: int, end: int) -> tuple[int, int]:
    """The matcher keeps an opening bracket ("(07 64 57 93 76)" → "(07 64 57 93 76"): drop it."""
    while start < end and text[start] == "(" and text.count(")", start, end) < text.count("(", start, end):
        start += 1
    return start, end


# --- the stage ---------------------------------------------------------------------------------
class DetectPii:
    """Assign ``pii_spans`` (every item found, in text order) and ``pii`` (their kinds)."""

    name: ClassVar[str] = "pii"
    version: ClassVar[str] = "1"
    requires: ClassVar[frozenset[str]] = frozenset({"text"})
    assigns: ClassVar[frozenset[str]] = frozenset({"pii", "pii_spans"})

    def __init__(self, settings: PiiSettings | None = None):
        self.settings = settings or PiiSettings()
        phones = PhoneFinder(self.settings.phone_region, self.settings.allow_numbers,
                             self.settings.phone_validation)
        # in order of precedence: an item overlapping one found earlier is dropped
        self.finders: list[Callable[[str], Iterable[Span]]] = [
            find_emails, find_numbers, phones, find_birth_dates, find_addresses]

    @classmethod
    def from_settings(cls, settings: Settings) -> DetectPii:
        return cls(settings.pii)

    def process(self, docs: Sequence[Doc]) -> None:
        for doc in docs:
            spans = self.find(doc.text)
            doc.analysis.pii_spans = spans
            doc.analysis.pii = kinds(spans)

    def find(self, text: str) -> list[Span]:
        """Every item of personal data in ``text``, in text order."""
        if not WORTH_A_LOOK.search(text):
            return []
        # decomposed accents ("ne\u0301e le", "rue E\u0301mile Zola") would break the cues and street names,
        # no-break spaces the numbers: read the text as ``reading_copy`` gives it, and map the spans back
        base, index = reading_copy(text)
        found: list[Span] = []
        for finder in self.finders:
            for span in finder(base):
                if not any(s.start < span.end and span.start < s.end for s in found):
                    found.append(span)
        spans = spans_back_into(text, index, sorted(found, key=lambda s: s.start))
        for span in spans if index is not None else ():  # values of words keep their accents: "rue Émile Zola"
            if span.kind == PiiKind.POSTAL_ADDRESS.value:
                span.value = unicodedata.normalize("NFC", " ".join(span.text.split()))
            elif span.kind == PiiKind.EMAIL.value:
                span.value = unicodedata.normalize("NFC", span.text).lower()
        return spans


def kinds(spans: Sequence[Span]) -> list[str]:
    """The kinds present among ``spans``, in the order of ``PiiKind``."""
    present = {s.kind for s in spans}
    return [kind.value for kind in PiiKind if kind in present]


def find_pii(text: str, settings: PiiSettings | None = None) -> list[Span]:
    """The personal data of one text (builds a detector each call: use ``DetectPii`` for many)."""
    return DetectPii(settings).find(text)
