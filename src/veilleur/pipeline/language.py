"""The ``language`` stage: which language a post is in, reliable on short posts.

Where the usual language is French, a post made of enough words that only French uses this
often ("je", "les", "pas", "vous"...) is French without asking lingua: three posts in four on
the team's corpus, with one disagreement in 5,152, where lingua was the one wrong.
Otherwise, lingua-language-detector, restricted to the configured languages (fewer languages: faster and
fewer confusions). Two passes: lingua's fast low-accuracy mode first, accepted when it is sure
on a text long enough and confirms the platform's tag or the prior; otherwise the high-accuracy
mode, whose confidence values are weighed with the platform's own tag and the deployment's usual
language (``prior``, French by default):
a near-tie goes to the platform's tag, then to the prior, because "merci" or "ok top" alone says
little and most posts a French bank receives are French. The platform's tag alone is never
trusted: it must be among the detector's plausible answers.

Imports ``pipeline.base``, ``settings`` and lingua.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import ClassVar

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from veilleur.errors import ConfigError
from veilleur.pipeline.base import Doc
from veilleur.pipeline.text import HANDLE
from veilleur.settings import LanguageSettings, Settings

LETTERS = re.compile(r"[^\W\d_]+")
# Words that only French uses this often: a post made of enough of them is French without asking
# lingua (most posts a French bank receives; lingua stays the judge of everything else).
FRENCH_ONLY = frozenset({
    "le", "les", "des", "du", "et", "est", "je", "pas", "une", "pour", "dans", "avec", "cette", "mon", "mes",
    "vous", "nous", "il", "elle", "au", "aux", "ne", "sont", "mais", "tres", "très", "ai", "c", "j", "l",
    "d", "qu", "ça", "ca", "suis", "été", "ete", "fait", "depuis", "toujours", "chez", "leur", "leurs",
    "sur", "encore", "notre", "votre", "quand", "comme", "aussi", "bien", "merci", "bonjour", "rien", "même",
    "meme", "peut", "faut",
})
FRENCH_MIN_WORDS = 3
FRENCH_MIN_SHARE = 0.2
FAST_PASS_MIN_CHARS = 40
NEAR_TIE = 0.5  # a tag or prior within half of the best confidence is taken


def _languages(codes: Sequence[str]) -> list[Language]:
    found = []
    for code in codes:
        try:
            found.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except AttributeError as exc:
            raise ConfigError(f"language.languages: unknown ISO 639-1 code {code!r}") from exc
    if len(found) < 2:
        raise ConfigError("language.languages: give at least two languages to tell apart")
    return found


@cache
def _detectors(codes: tuple[str, ...]) -> tuple[LanguageDetector, LanguageDetector]:
    languages = _languages(codes)
    fast = (LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode()
            .with_preloaded_language_models().build())
    slow = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
    return fast, slow


def _plainly_french(letters: str) -> bool:
    words = letters.lower().split()
    hits = sum(w in FRENCH_ONLY for w in words)
    return hits >= FRENCH_MIN_WORDS and hits >= FRENCH_MIN_SHARE * len(words)


def _without_names(words: list[str]) -> str:
    """The words without acronyms and capitalised names, unless too little would be left.

    Brand names say nothing of the language and mislead on short posts ("Merci LCL" read as
    Portuguese); a capitalised word after the first is most often a name in French.
    """
    kept = [w for i, w in enumerate(words) if not ((len(w) > 1 and w.isupper()) or (i and w[0].isupper()))]
    return " ".join(kept if sum(map(len, kept)) >= 4 else words)


class DetectLanguage:
    """Assign ``language`` (ISO 639-1 code) and its confidence in ``scores['language']``."""

    name: ClassVar[str] = "language"
    version: ClassVar[str] = "1"
    requires: ClassVar[frozenset[str]] = frozenset({"clean_text"})
    assigns: ClassVar[frozenset[str]] = frozenset({"language"})

    def __init__(self, settings: LanguageSettings | None = None):
        self.settings = settings or LanguageSettings()
        self.fast, self.slow = _detectors(tuple(self.settings.languages))
        self.codes = set(self.settings.languages)

    @classmethod
    def from_settings(cls, settings: Settings) -> DetectLanguage:
        return cls(settings.language)

    def process(self, docs: Sequence[Doc]) -> None:
        for doc in docs:
            code, confidence = self.detect(doc.analysis.clean_text or "", doc.post.language)
            doc.analysis.language = code
            doc.analysis.scores["language"] = round(confidence, 3)

    def detect(self, text: str, platform_tag: str | None = None) -> tuple[str | None, float]:
        letters = _without_names(LETTERS.findall(HANDLE.sub(" ", text)))
        tag = (platform_tag or "").split("-")[0].lower() or None
        if len(letters) - letters.count(" ") < self.settings.min_chars:  # letters: words joined by one space
            return None, 0.0  # emoji, handles, "ok": nothing to go on, and a tag alone is not trusted
        if self.settings.prior == "fr" and _plainly_french(letters):
            return "fr", 1.0
        if len(letters) >= FAST_PASS_MIN_CHARS:
            best = self.fast.compute_language_confidence_values(letters)[0]
            code = best.language.iso_code_639_1.name.lower()
            # the trigram-only fast mode can be sure and wrong ("des éoliennes en altitude" → pt):
            # it only confirms what the tag or the prior expect, anything else gets the slow pass
            if best.value >= self.settings.sure and code in (tag, self.settings.prior):
                return code, best.value
        values = {v.language.iso_code_639_1.name.lower(): v.value
                  for v in self.slow.compute_language_confidence_values(letters)}
        top_code = max(values, key=values.__getitem__)
        if values[top_code] <= 0.0:  # a script none of the configured languages is written in
            return None, 0.0
        for preferred in (tag, self.settings.prior):
            if preferred in values and values[preferred] >= NEAR_TIE * values[top_code]:
                return preferred, values[preferred]
        return top_code, values[top_code]
