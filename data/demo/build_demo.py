"""Build the veilleur demo corpus from the hand-written sources in data/demo/src/.

Reads src/*.txt (format: src/README.md) and writes, deterministically (fixed seed):
  posts.jsonl   every post except the app-store reviews, in time order, plus 6 deliberately bad lines
  reviews.csv   the App Store / Google Play reviews
and refreshes the counts section of DATASHEET.md (between the "stats" markers).

Texts are never generated here: the script only assigns timestamps, ids, urls, authors and metrics,
and fills the personal-data placeholders with data/placeholders.py. Stdlib only (plus placeholders.py).

Usage: python data/demo/build_demo.py [--check]   (--check: build in memory, compare with the files)
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import random
import re
import sys
import unicodedata
import uuid
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from placeholders import fill  # noqa: E402

SEED = 20261001
SRC = HERE / "src"
POSTS = HERE / "posts.jsonl"
REVIEWS = HERE / "reviews.csv"
DATASHEET = HERE / "DATASHEET.md"
STATS_START, STATS_END = "<!-- stats:start -->", "<!-- stats:end -->"

PLATFORMS = {"x": "x", "fb": "facebook", "ig": "instagram", "ma": "mastodon", "bs": "bluesky",
             "fo": "forum", "tp": "trustpilot"}
BANKS = {"H": "Banque Hélios", "A": "Caisse Aurore", "K": "Kivo"}
APPS = {"H": "Hélios Mobile", "A": "Ma Caisse Aurore", "K": "Kivo"}
STORES = {"as": "app_store", "gp": "google_play"}
STORIES = ("routine", "outage", "rumour", "sponsorship", "phishing")
FORUM = "https://forum.entraide-banques.fr"
MASTODON_INSTANCES = ["mastodon.social", "piaille.fr", "framapiaf.org", "mamot.fr", "social.sciences.re"]

# Hour-of-day profile (Europe/Paris): few posts at night, peaks 9-11h and 18-21h; later mornings at weekends.
WEEKDAY_PROFILE = [2, 1, .5, .3, .3, .6, 1.5, 3, 5, 8, 8, 7, 5, 4, 3.5, 3.5, 4, 5, 10, 12, 12, 9, 5, 3]
WEEKEND_PROFILE = [3, 2, 1, .5, .3, .3, .5, 1, 2.5, 5, 7, 7, 6, 4, 4, 4, 4, 5, 9, 11, 11, 8, 5, 4]

# ---------------------------------------------------------------------------------------------------
# Named accounts: handle, display name, followers, verified, bio
NAMED = {
    "corp": ("BanqueHelios", "Banque Hélios", 48200, True,
             "Compte officiel de Banque Hélios, banque régionale en Normandie et en Provence. "
             "Service client : @Helios_Aide"),
    "aide": ("Helios_Aide", "Hélios Aide", 12400, True,
             "Le service client de Banque Hélios vous répond du lundi au vendredi de 9h à 18h. "
             "Ne communiquez jamais vos codes."),
    "norm": ("HeliosNormandie", "Hélios Normandie", 9300, True,
             "Banque Hélios en Normandie : vos agences de Rouen à Cherbourg. Service client : @Helios_Aide"),
    "prov": ("HeliosProvence", "Hélios Provence", 11800, True,
             "Banque Hélios en Provence : vos agences d'Avignon à Toulon. Service client : @Helios_Aide"),
    "aurore": ("CaisseAurore", "Caisse Aurore", 36500, True,
               "Banque coopérative et mutualiste. Nos conseillers vous répondent du lundi au samedi."),
    "kivo": ("KivoBank", "Kivo", 91000, True, "La banque dans ta poche 💜 Aide : @Kivo_Help"),
    "khelp": ("Kivo_Help", "Kivo Help", 15600, True,
              "Le support Kivo, 7j/7. Kivo ne vous demandera jamais vos codes ni de cliquer sur un lien par SMS."),
    "journo": ("InesMarchadier", "Inès Marchadier", 184000, True,
               "Journaliste économie & consommation à L'Éco du Soir. Banques, assurances, vos droits. DM ouverts."),
    "analyst": ("BLavergne_Banques", "Bertrand Lavergne", 92500, False,
                "Analyste secteur bancaire, ex-agence de notation. Opinions personnelles. Threads sur les banques françaises."),
    "troll1": ("LeVraiGrincheux", "Le Grincheux", 1800, False, "Râleur professionnel. Les banques, la météo, le reste."),
    "troll2": ("BankstersOut", "Banksters Out 🏴", 3400, False, "Contre la finance qui nous tond. Ni dieu ni frais bancaires."),
    "troll3": ("TontonSceptique", "Tonton Sceptique 🤔", 2600, False, "Je pose juste des questions. On ne nous dit pas tout."),
    "troll4": ("xXZorgXx", "Zorg", 410, False, "gamer. memes. ratio."),
    "super1": ("MamieGeek13", "Mamie Geek 👵💻", 5200, False,
               "71 ans, cliente Hélios Provence depuis 1978. J'aide comme je peux. Jamais vos codes à personne !"),
    "super2": ("Fred_Compta", "Frédéric · expert-comptable", 8700, False,
               "Expert-comptable à Lyon. Je réponds aux questions banque & fiscalité quand j'ai 5 minutes."),
    "super3": ("LaFourmiEconome", "La Fourmi Économe 🐜", 23000, False,
               "Blog budget & épargne. Livrets, néobanques, voyages pas chers."),
    "seed1": ("VeriteFinance_", "Vérité Finance", 1200, False, "Ce que les banques ne vous disent pas. Réveillez-vous."),
    "seed2": ("PatriotEco2026", "Patriote Éco", 640, False, "Économie réelle. Or, cash, liberté."),
    "seed3": ("InfoCachee_FR", "Info Cachée", 2100, False, "Les infos que les médias ne relaient pas."),
    "seed4": ("Reveil_Citoyen", "Nathalie Réveil", 880, False, "Maman, citoyenne, éveillée."),
    "fact": ("VraiOuFaux_Eco", "Vrai ou Faux Éco", 56000, False,
             "Nous vérifions les infos économiques qui circulent sur les réseaux."),
    "presse": ("EcoFlashFR", "Éco Flash", 67000, False, "L'actu économique en continu."),
    "media": ("LeFilNautique", "Le Fil Nautique", 31000, False, "Toute l'actu de la voile et de la course au large."),
    "skipper": ("MaelysRivage", "Maëlys Rivage ⛵", 14800, False, "Skippeuse normande. Course au large. Fécamp ⚓"),
    "club": ("RCCalanques", "RC Calanques 🏉", 4100, False, "Club de rugby des quartiers Nord de Marseille. École de rugby, 300 licenciés."),
    "spam": ("bonsplans_parrain", "Bons Plans Parrainage 💸", 230, False, "Codes promo, parrainages, argent facile 💰"),
}
RECRUITERS = {
    "H": ("HeliosRecrute", "Hélios Recrute", 3100, True, "Les offres d'emploi et d'alternance de Banque Hélios."),
    "A": ("AuroreCarrieres", "Caisse Aurore Carrières", 2700, True, "Rejoignez une banque coopérative."),
    "K": ("KivoJobs", "Kivo Jobs", 5400, True, "On recrute ! Paris & remote."),
}
BANK_PERSONAS = {"corp", "aide", "norm", "prov", "aurore", "kivo", "khelp"}
GENERIC = {"c", "etu", "jeu", "ret", "pro", "par", "geek"}

FIRST = ("julie thomas camille lucas léa hugo manon nathan chloé enzo sarah louis emma théo inès mathis "
         "clara maxime laura antoine marie kevin sophie nicolas céline julien anaïs romain audrey yanis "
         "karim nadia mehdi fatou sofiane amina rachid leïla bruno patrick martine sylvie gérard monique "
         "christine philippe françoise alain isabelle pascal nathalie éric valérie thierry sandrine olivier "
         "émilie jérôme aurélie cédric elodie mickaël jessica damien mélanie florian marion quentin justine "
         "baptiste pauline adrien océane dylan lola tom jade noah lina gabriel zoé raphaël alice arthur "
         "louise jules rose paul anna victor eva adam mila malik salomé ibrahim yasmine moussa aïcha "
         "samuel lucie benoît agnès hervé brigitte dominique catherine jean-marc anne-laure pierre odile "
         "mathilde gaëlle yann erwan tiphaine loïc maëlle ronan solène").split()
LAST = ("martin bernard dubois thomas robert richard petit durand leroy moreau simon laurent lefebvre michel "
        "garcia david bertrand roux vincent fournier morel girard andré lefèvre mercier dupont lambert bonnet "
        "françois martinez legrand garnier faure rousseau blanc guérin muller henry roussel nicolas perrin "
        "morin mathieu clément gauthier dumont lopez fontaine chevalier robin masson sanchez gérard nguyen "
        "boyer denis lemaire duval joly gautier roger roche roy noël meyer lucas meunier jean pérez marchand "
        "dufour blanchard marie barbier brun dumas brunet schmitt leroux colin fernandez pierre renard "
        "arnaud rolland caron aubert giraud leclerc vidal bourgeois renaud lemoine picard gaillard philippe "
        "leclercq lacroix fabre dupuis olivier rodriguez da-silva hubert louis charles guillot rivière "
        "benali haddad diallo traoré kaci mansouri ferreira lebreton quéré le-goff hamon jaouen").split()
CITIES = ["Rouen", "Caen", "Le Havre", "Évreux", "Dieppe", "Lisieux", "Bayeux", "Cherbourg", "Vernon",
          "Fécamp", "Marseille", "Aix", "Avignon", "Toulon", "Arles", "Gap", "Manosque", "Salon",
          "Valence", "Lyon", "Grenoble", "Romans", "Die", "Privas", "Montélimar", "Paris", "Lille",
          "Nantes", "Bordeaux", "Toulouse", "Montpellier", "Nice", "Rennes", "Strasbourg"]
BIOS = {
    "c": ["{city} | café, vélo et mauvaise foi", "Papa de 2 loulous. {city}.", "Ici pour râler et rigoler",
          "Infirmière de nuit, {city} 🌙", "Supporter du Stade Malherbe, de l'OM et de la sieste",
          "Amateur de randos et de fromages", "Développeur le jour, pâtissier la nuit", "{city} ☀️",
          "Prof d'histoire-géo. Les avis n'engagent que moi.", "Jardinier du dimanche 🌱 {city}",
          "Maman solo, cheffe de projet, toujours en retard", "Fan de séries et de thé", "",
          "Chauffeur routier. Je vois du pays.", "Aide-soignante 💙", "Ingé qualité, {city}",
          "Commercial, {city}. Pas de DM pro svp", "🎧🎮📚", "Électricien à mon compte", ""],
    "etu": ["Étudiante en droit à {city} 📚", "L3 éco-gestion | {city}", "Étudiant en BTS, alternant",
            "Master info, {city}", "Erasmus addict ✈️"],
    "jeu": ["20 ans | {city}", "🎮 | 🍕 | 😴", "jsp quoi mettre", "{city} 🏙️ 19y", "vibes only ✨"],
    "ret": ["Retraité de la SNCF. {city}.", "Retraitée, 4 petits-enfants, {city}", "Ancien instituteur",
            "Retraité, bricoleur, {city}"],
    "pro": ["Artisan menuisier à {city}", "Boulangère à {city} 🥖", "Freelance graphiste", "Gérant de TPE, {city}",
            "Maraîcher bio, {city}", "Auto-entrepreneur, plombier"],
    "par": ["Maman de 3, {city}", "Papa, {city}, fatigué", "Parent d'ado, courage à nous"],
    "geek": ["Dev backend, Rust & café", "SRE, on-call fatigue", "Sécu info. Opinions perso.",
             "Open source & vie privée", "Ingénieur réseau, {city}"],
}
# App-store reviewer names
STORE_NICKS = ["Juju76", "Mr_Dupont", "Cath13", "Bibou", "Nono84", "Lolo_du_14", "kev.martin", "Sofiane B",
               "Utilisateur iPhone", "Mimi la souris", "Pat50", "Grégo", "Nath27", "Zaza", "Titi83",
               "Fred du 76", "Anonyme", "Lily", "Bruno F.", "MarineB", "Chris13", "Papy Jo", "Kiki",
               "Alexdu06", "Leïla R.", "Seb", "Manu2607", "Domi", "Jeje", "Cécé", "Pierrot76", "Aude"]


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


# ---------------------------------------------------------------------------------------------------
# Parsing

ENTRY = re.compile(r"^(>*)\s*(\S+) (\S+) (\S+) ([HAK])([!*=e]*) \| (.*)$")
REVIEW = re.compile(r"^(\S+) (as|gp) ([1-5]) ([HAK]) \|(.*?)\| (.*)$")


def parse_posts():
    entries = []
    for path in sorted(SRC.glob("*.txt")):
        if path.name == "reviews.txt":
            continue
        day = story = None
        stack = []  # last entry index at each depth
        for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.rstrip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("@day "):
                day = dt.date.fromisoformat(line[5:].strip())
                continue
            if line.startswith("@story "):
                story = line[7:].strip()
                assert story in STORIES, (path.name, n, story)
                continue
            m = ENTRY.match(line)
            if not m:
                raise SystemExit(f"{path.name}:{n}: cannot parse: {line[:80]}")
            depth, when, plat, persona, bank, flags, text = m.groups()
            depth = len(depth)
            assert plat in PLATFORMS, (path.name, n, plat)
            assert persona in NAMED or persona in GENERIC or persona == "rh", (path.name, n, persona)
            assert day and story, (path.name, n)
            parent = None
            if depth:
                assert len(stack) >= depth, (path.name, n, "reply without parent")
                parent = stack[depth - 1]
            stack = stack[:depth] + [len(entries)]
            entries.append(dict(src=f"{path.name}:{n}", day=day, story=story, when=when,
                                platform=PLATFORMS[plat], persona=persona, bank=bank,
                                viral="!" in flags, insult="*" in flags, copy="=" in flags,
                                english="e" in flags, text=text.replace("\\n", "\n"),
                                depth=depth, parent=parent))
    return entries


def parse_reviews():
    out, day = [], None
    for n, raw in enumerate((SRC / "reviews.txt").read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@day "):
            day = dt.date.fromisoformat(line[5:].strip())
            continue
        m = REVIEW.match(line)
        if not m:
            raise SystemExit(f"reviews.txt:{n}: cannot parse: {line[:80]}")
        when, store, rating, app, title, body = m.groups()
        out.append(dict(src=f"reviews.txt:{n}", day=day, when=when, store=STORES[store],
                        rating=int(rating), app=app, title=title.strip(), body=body.strip()))
    return out


# ---------------------------------------------------------------------------------------------------
# Time

PARIS_WINTER = dt.timezone(dt.timedelta(hours=1))
PARIS_SUMMER = dt.timezone(dt.timedelta(hours=2))
DST_END_UTC = dt.datetime(2026, 10, 25, 1, 0, tzinfo=dt.timezone.utc)  # 03:00 CEST -> 02:00 CET


def paris(naive: dt.datetime) -> dt.datetime:
    """Attach the Europe/Paris offset to a local time (02:00-02:59 on 25 Oct taken as summer time)."""
    summer = naive.replace(tzinfo=PARIS_SUMMER)
    if summer < DST_END_UTC:
        return summer
    return naive.replace(tzinfo=PARIS_WINTER)


def draw_hour(rng: random.Random, day: dt.date) -> int:
    profile = WEEKEND_PROFILE if day.weekday() >= 5 else WEEKDAY_PROFILE
    while True:
        h = rng.choices(range(24), weights=profile)[0]
        if not (day == dt.date(2026, 10, 25) and h == 2):  # the ambiguous hour of the DST change
            return h


def resolve_time(rng, when, day, parent_time):
    if when == "~":
        return paris(dt.datetime.combine(day, dt.time(draw_hour(rng, day), rng.randrange(60), rng.randrange(60))))
    if when.startswith("+"):
        return parent_time + dt.timedelta(minutes=int(when[1:]), seconds=rng.randrange(5, 59))
    m = re.fullmatch(r"(?:(\d\d)-(\d\d)T)?(\d\d)(?::(\d\d))?", when)
    if not m:
        raise SystemExit(f"bad time spec {when!r}")
    mo, dd, hh, mm = m.groups()
    d = dt.date(2026, int(mo), int(dd)) if mo else day
    minute = int(mm) if mm is not None else rng.randrange(60)
    sec = rng.randrange(60)
    return paris(dt.datetime.combine(d, dt.time(int(hh), minute, sec)))


def aide_opening(t: dt.datetime, rng) -> dt.datetime:
    """@Helios_Aide answers Monday-Friday 9:00-18:00: push an answer written outside to the next opening."""
    local = t.replace(tzinfo=None)
    if local.weekday() < 5 and 9 <= local.hour < 18:
        return t
    d = local.date() if local.hour < 9 else local.date() + dt.timedelta(days=1)
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return paris(dt.datetime.combine(d, dt.time(9, rng.randrange(2, 45), rng.randrange(60))))


# ---------------------------------------------------------------------------------------------------
# Authors

def followers_heavy(rng) -> int:
    x = rng.lognormvariate(4.6, 1.35)
    if rng.random() < 0.03:
        x *= rng.paretovariate(1.2) * 8
    return max(3, min(int(x), 250000))


def build_pool(rng, size=600):
    kinds = ["c"] * 62 + ["etu"] * 8 + ["jeu"] * 10 + ["ret"] * 7 + ["pro"] * 6 + ["par"] * 4 + ["geek"] * 3
    pool, seen = [], {a[0].lower() for a in NAMED.values()} | {a[0].lower() for a in RECRUITERS.values()}
    while len(pool) < size:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        f, l = strip_accents(first).replace("-", ""), strip_accents(last).replace("-", "")
        city = rng.choice(CITIES)
        style = rng.randrange(9)
        handle = [f"{f}_{l}", f"{f}{l[:1]}{rng.randint(1, 99)}", f"{f}.{l}", f"{f[:1]}{l}{rng.randint(10, 2010)}",
                  f"{f}_du_{rng.choice(['13', '14', '26', '27', '50', '69', '76', '83', '84', '06'])}",
                  f"{f.capitalize()}{l.capitalize()}", f"{l}_{f[:3]}", f"the_{f}_{rng.randint(1, 999)}",
                  f"{f}{rng.choice(['_off', 'ounette', 'ou', '_lgd', 'x', '_tkt'])}"][style]
        handle = re.sub(r"[^A-Za-z0-9_.]", "", handle)[:15]
        if handle.lower() in seen or len(handle) < 4:
            continue
        seen.add(handle.lower())
        kind = rng.choice(kinds)
        name = [f"{first.title()} {last.title()}", f"{first.title()} {last[:1].upper()}.", first.title(),
                f"{first.title()} 🌻", f"{first.title()} | {city}", f"{first.title()} {last.title()}"][rng.randrange(6)]
        bio = rng.choice(BIOS[kind]).format(city=city)
        pool.append(dict(handle=handle, name=name, followers=followers_heavy(rng), verified=False, bio=bio,
                         kind=kind, weight=min(rng.paretovariate(2.2), 8.0)))
    return pool


def named_author(persona, bank):
    h, n, f, v, b = RECRUITERS[bank] if persona == "rh" else NAMED[persona]
    return dict(handle=h, name=n, followers=f, verified=v, bio=b, kind=persona)


def pick_generic(rng, pool, persona, exclude):
    cands = [a for a in pool if (persona == "c" or a["kind"] == persona) and a["handle"] not in exclude]
    return rng.choices(cands, weights=[a["weight"] for a in cands])[0]


# ---------------------------------------------------------------------------------------------------
# Ids and urls

B32S = "234567abcdefghijklmnopqrstuvwxyz"
IG64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def ms(t):
    return int(t.timestamp() * 1000)


def stable_int(s, digits):
    return int(hashlib.sha256(s.encode()).hexdigest(), 16) % (9 * 10 ** (digits - 1)) + 10 ** (digits - 1)


def make_id(rng, post, author, root, forum_topics):
    plat, t, h = post["platform"], post["t"], author["handle"]
    if plat == "x":
        pid = str(((ms(t) - 1288834974657) << 22) | rng.getrandbits(22))
        return pid, f"https://x.com/{h}/status/{pid}"
    if plat == "mastodon":
        pid = str((ms(t) << 16) | rng.getrandbits(16))
        inst = MASTODON_INSTANCES[stable_int(h, 6) % len(MASTODON_INSTANCES)]
        return pid, f"https://{inst}/@{h.replace('.', '_')}/{pid}"  # no dots in Mastodon usernames
    if plat == "bluesky":
        tid_num = (int(t.timestamp() * 1_000_000) << 10) | rng.getrandbits(10)
        tid = "".join(B32S[(tid_num >> (5 * i)) & 31] for i in range(12, -1, -1))
        digest = int(hashlib.sha256(h.encode()).hexdigest(), 16)
        did = "".join(B32S[(digest >> (5 * i)) & 31] for i in range(24))
        bsky = re.sub(r"[^a-z0-9-]", "-", h.lower()).strip("-")  # Bluesky handles: letters, digits, hyphens
        return f"at://did:plc:{did}/app.bsky.feed.post/{tid}", f"https://bsky.app/profile/{bsky}.bsky.social/post/{tid}"
    if plat == "facebook":
        if root is None:
            num = str(rng.randrange(10 ** 15, 10 ** 16))
            return f"{stable_int(h, 15)}_{num}", f"https://www.facebook.com/{h}/posts/{num}"
        cid = str(rng.randrange(10 ** 15, 10 ** 16))
        rnum = root["id"].split("_")[1]
        return f"{rnum}_{cid}", f"{root['url']}?comment_id={cid}"
    if plat == "instagram":
        num = ((ms(t) - 1314220021721) << 23) | rng.getrandbits(23)
        if root is not None:
            return str(num), f"{root['url']}c/{num}/"
        code, n = "", num
        while n:
            code, n = IG64[n % 64] + code, n // 64
        return str(num), f"https://www.instagram.com/p/{code}/"
    if plat == "forum":
        if root is None:
            topic = 48213 + len(forum_topics) * 7 + rng.randrange(7)
            title = post["text"].split("\n")[0]
            slug = re.sub(r"[^a-z0-9]+", "-", strip_accents(title.lower())).strip("-")
            slug = "-".join(slug.split("-")[:8]) or "sujet"
            forum_topics[post["idx"]] = [topic, slug, 1]
            return f"t{topic}-p1", f"{FORUM}/t/{slug}/{topic}"
        topic, slug, n = forum_topics[root["idx"]]
        forum_topics[root["idx"]][2] = n + 1
        return f"t{topic}-p{n + 1}", f"{FORUM}/t/{slug}/{topic}/{n + 1}"
    if plat == "trustpilot":
        pid = f"{int(t.timestamp()):08x}" + "".join(rng.choice("0123456789abcdef") for _ in range(16))
        return pid, f"https://fr.trustpilot.com/reviews/{pid}"
    raise ValueError(plat)


# ---------------------------------------------------------------------------------------------------
# Metrics

STORY_BOOST = {"routine": 1.0, "outage": 1.6, "rumour": 2.2, "sponsorship": 1.5, "phishing": 1.6}
LANG_RATE = {"x": .80, "mastodon": .85, "bluesky": .75, "trustpilot": .70, "facebook": .35,
             "instagram": .40, "forum": .25}


def metrics(rng, post, author, n_children):
    plat, f = post["platform"], author["followers"]
    boost = STORY_BOOST[post["story"]]
    if plat in ("forum", "trustpilot"):
        views = int(rng.lognormvariate(5.3 if plat == "forum" else 4.2, 0.8) * boost)
        likes = int(rng.random() ** 2 * (12 if plat == "forum" else 6))
        return dict(likes=likes, shares=0, replies=n_children, views=views)
    reach = f * rng.uniform(0.04, 0.45) + rng.lognormvariate(3.9, 1.0)
    reach *= boost * (0.6 if post["depth"] else 1.0)
    if post["viral"]:
        reach += rng.uniform(40_000, 150_000) * boost / 1.5
    views = int(reach) + 1
    like_rate = rng.uniform(0.004, 0.035) * (1.5 if post["persona"] in BANK_PERSONAS else 1.0)
    likes = int(views * like_rate + rng.random() * 2)
    share_rate = rng.uniform(0.03, 0.35) * (3.0 if post["story"] == "rumour" and not post["depth"] else 1.0)
    if post["persona"].startswith("seed") or post["copy"]:
        share_rate *= 3
    shares = int(likes * share_rate)
    replies = n_children + int(views * rng.uniform(0, 0.003))
    if plat == "instagram":
        shares = int(shares * 0.3)
    return dict(likes=likes, shares=shares, replies=replies, views=views)


# ---------------------------------------------------------------------------------------------------
# Duplicate check (no template expansion)

def norm_tokens(text):
    t = strip_accents(text.lower())
    t = re.sub(r"@\w+|https?://\S+", " ", t)
    t = re.sub(r"\d+", "#", t)
    return re.findall(r"[a-z#]+", t)


def duplicate_problems(texts):
    """texts: list of (label, text). Returns pairs that are equal or differ by a single swapped word."""
    problems, seen, buckets = [], {}, defaultdict(list)
    for label, text in texts:
        toks = norm_tokens(text)
        key = " ".join(toks)
        if key in seen:
            problems.append(("same", seen[key], label))
            continue
        seen[key] = label
        if len(toks) >= 5:
            buckets[len(toks)].append((label, toks))
    for items in buckets.values():
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                a, b = items[i][1], items[j][1]
                if sum(x != y for x, y in zip(a, b)) == 1:
                    problems.append(("one-word", items[i][0], items[j][0]))
    return problems


# ---------------------------------------------------------------------------------------------------
# Bad lines for the dead-letter demo

def bad_lines(rng, good):
    """Six lines appended in fixed spots: (position in the good-line list after which it goes, line, note)."""
    def base(i, text, platform="x"):
        src = json.loads(good[i])
        rec = dict(src)
        rec["platform"] = platform
        rec["text"] = text
        t = dt.datetime.fromisoformat(src["created_at"]) + dt.timedelta(minutes=3, seconds=17)
        rec["created_at"] = t.isoformat()
        pid = str(int(src["id"]) + 4099) if src["platform"] == "x" else f"{rng.getrandbits(60)}"
        rec["id"] = pid
        rec["url"] = f"https://x.com/{src['author']['handle']}/status/{pid}"
        rec["conversation_id"] = rec["reply_to"] = None
        return rec

    def first_x(start):
        return next(i for i in range(start, len(good)) if json.loads(good[i])["platform"] == "x")

    out = []
    i = first_x(140)
    rec = base(i, "Hélios a encore changé l'appli, je trouve plus le bouton pour")
    out.append((i, json.dumps(rec, ensure_ascii=False)[:-60], "not JSON: the line is cut in the middle of the text"))
    i = first_x(410)
    rec = base(i, "Qui se souvient de MySpace ? Moi je me souviens surtout que ma banque Hélios me facturait déjà 2€ par mois en 2007")
    rec["platform"] = "myspace"
    rec["url"] = f"https://myspace.com/{rec['author']['handle']}/posts/{rec['id']}"
    out.append((i, json.dumps(rec, ensure_ascii=False), 'unknown platform "myspace"'))
    i = first_x(690)
    rec = base(i, "")
    del rec["text"]
    out.append((i, json.dumps(rec, ensure_ascii=False), "no text field"))
    i = first_x(900)
    rec = base(i, "L'appli Kivo a planté hier soir pendant 20 minutes, j'étais le seul ?")
    rec["created_at"] = "hier soir"
    out.append((i, json.dumps(rec, ensure_ascii=False), 'created_at is "hier soir"'))
    i = first_x(1170)
    dup_of = first_x(502)
    out.append((i, good[dup_of], "exact duplicate of line {dup} (same id {id}, same content): harmless, to be deduplicated"
                .replace("{id}", json.loads(good[dup_of])["id"])))
    i = first_x(1340)
    rec = base(i, "Franchement la conseillère Aurore de Die mérite une augmentation, elle a sauvé mon dossier de prêt en une journée")
    rec["metrics"] = dict(rec["metrics"], likes="beaucoup")
    out.append((i, json.dumps(rec, ensure_ascii=False), 'metrics.likes is "beaucoup"'))
    return out


# ---------------------------------------------------------------------------------------------------

def build():
    rng = random.Random(SEED)
    pii_rng = random.Random(SEED + 1)
    entries = parse_posts()
    reviews = parse_reviews()
    pool = build_pool(rng)

    # times, authors
    for i, e in enumerate(entries):
        e["idx"] = i
        parent = entries[e["parent"]] if e["parent"] is not None else None
        t = resolve_time(rng, e["when"], e["day"], parent["t"] if parent else None)
        if parent is not None and t <= parent["t"]:
            t = parent["t"] + dt.timedelta(minutes=rng.randint(3, 25), seconds=rng.randrange(60))
        if e["persona"] == "aide":
            t = aide_opening(t, rng)
        e["t"] = t
        if e["persona"] in GENERIC:
            grand = entries[parent["parent"]] if parent is not None and parent["parent"] is not None else None
            if grand is not None and grand["persona"] == e["persona"]:
                e["author"] = grand["author"]
            else:
                exclude = {parent["author"]["handle"]} if parent else set()
                e["author"] = pick_generic(rng, pool, e["persona"], exclude)
        else:
            e["author"] = named_author(e["persona"], e["bank"])
    children = Counter(e["parent"] for e in entries if e["parent"] is not None)

    # ids, urls, texts, metrics (in source order so parents come first)
    forum_topics = {}
    for e in entries:
        root = e
        while root["parent"] is not None:
            root = entries[root["parent"]]
        e["root"] = root["idx"]
        e["id"], e["url"] = make_id(rng, e, e["author"], None if root is e else root, forum_topics)
        text = e["text"]
        if "@^" in text:
            text = text.replace("@^", "@" + entries[e["parent"]]["author"]["handle"])
        e["pii"] = "{{" in text
        e["final_text"] = fill(text, pii_rng)
        e["metrics"] = metrics(rng, e, e["author"], children.get(e["idx"], 0))
        e["has_lang"] = rng.random() < LANG_RATE[e["platform"]]

    records = []
    for e in sorted(entries, key=lambda e: (e["t"].astimezone(dt.timezone.utc), e["idx"])):
        a = e["author"]
        rec = {"platform": e["platform"], "id": e["id"], "url": e["url"], "created_at": e["t"].isoformat(),
               "text": e["final_text"]}
        if e["has_lang"]:
            rec["lang"] = "en" if e["english"] else "fr"
        rec["author"] = {"handle": a["handle"], "name": a["name"], "followers": a["followers"],
                         "verified": a["verified"], "bio": a["bio"]}
        if e["parent"] is not None:
            rec["conversation_id"] = entries[e["root"]]["id"]
            rec["reply_to"] = entries[e["parent"]]["id"]
        else:
            rec["conversation_id"] = e["id"] if children.get(e["idx"]) else None
            rec["reply_to"] = None
        rec["metrics"] = e["metrics"]
        rec["story"] = e["story"]
        records.append(rec)
    good = [json.dumps(r, ensure_ascii=False) for r in records]

    # bad lines
    bad = bad_lines(random.Random(SEED + 2), good)
    lines, notes, by_pos = [], [], defaultdict(list)
    for pos, line, note in bad:
        by_pos[pos].append((line, note))
    for i, line in enumerate(good):
        lines.append(line)
        for bline, note in by_pos.get(i, []):
            lines.append(bline)
            if "{dup}" in note:
                note = note.replace("{dup}", str(lines.index(bline) + 1))
            notes.append((len(lines), note))
    posts_text = "\n".join(lines) + "\n"

    # reviews
    rrng = random.Random(SEED + 3)
    rows = []
    app_store_id = 11873400000
    for r in reviews:
        t = resolve_time(rrng, r["when"], r["day"], None)
        if r["store"] == "app_store":
            app_store_id += rrng.randint(3000, 90000)
            rid = str(app_store_id)
            author = rrng.choice(STORE_NICKS) if rrng.random() < 0.7 else f"{rrng.choice(FIRST).title()}{rrng.randint(1, 999)}"
        else:
            rid = str(uuid.UUID(int=rrng.getrandbits(128), version=4))
            author = f"{rrng.choice(FIRST).title()} {rrng.choice(LAST).title()}" if rrng.random() < 0.8 else "Un utilisateur de Google"
        rows.append(dict(review_id=rid, store=r["store"], app=APPS[r["app"]], rating=r["rating"],
                         title=r["title"], body=r["body"], author=author, date=t.isoformat(), _bank=r["app"],
                         _t=t))
    rows.sort(key=lambda x: x["_t"].astimezone(dt.timezone.utc))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["review_id", "store", "app", "rating", "title", "body", "author", "date"],
                       extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)

    # checks
    problems = duplicate_problems([(e["src"], e["text"]) for e in entries if not e["copy"]]
                                  + [(r["src"], r["title"] + " " + r["body"]) for r in reviews])
    if problems:
        for p in problems:
            print("duplicate:", *p, file=sys.stderr)
        raise SystemExit(f"{len(problems)} near-duplicate texts")
    for e in entries:
        if e["persona"] == "aide":
            lt = e["t"].replace(tzinfo=None)
            assert lt.weekday() < 5 and 9 <= lt.hour < 18, e["src"]
        if e["parent"] is not None:
            assert e["t"] > entries[e["parent"]]["t"], e["src"]
            assert e["platform"] == entries[e["parent"]]["platform"], e["src"]

    stats = make_stats(entries, rows, records, notes, pool)
    return posts_text, buf.getvalue(), stats


def table(title, counter, keys=None, total=True, unit="posts"):
    keys = keys or sorted(counter)
    n = sum(counter.values())
    out = [f"| {title} | {unit} | share |", "| --- | ---: | ---: |"]
    out += [f"| {k} | {counter[k]} | {100 * counter[k] / n:.1f} % |" for k in keys]
    if total:
        out.append(f"| total | {n} | |")
    return "\n".join(out)


def make_stats(entries, rows, records, notes, pool):
    bank = Counter(BANKS[e["bank"]] for e in entries)
    plat = Counter(e["platform"] for e in entries)
    story = Counter(e["story"] for e in entries)
    days = Counter(e["t"].date().isoformat() for e in entries)
    rbank = Counter(r["app"] for r in rows)
    rstore = Counter(r["store"] for r in rows)
    ratings = Counter(r["rating"] for r in rows)
    hours = Counter(e["t"].hour for e in entries)
    authors = {e["author"]["handle"] for e in entries}
    n = len(entries)
    lines = [STATS_START, "",
             f"Computed by `build_demo.py` (seed {SEED}). Texts: **{n + len(rows)}** = {n} posts in `posts.jsonl` "
             f"+ {len(rows)} reviews in `reviews.csv`; `posts.jsonl` has {n + len(notes)} lines "
             f"({n} good lines + {len(notes)} deliberately bad ones).", "",
             f"- replies (reply_to set): {sum(1 for e in entries if e['parent'] is not None)}, of which from the banks' "
             f"own accounts: {sum(1 for e in entries if e['parent'] is not None and e['persona'] in BANK_PERSONAS)}",
             f"- posts with personal data (placeholders filled by `placeholders.py`): {sum(e['pii'] for e in entries)}",
             f"- insults: {sum(e['insult'] for e in entries)}; near-identical copies of the rumour wave: "
             f"{sum(e['copy'] for e in entries)}; viral posts: {sum(e['viral'] for e in entries)}; posts in English: "
             f"{sum(e['english'] for e in entries)}",
             f"- `lang` present on {sum('lang' in r for r in records)} posts "
             f"({100 * sum('lang' in r for r in records) / n:.1f} %)",
             f"- distinct authors in the posts: {len(authors)} (pool of {len(pool)} invented handles + "
             f"{len(NAMED) + len(RECRUITERS)} named accounts)",
             f"- posts between 0:00 and 6:59: {sum(hours[h] for h in range(7))}; 9:00-11:59: "
             f"{sum(hours[h] for h in range(9, 12))}; 18:00-21:59: {sum(hours[h] for h in range(18, 22))}", "",
             "### Posts per bank", "", table("bank", bank), "",
             "### Posts per platform", "", table("platform", plat, [p for p in PLATFORMS.values()]), "",
             "### Posts per story", "", table("story", story, list(STORIES)), "",
             "### Posts per day", "",
             "| day | weekday | posts | routine | outage | rumour | sponsorship | phishing |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    per_day_story = Counter((e["t"].date().isoformat(), e["story"]) for e in entries)
    for d in sorted(days):
        wd = dt.date.fromisoformat(d).strftime("%a")
        lines.append(f"| {d} | {wd} | {days[d]} | " + " | ".join(str(per_day_story[(d, s)]) for s in STORIES) + " |")
    lines += ["", "### Reviews (`reviews.csv`)", "",
              table("app", rbank, unit="reviews"), "",
              table("store", rstore, unit="reviews"), "",
              "| rating | reviews |", "| ---: | ---: |"] + [f"| {k} | {ratings[k]} |" for k in sorted(ratings)]
    lines += ["", "### Bad lines of `posts.jsonl`", "", "| line | what |", "| ---: | --- |"]
    lines += [f"| {ln} | {note} |" for ln, note in notes]
    lines += ["", STATS_END]
    return "\n".join(lines)


def main():
    check = "--check" in sys.argv
    posts_text, reviews_text, stats = build()
    sheet = DATASHEET.read_text(encoding="utf-8") if DATASHEET.exists() else ""
    if STATS_START in sheet and STATS_END in sheet:
        head, rest = sheet.split(STATS_START, 1)
        new_sheet = head + stats + rest.split(STATS_END, 1)[1]
    else:
        new_sheet = sheet
    if check:
        ok = (POSTS.read_text(encoding="utf-8") == posts_text and REVIEWS.read_text(encoding="utf-8") == reviews_text
              and sheet == new_sheet)
        print("up to date" if ok else "OUT OF DATE: run build_demo.py")
        sys.exit(0 if ok else 1)
    POSTS.write_text(posts_text, encoding="utf-8")
    REVIEWS.write_text(reviews_text, encoding="utf-8")
    if new_sheet != sheet:
        DATASHEET.write_text(new_sheet, encoding="utf-8")
    print(stats)


if __name__ == "__main__":
    main()
