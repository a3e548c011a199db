"""The ``bank`` stage: which configured brands a post mentions, and which bank it is mainly about.

Mentions come from @handles, #hashtags, aliases (accent- and case-insensitive, on word
boundaries, whatever white space is typed between their words; "LCL" and "CIC" are aliases, as
"lcl" and "cic" mean nothing else), exact-case acronyms ("SG", "CA", "LBP"; a lower-case form
that is also a word or a currency, "lbp", is an ``ambiguous`` name in the brand list), product
names and links to a brand's domain. A name of two words or more (ten letters at least) is also
found with one slip: a letter left out, added, changed or two neighbours swapped ("Crédit
Agricol", "Societe Generalle", "Banque Postal"), or its words joined by a hyphen; a one-word name
is not, because one edit turns too many of them into French words (Fortuneo → "fortune").
Context rules keep false friends out:
- ``ambiguous`` names (Nickel, Shine, Orange) and two-letter acronyms (SG, CA, BP) count only
  when the post also speaks of banking, and never in idioms ("c'est nickel", "nickel chrome");
- two-letter acronyms are not read in all-caps rants ("CA FAIT 3 JOURS"), and no acronym or
  name is read inside a word or a URL (a link counts only through its host: ``domains``).
Spans point into the text as given, also when its accents are decomposed (NFD).
A regional bank maps to its ``network`` unless an entity of the organisation owns it. The main
bank is the best-scored brand (handles and hashtags weigh more than a passing name; the first
mention breaks ties); a post by one of the organisation's own accounts is about its brand.

Imports ``core``, ``pipeline.base``, ``pipeline.text``, ``settings`` and symspellpy's edit distance.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import pairwise
from typing import ClassVar
from urllib.parse import urlsplit

from symspellpy.editdistance import DistanceAlgorithm, EditDistance

from veilleur.core.labels import Span
from veilleur.core.organisation import Brand, Organisation
from veilleur.pipeline.base import Doc
from veilleur.pipeline.text import URL, fold, reading_copy, spans_back_into, spans_overlap
from veilleur.settings import Settings

WEIGHTS = {"handle": 3.0, "hashtag": 2.0, "alias": 2.0, "acronym": 1.5, "product": 1.0, "domain": 1.0}
# "client" and "carte SIM" are not banking: "Orange a coupé ma box, service client nul".
BANKING_CONTEXT = re.compile(
    r"\b(banques?|bancaires?|comptes?|cartes?(?! sim\b)|cb|virements?|prelevements?|rib|iban|agences?|"
    r"conseill\w*|frais|agios|decouverts?|credits?|prets?|livrets?|epargne|appli\w*|neobanques?|"
    r"paiements?|retraits?|dab|gab|distributeurs?|cheques?|chequiers?|plafonds?|faillite|abonnements?|"
    r"(?:micro|auto).?entrepreneurs?|especes|bank|accounts?|cards?)\b")
IDIOMS = re.compile(r"(c'?est|cest|tout|nickel)\s+(?:\w+\s+)?nickel|nickel\s+(chrome|!|merci|impec)|"
                    r"\bshine\s+(bright|on)\b|\borange\s+(mecanique|pressee|fruit|sanguine)\b")


def load_brands(organisation: Organisation) -> list[Brand]:
    """The default French brand list (unless disabled) with the organisation's brands on top."""
    brands: dict[str, Brand] = {}
    if organisation.include_default_brands:
        data = tomllib.loads(resources.files("veilleur.pipeline.resources.fr")
                             .joinpath("brands.toml").read_text(encoding="utf-8"))
        brands = {b["name"]: Brand(**b) for b in data["brands"]}
    brands.update({b.name: b for b in organisation.brands})
    return list(brands.values())


@dataclass(frozen=True, slots=True)
class _Term:
    brand: str
    kind: str
    needs_context: bool


@dataclass(frozen=True, slots=True)
class _NearName:
    """A name of several words that may be found with one slip, seen from one of its words."""

    brand: str
    words: tuple[str, ...]
    position: int  # of the anchoring word in ``words``


NEAR_MIN_LETTERS = 10  # "la BNP" or "Hello bank" with one slip is too often something else
NEAR_MIN_WORD = 5  # a slip in a shorter word makes another word ("ag" → "a", "agri" → "agro")
_WORD = re.compile(r"[^\W_]+")
_WORD_GAP = re.compile(r"[\s'’\-]*")  # between the words of one name: not a full stop or a comma
_OSA = EditDistance(DistanceAlgorithm.DAMERAU_OSA)


class BrandMatcher:
    """All brand terms compiled into a few regular expressions."""

    def __init__(self, brands: Sequence[Brand]):
        self.folded: dict[str, _Term] = {}
        self.exact: dict[str, _Term] = {}
        self.handles: dict[str, str] = {}
        self.hashtags: dict[str, str] = {}
        self.domains: dict[str, str] = {}
        self.near: dict[str, list[_NearName]] = {}  # a word of a long name → the names that hold it
        for b in brands:
            self._add_brand(b)
        self.folded_re = _alternation(self.folded, flags=0)
        self.exact_re = _alternation(self.exact, flags=0)

    def _add_brand(self, b: Brand) -> None:
        for alias in b.aliases:
            self.folded[_spaced(fold(alias))] = _Term(b.name, "alias", False)
            self._add_near_name(b.name, alias)
        for alias in b.ambiguous:
            self.folded[_spaced(fold(alias))] = _Term(b.name, "alias", True)
        for alias in b.products:
            self.folded[_spaced(fold(alias))] = _Term(b.name, "product", False)
        for alias in b.exact_aliases:
            self.exact[_spaced(alias)] = _Term(b.name, "acronym", len(alias) <= 2)
        self.handles.update({h.lstrip("@").lower(): b.name for h in b.handles})
        self.hashtags.update({fold(t.lstrip("#")): b.name for t in b.hashtags})
        self.domains.update({d.lower(): b.name for d in b.domains})

    def _add_near_name(self, brand: str, alias: str) -> None:
        words = tuple(_WORD.findall(fold(alias)))
        if len(words) < 2 or sum(map(len, words)) < NEAR_MIN_LETTERS:
            return
        for i, word in enumerate(words):
            # one slip leaves at least one word whole: the names are looked up from their whole words
            if len(word) >= 3 and not any(n.words == words for n in self.near.get(word, ())):
                self.near.setdefault(word, []).append(_NearName(brand, words, i))

    def find(self, text: str) -> list[Span]:
        """Every brand mention in ``text``, as spans into it, in order."""
        base, index = reading_copy(text)
        return spans_back_into(text, index, self._find(base))

    def _find(self, text: str) -> list[Span]:
        folded = fold(text)
        urls = [m.span() for m in URL.finditer(text)]
        # the banking context and the shouting are read only for a term that needs them (few posts)
        context: bool | None = None
        spans = self._tokens(text, folded, urls)
        for m in self.folded_re.finditer(folded) if self.folded_re else ():
            term = self.folded[_spaced(m.group(0))]
            if term.needs_context and context is None:
                context = _banking_context(folded)
            if not spans_overlap(*m.span(), urls) and (not term.needs_context or context):
                spans.append(Span(m.start(), m.end(), term.kind, text[m.start():m.end()], term.brand))
        for m in self.exact_re.finditer(text) if self.exact_re else ():
            term = self.exact[_spaced(m.group(0))]
            if term.needs_context and _mostly_upper(text):  # "CA FAIT 3 JOURS", "CE N'EST PAS NORMAL"
                continue
            if term.needs_context and context is None:
                context = _banking_context(folded)
            if not spans_overlap(*m.span(), urls) and (not term.needs_context or context):
                spans.append(Span(m.start(), m.end(), term.kind, m.group(0), term.brand))
        for start, end in urls:
            brand = self._domain_brand(text[start:end])
            if brand:
                spans.append(Span(start, end, "domain", text[start:end], brand))
        spans += self._near_names(text, folded, [(s.start, s.end) for s in spans] + urls)
        return _without_nested(sorted(spans, key=lambda s: (s.start, -(s.end - s.start))))

    def _near_names(self, text: str, folded: str, taken: list[tuple[int, int]]) -> list[Span]:
        """Names of several words typed with one slip, where nothing else was found."""
        words = list(_WORD.finditer(folded))
        found: list[Span] = []
        for i, m in enumerate(words):
            for name in self.near.get(m.group(0), ()):
                first = i - name.position
                window = words[first:first + len(name.words)] if first >= 0 else []
                if len(window) < len(name.words) or not _one_name(folded, window):
                    continue
                start, end = window[0].start(), window[-1].end()
                if spans_overlap(start, end, taken) or not _one_slip([w.group(0) for w in window], name.words):
                    continue
                found.append(Span(start, end, "alias", text[start:end], name.brand))
                taken.append((start, end))
        return found

    def _domain_brand(self, url: str) -> str | None:
        """The brand whose domain hosts ``url``: "lcl.fr" is www.lcl.fr, not msg.fr nor a path."""
        try:
            host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
        except ValueError:
            return None
        labels = host.split(".")
        for domain, brand in self.domains.items():
            if ("." in domain and (host == domain or host.endswith(f".{domain}"))) or domain in labels:
                return brand
        return None

    def _tokens(self, text: str, folded: str, urls: list[tuple[int, int]]) -> list[Span]:
        spans = []
        for m in _TOKEN.finditer(text):
            if spans_overlap(*m.span(), urls):
                continue
            body = m.group(2)
            brand = (self.handles.get(body.lower()) if m.group(1) == "@"
                     else self.hashtags.get(fold(body)))
            if brand:
                kind = "handle" if m.group(1) == "@" else "hashtag"
                spans.append(Span(m.start(), m.end(), kind, m.group(0), brand))
        return spans


_TOKEN = re.compile(r"(?<![\w@#])([@#])(\w+)")


def _alternation(terms: dict[str, _Term], flags: int) -> re.Pattern[str] | None:
    if not terms:
        return None
    # a name typed with two spaces, a no-break space or a line break between its words is the same name
    body = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![\w@#.\-/])(?:{body})(?!\w|-\w)", flags)


def _one_name(folded: str, window: list[re.Match[str]]) -> bool:
    """Whether the words of ``window`` read as one name: only spaces, hyphens or apostrophes between
    them, and not inside a handle, a hashtag or a longer word."""
    before = folded[window[0].start() - 1] if window[0].start() else " "
    return before not in "@#" and all(_WORD_GAP.fullmatch(folded, a.end(), b.start())
                                      for a, b in pairwise(window))


def _one_slip(typed: list[str], name: tuple[str, ...]) -> bool:
    """Whether ``typed`` is ``name`` (joined otherwise than by spaces) or has one slip in one of its
    words of five letters or more: "le crédit a" is not "le crédit ag" mistyped."""
    slips = [(a, b) for a, b in zip(typed, name, strict=True) if a != b]
    if len(slips) != 1:
        return not slips
    word, right = slips[0]
    return len(right) >= NEAR_MIN_WORD and _OSA.compare(word, right, 1) >= 0


def _spaced(term: str) -> str:
    """``term`` with every run of white space as one space: the key of a name however it was typed."""
    return " ".join(term.split())


def _banking_context(folded: str) -> bool:
    return bool(BANKING_CONTEXT.search(folded)) and not IDIOMS.search(folded)


def _mostly_upper(text: str) -> bool:
    upper = sum(map(str.isupper, text))
    if upper < 8:  # more than 0.6 × at least 12 letters: at least 8 capitals
        return False
    letters = sum(map(str.isalpha, text))
    return letters >= 12 and upper > 0.6 * letters


def _without_nested(spans: list[Span]) -> list[Span]:
    kept: list[Span] = []
    for span in spans:
        if kept and span.start < kept[-1].end:
            continue
        kept.append(span)
    return kept


class DetectBank:
    """Assign ``brands`` (mention spans), ``bank`` (canonical name) and ``entity``."""

    name: ClassVar[str] = "bank"
    version: ClassVar[str] = "1"
    requires: ClassVar[frozenset[str]] = frozenset({"clean_text"})
    assigns: ClassVar[frozenset[str]] = frozenset({"brands", "bank", "entity"})

    def __init__(self, organisation: Organisation | None = None):
        self.organisation = organisation or Organisation()
        brands = load_brands(self.organisation)
        self.matcher = BrandMatcher(brands)
        self.network = {b.name: b.network for b in brands if b.network}
        self.entity_of_brand = {e.brand: e.id for e in self.organisation.entities if e.brand}
        self.own_accounts = self.organisation.owned_handles()

    @classmethod
    def from_settings(cls, settings: Settings) -> DetectBank:
        return cls(settings.organisation)

    def process(self, docs: Sequence[Doc]) -> None:
        for doc in docs:
            self.detect(doc)

    def canonical(self, brand: str) -> str:
        """The brand a mention counts for: a regional bank rolls up unless it is an entity."""
        seen = set()
        while brand not in self.entity_of_brand and self.network.get(brand) and brand not in seen:
            seen.add(brand)
            brand = self.network[brand]
        return brand

    def detect(self, doc: Doc) -> None:
        a = doc.analysis
        a.brands = self.matcher.find(doc.text)
        author = doc.post.author.handle.lstrip("@").lower() if doc.post.author else None
        own_entity = self.own_accounts.get((doc.post.platform.value, author)) if author else None
        scores: dict[str, float] = {}
        for rank, span in enumerate(a.brands):
            name = self.canonical(span.value or "")
            scores[name] = scores.get(name, 0.0) + WEIGHTS[span.kind] + (0.5 if rank == 0 else 0.0)
        speaking = self.matcher.handles.get(author) if author else None
        if own_entity:
            brand = self.organisation.entity(own_entity).brand
            a.bank, a.entity = (self.canonical(brand) if brand else None), own_entity
        elif speaking and not scores:  # a brand's own account speaking of itself without naming itself
            a.bank = self.canonical(speaking)
            a.entity = self.entity_of_brand.get(a.bank)
            a.cues["bank"] = [f"@{author} (compte de la marque)"]
            a.scores["bank"] = {a.bank: 0.0}
            return
        else:
            a.bank = max(scores, key=scores.__getitem__) if scores else None
            a.entity = self.entity_of_brand.get(a.bank) if a.bank else None
        a.scores["bank"] = {k: round(v, 2) for k, v in scores.items()}
        a.cues["bank"] = [s.text for s in a.brands][:5]
