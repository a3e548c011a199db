"""The French (and a little English) wording the reply policy looks for, and the default lexicons.

Every pattern runs on ``pipeline.text.fold(text)`` (lower case, no accents, one apostrophe),
whose offsets are those of the original text, so a match is a span of the reply as written.
A space in a pattern below stands for any run of white space (non-breaking ones included), and
" ?" for optional white space.

What lives here: the kinds of data a reply may ask for (``DATA_LABELS``), the phrases that make
a sentence a request, negations, hand-offs to a private or secure channel, account-specific
statements, consumer-credit promotion, and the default review lexicon. Imports
``pipeline.text`` and the standard library only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from veilleur.pipeline.text import fold

DEFAULT_CREDIT_MENTION = ("Un crédit vous engage et doit être remboursé. "
                          "Vérifiez vos capacités de remboursement avant de vous engager.")
DEFAULT_SECURE_LINK = "https://www.banque-exemple.fr/contact"
DEFAULT_SECURE_TEXT = ("Pour votre sécurité, nous ne traitons pas les données personnelles ici : "
                       "poursuivons l'échange sur notre canal sécurisé {link}")

DATA_LABELS: dict[str, tuple[str, str]] = {
    # what a policy may allow in private messages (the first three by default)
    "surname": ("nom", "surname"),
    "first_name": ("prénom", "first name"),
    "birth_date": ("date de naissance", "date of birth"),
    "postal_address": ("adresse postale", "postal address"),
    "email": ("adresse e-mail", "e-mail address"),
    "phone": ("numéro de téléphone", "phone number"),
    "customer_number": ("numéro client", "customer number"),
    "account_number": ("numéro de compte (RIB)", "account number (RIB)"),
    "iban": ("IBAN", "IBAN"),
    "nir": ("numéro de sécurité sociale", "social-security number"),
    # never asked, anywhere: the usual phishing bait
    "card_number": ("numéro de carte", "card number"),
    "card_code": ("code confidentiel de carte (PIN)", "card PIN"),
    "cvv": ("cryptogramme visuel (CVV)", "card security code (CVV)"),
    "password": ("mot de passe ou identifiants", "password or login credentials"),
    "security_code": ("code de sécurité (SMS, validation)", "security or one-time code"),
}
NEVER_ASKED = frozenset({"card_number", "card_code", "cvv", "password", "security_code"})
ASKABLE = tuple(k for k in DATA_LABELS if k not in NEVER_ASKED)
DEFAULT_ALLOWED_PRIVATE = ("surname", "first_name", "birth_date")


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace(" ?", r"\s*").replace(" ", r"\s+"))


POSSESSIVE = r"(?:votre|vos|ton|ta|tes|your)"
_POSSESSIVE_BEFORE = _rx(rf"\b{POSSESSIVE} ?$")
_LIST_SEPARATOR = _rx(rf"^ ?(?:,|/|\+|&|\bet\b|\bou\b|\band\b|\bor\b)(?: ?(?:et|ou)\b)? ?(?:{POSSESSIVE}\b ?)?$")
_NOT_A_SECRET_CODE = ("postal|postaux|promo|promotionnel|bic|iban|swift|guichet|banque|etablissement|parrainage|"
                      "client|agence|avantage|reduction|de reduction|source|civil|penal|monetaire|"
                      "de la consommation|du travail|de conduite|de la route")

# (kind, pattern, needs a possessive right before it: "votre nom", not "au nom de")
_DATA_PATTERNS: list[tuple[str, re.Pattern[str], bool]] = [(kind, _rx(p), poss) for kind, p, poss in [
    ("card_number", r"\b(?:numeros?|n°|no|num) (?:de )?(?:(?:votre|ta|la) )?cartes?"
                    r"(?: bancaires?| bleues?| de credit| de paiement| visa| mastercard| cb)?\b", False),
    ("card_number", r"\b(?:les )?(?:16|seize) chiffres\b|\b(?:credit |debit )?card (?:number|details)\b", False),
    ("card_code", r"\bcodes? (?:pin|confidentiels?|secrets?|de (?:la |votre |ta )?carte|carte(?: bancaire)?|cb)\b"
                  r"|\bpin(?: code| number)?\b", False),
    ("cvv", r"\b(?:cvv2?|cvc2?|cryptogrammes?(?: visuels?)?|(?:3|trois) (?:derniers )?chiffres (?:au|du) dos)\b",
     False),
    ("password", r"\bmots? de passe\b|\bidentifiants(?: de connexion)?\b|\bidentifiant de connexion\b"
                 r"|\bcodes? d'acces\b|\bpass(?:word|code)s?\b|\blogin details\b|\bcredentials\b", False),
    ("security_code", r"\bcodes?(?: (?:de |d')(?:securite|validation|confirmation|verification|authentification"
                      r"|activation))?(?: (?:a usage unique|unique|temporaire))?(?: que vous (?:avez|venez d'etre)"
                      r"| qui vous a ete| qui vous est)? (?:recu|envoye|transmis|adresse)e?s? (?:par|via) "
                      r"(?:sms|texto|message|e-?mail|mail|telephone)\b", False),
    ("security_code", r"\bcodes? (?:de |d')(?:securite|validation|confirmation|verification|authentification"
                      r"|activation)\b|\bcodes? (?:sms|otp|3d ?secure|a usage unique|unique)\b|\botp\b"
                      r"|\b(?:verification|security|one-time|one time|sms|otp) (?:code|passcode)\b", False),
    ("security_code", rf"\bcodes?\b(?! (?:{_NOT_A_SECRET_CODE})\b)", True),
    ("surname", r"\bnoms?(?: de famille| complets?| d'usage)?\b|\b(?:surname|(?:last|family|full) name|name)\b",
     True),
    ("first_name", r"\bprenoms?\b|\bfirst names?\b", True),
    ("birth_date", r"\bdates? de naissance\b|\bdate of birth\b|\bddn\b|\bdob\b", False),
    ("postal_address", r"\badresses? (?:postales?|de domicile|completes?)\b|\b(?:postal|home) address\b", False),
    ("postal_address", r"\badresses?\b(?! (?:e-?mail|mail|electronique|courriel|mel)\b)|\baddress\b", True),
    ("email", r"\b(?:adresses? )?(?:e-?mails?|mail|courriel|mel)\b|\badresses? electroniques?\b", True),
    ("phone", r"\b(?:numeros? de )?(?:telephone|portable|mobile)\b|\btel\b|\b(?:phone|mobile)(?: number)?\b", True),
    ("customer_number", r"\b(?:numeros?|n°|no) (?:de )?client\b|\bcustomer (?:number|id)\b", False),
    ("customer_number", r"\bidentifiant(?: client)?\b", True),
    ("account_number", r"\b(?:numeros?|n°|no) (?:de )?comptes?(?: bancaires?| courants?)?\b|\brib\b"
                       r"|\bcoordonnees bancaires\b|\breleve d'identite bancaire\b"
                       r"|\b(?:bank )?account number\b|\bsort code\b", False),
    ("iban", r"\biban\b", False),
    ("nir", r"\bnumeros? de securite sociale\b|\bnumero de secu\b|\bnir\b|\bsocial security number\b", False),
]]

_VERBS = (r"(?:envoyer|transmettre|communiquer|indiquer|donner|preciser|confirmer|renseigner|partager|fournir"
          r"|ecrire|redonner|adresser|faire parvenir|dire|repondre avec)")
REQUEST = _rx("|".join([
    r"\b(?:envoyez|transmettez|communiquez|indiquez|donnez|precisez|confirmez|renseignez|partagez|fournissez"
    r"|ecrivez|redonnez|adressez|faites(?:-| )?(?:nous )?parvenir)\b",
    r"\b(?:envoie|transmets|communique|indique|donne|precise|confirme|partage|ecris|redonne)(?:-| )(?:nous|moi)\b",
    r"(?:\bnous(?: l'| les?| la)?|\bmerci d(?:e |')|\bveuillez|\bpouvez(?:-| )vous|\bpourriez(?:-| )vous"
    r"|\bvous pou(?:vez|rriez)|\bhesitez pas a|\bsuffit de|\bpensez a|\bprie de)"
    rf" ?(?:nous )?(?:l'|les? |la )?{_VERBS}\b",
    r"\bquel(?:le)?s? (?:est|sont|serai(?:en)?t) " + POSSESSIVE + r"\b",
    r"(?:\bnous |\bon |\bj')(?:n' ?)?(?:avons|aurions|aurons|a|aura|aurait|ai|aurais) (?:pas |plus )?besoin d",
    r"\bil (?:ne )?(?:nous|me) (?:faut|faudrait|faudra)\b",
    r"\b(?:send|dm|message|share|provide|give|tell|confirm|text|email)(?: (?:us|me))? (?:with )?(?:your|the|a|us)\b",
    r"\bwhat(?:'s| is| are) your\b|\bwe(?:'ll| will| would|'d)? need\b|\breply with\b",
    r"\bcan you (?:send|share|give|tell|confirm|provide)\b",
]))
NEGATION = _rx(r"\bne\b|(?<!\w)n'|\bjamais\b|\bni\b|\bnever\b|\bnot\b|\bdon't\b|\bdo not\b")
NOT_A_NEGATION = _rx(r"n'hesite[sz]? pas|ne pas hesiter|n'oubli(?:e|ez) pas|ne manquez pas|don't hesitate"
                     r"|do not hesitate|don't forget|do not forget")
CLAUSE_BREAK = _rx(r"[,;:]|\bmais\b|\bbut\b|\bcependant\b|\btoutefois\b")
PRIVATE_CHANNEL = _rx(r"\b(?:mp|dm|dms|messages? prives?|messagerie privee|en prive|private messages?"
                      r"|direct messages?|privately|inbox)\b")
SECURE_CHANNEL = _rx(r"\b(?:messagerie securisee|espace (?:client )?securise|espace client|canal securise"
                     r"|secure (?:channel|messaging|area))\b")
QUESTION_OPENER = _rx(rf"^[\W\d_]*(?:(?:et|and|puis|ainsi que|ou|or|{POSSESSIVE}|le|la|les|l'|the|svp|please)"
                      r"\b[\W\d_]*)*$")
SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n+")

_NOUNS = (r"(?:comptes?|cartes?|virements?|prelevements?|prets?|credits?|cheques?|operations?|paiements?"
          r"|remboursements?|decouverts?|dossiers?|contrats?|frais|agios|echeances?|soldes?|oppositions?"
          r"|transactions?|retraits?|depots?|chequiers?|livrets?)")
_DONE = (r"(?:bloque|debloque|debite|credite|cloture|ferme|rejete|refuse|annule|vire|preleve|rembourse|accorde"
         r"|valide|traite|recu|receptionne|enregistre|oppose|suspendu|saisi|envoye|expedie|renouvele|execute"
         r"|regularise|retourne|verse|modifie|resilie|impaye|effectue|transmis|ouvert|active|desactive|restreint"
         r"|gele|plafonne|augmente|diminue|mis en opposition)(?:e|es|s)?\b")
_LOOKED = r"(?:verifie|consulte|regarde|examine|analyse|controle|etudie|verification|consultation|recherche|constate)"
_SEE = r"(?:nous voyons|je vois|on voit|nous constatons|je constate|apparai(?:t|ssent)|figurent?)"
ACCOUNT_SPECIFIC = [_rx(p) for p in [
    rf"\b{POSSESSIVE} {_NOUNS}\b(?: \S+){{0,5}}? (?:a|ont|n'a|n'ont|avait|avaient) "
    rf"(?:(?:bien|deja|pas|pas encore|effectivement|toujours|jamais|ete) )*{_DONE}",
    rf"\b(?:nous avons|j'ai|on a|apres) (?:bien )?{_LOOKED}\w*(?: \S+){{0,4}}? {POSSESSIVE} {_NOUNS}\b",
    rf"\b(?:sur|dans) {POSSESSIVE} (?:compte|dossier|releve|historique)s?\b(?: \S+){{0,4}}? {_SEE}\b",
    rf"\b{_SEE}(?: \S+){{0,5}}? (?:sur|dans) {POSSESSIVE} (?:compte|dossier|releve|historique)s?\b",
    r"\b(?:votre|ton) solde\b|\byour balance\b",
    r"\byour (?:account|card|transfer|payment|loan) (?:has|have|was|were) (?:been )?\w+ed\b",
    r"\bwe(?:'ve| have)? (?:checked|looked (?:at|into)|reviewed) your (?:account|file|card|transfer|payment)\b",
]]

CREDIT_PUSH = _rx(r"\bempruntez\b|\bborrow up to\b|\bfinancez (?:(?:tous )?(?:votre|vos|ton|tes) )?(?:projets?|envies?"
                  r"|achats?|vacances|voiture|travaux|reves?)\b|\b(?:credit|pret) (?:facile|rapide|express|gratuit)\b")
CREDIT_PRODUCT = _rx(r"\b(?:credits? (?:a la )?conso(?:mmation)?|prets? perso(?:nnels?)?|credits? renouvelables?"
                     r"|reserves? d'argent|credits? (?:auto|voiture|travaux|projet)|prets? (?:auto|travaux|etudiants?"
                     r"|projet)|mini-? ?prets?|micro-? ?credits?|(?:rachats?|regroupements?) de credits?"
                     r"|location avec option d'achat|consumer credit|personal loans?)\b")
CREDIT_OFFER = _rx(r"\btaeg\b|\d(?:[.,]\d+)? ?%|\ba partir de\b|\bjusqu'a\b|\bdes \d|\boffres?\b|\bdecouvrez\b"
                   r"|\bprofitez\b|\bsimule[zr]?\b|\bsimulation\b|\bsouscri\w*|\bdemandez\b|\ben ligne\b"
                   r"|\breponse (?:de principe )?(?:immediate|rapide|en \d+)|\bsans frais\b|\bnotre\b|\bnos\b"
                   r"|\btaux (?:exceptionnel|promo\w*|avantageux|attractifs?|preferentiel|bas|reduits?|fixe)")

REVIEW_CATEGORIES: dict[str, tuple[str, str]] = {
    "promise": ("promesse de résultat", "promise of results"),
    "advice": ("conseil financier ou juridique", "financial or legal advice"),
    "liability": ("reconnaissance de responsabilité", "admission of liability"),
    "custom": ("terme du lexique de l'entité", "term from the entity's lexicon"),
}
DEFAULT_REVIEW_TERMS: dict[str, tuple[str, ...]] = {
    "promise": ("garanti", "garantie", "garanties", "garantis", "garantit", "nous garantissons", "sans risque",
                "sans aucun risque", "aucun risque", "zéro risque", "rendement assuré", "rendement garanti",
                "rentabilité assurée", "gain assuré", "gains assurés", "vous allez gagner", "vous gagnerez",
                "à coup sûr", "100 % sûr", "placement sûr", "argent facile", "sans perte"),
    "advice": ("je vous conseille d'investir", "nous vous conseillons d'investir", "je vous recommande d'investir",
               "nous vous recommandons d'investir", "je vous conseille de placer", "nous vous conseillons de placer",
               "placez votre argent", "placez vos économies", "investissez dans", "investissez en",
               "achetez des actions", "vendez vos actions", "c'est le moment d'investir", "vous devriez investir",
               "vous devriez placer", "vous devriez acheter", "vous devriez vendre", "juridiquement, vous",
               "légalement, vous avez", "la loi vous donne raison", "vous gagnerez votre procès"),
    "liability": ("c'est notre faute", "c'est de notre faute", "par notre faute", "nous reconnaissons notre erreur",
                  "nous reconnaissons notre responsabilité", "nous reconnaissons notre faute",
                  "nous sommes responsables", "nous sommes fautifs", "erreur de notre part", "faute de notre part",
                  "nous nous sommes trompés", "nous vous rembourserons intégralement", "nous vous rembourserons",
                  "nous allons vous rembourser", "nous vous indemniserons", "nous allons vous indemniser",
                  "nous prenons en charge l'intégralité", "dédommagement"),
}


@dataclass(frozen=True, slots=True)
class Mention:
    """A kind of personal data named in the reply ("votre numéro de compte"), [start, end)."""

    kind: str
    start: int
    end: int


def squash(text: str) -> str:
    """Folded text with every run of non-letters and non-digits made one space: for tolerant matching."""
    return " ".join(re.findall(r"[^\W_]+", fold(text)))


def sentences(folded: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence, its closing punctuation included (a dot inside a URL does not cut)."""
    spans, start = [], 0
    for match in SENTENCE_END.finditer(folded):
        if folded[start:match.end()].strip():
            spans.append((start, match.end()))
        start = match.end()
    if folded[start:].strip():
        spans.append((start, len(folded)))
    return spans


def mentions(folded: str, start: int, end: int) -> list[Mention]:
    """The data kinds named in folded[start:end]; a "votre" carries over a list ("vos nom, prénom")."""
    found = []
    for kind, pattern, possessive in _DATA_PATTERNS:
        found.extend((m.start(), m.end(), kind, possessive) for m in pattern.finditer(folded, start, end))
    found.sort(key=lambda f: (f[0] - f[1], f[0]))  # longest first: "code reçu par SMS" beats "code"
    kept: list[tuple[int, int, str, bool]] = []
    for s, e, kind, poss in found:
        if all(e <= ks or s >= ke for ks, ke, _, _ in kept):
            kept.append((s, e, kind, poss))
    result: list[Mention] = []
    for s, e, kind, needs_possessive in sorted(kept):
        before = folded[max(start, s - 12):s]
        chained = bool(result) and _LIST_SEPARATOR.search(folded[result[-1].end:s]) is not None
        if not needs_possessive or _POSSESSIVE_BEFORE.search(before) or chained:
            result.append(Mention(kind, s, e))
    return result


def term_pattern(term: str) -> re.Pattern[str]:
    """A lexicon term as a pattern: folded, words on word boundaries, any spacing or apostrophe between
    words, and a trailing ``*`` for any ending ("rembourse*")."""
    tokens = re.findall(r"\w+\*?|[%€$]", fold(term))
    if not tokens:
        raise ValueError(f"review term {term!r} has no word in it")
    words = [token not in "%€$" for token in tokens]
    parts = []
    for index, token in enumerate(tokens):
        if index:
            parts.append(r"[\s'\-]+" if words[index] and words[index - 1] else r"\s*")
        parts.append(re.escape(token[:-1]) + r"\w*" if token.endswith("*") else re.escape(token))
    tail = r"(?!\w)" if words[-1] and not tokens[-1].endswith("*") else ""
    head = r"(?<!\w)" if words[0] else ""
    return re.compile(head + "".join(parts) + tail)


@lru_cache(maxsize=64)
def review_patterns(additions: tuple[str, ...]) -> list[tuple[str, str, re.Pattern[str]]]:
    """(category, term, pattern) for the default lexicon and an entity's additions ("custom")."""
    entries = [(category, term) for category, terms in DEFAULT_REVIEW_TERMS.items() for term in terms]
    entries += [("custom", term) for term in additions]
    return [(category, term, term_pattern(term)) for category, term in entries]
