"""Build ``src/veilleur/pipeline/resources/fr/general_polarity.tsv`` from two public French lexicons.

The hand-written ``sentiment.tsv`` knows social-media French about banks and daily life; posts on
anything else (news, politics, the environment) use words it has never seen. This file adds the
general valence of some 10,000 words from two published French lexicons:

- VADER-FR (``fr_lexicon.txt`` of the PyPI package ``vaderSentiment-fr`` 1.3.4, MIT licence,
  © DEPREZ Olivier, EK Thomas, 7 Lieues Technologies): VADER's hand-rated lexicon translated by
  hand, valence -4..+4;
- Pattern's French adjectives (``fr-sentiment.xml`` of the PyPI package ``textblob-fr`` 0.2.0,
  lexicon by Tom De Smedt and Walter Daelemans, PDDL), polarity -1..+1.

Neither package is a dependency: ``vaderSentiment-fr`` pulls in the GPL ``fuzzywuzzy`` and neither
is maintained, and the product only needs the numbers. Words are folded as the analysis folds
them, each source is scaled to -1..+1, a word in both gets the mean, and words whose everyday sense
is not their banking sense ("frais" fresh/fees, "prêt" ready/loan, "intérêt", "cher", the
"Populaire" of Banque Populaire...) are left out. Deterministic: the same inputs give the same bytes.

Run (the two files come from ``pip download --no-deps vaderSentiment-fr==1.3.4 textblob-fr==0.2.0``):
    .venv/bin/python data/lexicons/build_general_polarity.py vaderSentiment_fr-1.3.4.tar.gz \
        textblob_fr-0.2.0-py2.py3-none-any.whl
"""
from __future__ import annotations

import re
import sys
import tarfile
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
from veilleur.pipeline.text import fold  # noqa: E402

OUT = ROOT / "src/veilleur/pipeline/resources/fr/general_polarity.tsv"
WORD = re.compile(r"[a-z]+")
MIN_POLARITY = 0.1
# Words whose banking sense differs from the general one, or which name a bank or a product.
BANKING_SENSE = frozenset([
    "frais", "pret", "prets", "preter", "interet", "interets", "cher", "chere", "chers", "cheres",
    "populaire", "populaires", "libre", "libres", "solde", "soldes", "soldee", "assurance",
    "assurances", "assure", "assuree", "securite", "securise", "securisee", "capital", "capitaux",
    "valeur", "valeurs", "benefice", "benefices", "premier", "premiere", "generale", "general",
    "postale", "orange", "nickel", "credit", "credits", "mutuel", "agricole", "action", "actions",
    "bon", "bons", "compte", "comptes", "change", "avoir", "avoirs", "virer", "vire", "epargne",
    "epargner", "hausse", "baisse", "gratuit", "gratuite", "gratuits", "gratuites", "caisse",
    "caisses", "banque", "banques", "argent", "cash", "client", "clients",
])


def vader(archive: Path) -> dict[str, list[float]]:
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/fr_lexicon.txt"))
        text = tar.extractfile(member).read().decode("utf-8")
    found: dict[str, list[float]] = defaultdict(list)
    for line in text.splitlines():
        word, _, value = line.rpartition("->")
        word = fold(word.strip())
        if WORD.fullmatch(word):
            found[word].append(float(value) / 4.0)
    return found


def pattern(wheel: Path) -> dict[str, list[float]]:
    with zipfile.ZipFile(wheel) as archive:
        root = ET.fromstring(archive.read("textblob_fr/fr-sentiment.xml"))
    found: dict[str, list[float]] = defaultdict(list)
    for entry in root.iter("word"):
        word = fold(entry.get("form", "").strip())
        if WORD.fullmatch(word):
            found[word].append(float(entry.get("polarity", "0")))
    return found


def merge(*sources: dict[str, list[float]]) -> dict[str, float]:
    """Per word: the mean over sources of each source's mean value."""
    merged: dict[str, list[float]] = defaultdict(list)
    for source in sources:
        for word, values in source.items():
            merged[word].append(sum(values) / len(values))
    return {w: sum(v) / len(v) for w, v in merged.items()
            if w not in BANKING_SENSE and abs(sum(v) / len(v)) >= MIN_POLARITY}


def main(vader_archive: str, pattern_wheel: str) -> None:
    table = merge(vader(Path(vader_archive)), pattern(Path(pattern_wheel)))
    lines = ["term\tpolarity"] + [f"{w}\t{p:.2f}" for w, p in sorted(table.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(table)} words → {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
