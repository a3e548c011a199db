"""Words of a post for the watch: tokens, hashtags, bigrams, and the stop words left out.

The stop-word list is written here (French, plus the English function words that show up in
French posts) rather than taken from a library, because the usual lists (NLTK, spaCy) would
bring a large dependency and data files for a few hundred words, and because social posts need
their own additions (« mdr », « svp », « rt »). Imports the standard library only.
"""
from __future__ import annotations

import itertools
import re
import unicodedata

STOP_WORDS = frozenset({
    "a", "à", "ai", "aie", "aient", "aies", "ait", "alors", "as", "au", "aucun", "aucune", "aujourd", "aujourdhui",
    "aupres", "auquel", "aura", "aurai", "auraient", "aurais", "aurait", "auras", "aurez", "auriez", "aurions",
    "aurons", "auront", "aussi", "autre", "autres", "aux", "auxquelles", "auxquels", "avaient", "avais", "avait",
    "avant", "avec", "avez", "aviez", "avions", "avoir", "avons", "ayant", "ayez", "ayons", "bah", "bcp",
    "beaucoup", "bien", "bon", "bref", "c", "ca", "ça", "car", "ce", "ceci", "cela", "celle", "celles", "celui",
    "cependant", "certain", "certaine", "certaines", "certains", "ces", "cet", "cette", "ceux", "chaque", "chez",
    "ci", "comme", "comment", "d", "dans", "de", "des", "deja", "déjà", "depuis", "devrait", "dire", "dit", "dois",
    "doit", "donc", "dont", "du", "elle", "elles", "en", "encore", "entre", "es", "est", "et", "etaient", "étaient",
    "etais", "étais", "etait", "était", "etant", "étant", "ete", "été", "etes", "êtes", "etre", "être", "eu", "eue",
    "eues", "eurent", "eus", "eusse", "eut", "eux", "fait", "faire", "fais", "faut", "fois", "font", "fut", "g",
    "genre", "grave", "h", "hein", "hier", "ici", "il", "ils", "j", "jai", "je", "jusqu", "jusque", "l", "la", "là",
    "laquelle", "le", "lequel", "les", "lesquelles", "lesquels", "leur", "leurs", "lui", "m", "ma", "mais", "me",
    "meme", "même", "mes", "mdr", "moi", "mon", "mtn", "n", "na", "ne", "ni", "non", "nos", "notre", "nous", "on",
    "ont", "ou", "où", "oui", "par", "parce", "pas", "peu", "peut", "peuvent", "plus", "plutot", "plutôt", "pour",
    "pourquoi", "pr", "pq", "ptdr", "qd", "qu", "quand", "que", "quel", "quelle", "quelles", "quels", "qui", "quoi",
    "rien", "rt", "s", "sa", "sans", "se", "sera", "serai", "seraient", "serais", "serait", "seras", "serez",
    "seriez", "serions", "serons", "seront", "ses", "si", "sinon", "slt", "soi", "soient", "sois", "soit", "sommes",
    "son", "sont", "sous", "stp", "svp", "sur", "t", "ta", "tant", "te", "tes", "toi", "ton", "tous", "tout",
    "toute", "toutes", "tres", "très", "tu", "un", "une", "vers", "via", "voila", "voilà", "vos", "votre", "vous",
    "vs", "y", "the", "and", "for", "you", "your", "this", "that", "with", "are", "was", "have", "has", "not",
    "but", "what", "all", "can", "just", "from", "they", "will", "out", "about", "http", "https", "www", "com", "fr"
})

TOKEN = re.compile(r"#\w+|@\w+|[^\W\d_](?:[\w'’-]*\w)?", re.UNICODE)
URL = re.compile(r"https?://\S+")


def _fold_table() -> dict[int, str]:
    """Latin letters with diacritics → their base letters (« é » → « e », « ç » → « c »), for ``str.translate``."""
    table = {}
    for code in range(0xC0, 0x250):
        base = "".join(ch for ch in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(ch))
        if base and base != chr(code):
            table[code] = base
    return table


FOLD = _fold_table()


def fold(text: str) -> str:
    """Lower-case without accents, so that « Hélios » and « helios » are one term."""
    return text.lower().translate(FOLD)


def tokens(text: str) -> list[str]:
    """Folded words and hashtags of ``text``; handles, links and elisions (« l' », « qu' ») left out."""
    found = []
    for raw in TOKEN.findall(fold(URL.sub(" ", text)).replace("’", "'")):
        if raw.startswith("@"):
            continue
        word = raw
        if "'" in word and not word.startswith("#"):
            word = word.rsplit("'", 1)[-1]
        if word and not word.startswith("#"):
            word = word.strip("-")
        if word:
            found.append(word)
    return found


def terms(text: str, min_length: int = 3, words: list[str] | None = None) -> list[str]:
    """Content words, hashtags and two-word phrases of ``text`` (each once), for trending terms.

    ``words``: the ``tokens`` of ``text`` when the caller already has them.
    """
    words = [w for w in (tokens(text) if words is None else words)
             if w.startswith("#") or (len(w) >= min_length and w not in STOP_WORDS)]
    phrases = [f"{a} {b}" for a, b in itertools.pairwise(words)
               if not a.startswith("#") and not b.startswith("#")]
    return list(dict.fromkeys(words + phrases))
