"""Write the replayable scenarios of the watch: quiet weeks, the demo month, injected incidents.

    python data/scenarios/generate.py            # every scenario of SCENARIOS
    python data/scenarios/generate.py --name heldout

A scenario is four and a half quiet weeks (the demo month's everyday posts re-drawn at the demo's
own rhythm per weekday and hour, by authors drawn from the demo's), then the demo month itself
(1-30 October 2026, with its storyline: outage, rumour, sponsorship, phishing), then three quiet
weeks into which five incidents are injected at seeded times: an app outage, a solvency rumour
spread by a few accounts then many, a phishing wave, a viral praise post, and a sponsorship
announcement that must not raise a crisis alert. Injected texts come from ``phrasings.py``.

Labels are produced once, here, by running veilleur's real pipeline (with the demo settings) on
every distinct text; the scenario files carry them, so the replay does not analyse again.

Writes ``<name>.posts.jsonl.gz`` (one post a line, in time order) and ``<name>.json`` (the manifest:
incidents, onsets, what must and must not be detected). Deterministic for a given seed.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import tempfile
import unicodedata
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import phrasings as P

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / "demo"
PARIS = ZoneInfo("Europe/Paris")
SCENARIOS = {"tuning": 20261101, "heldout": 20261202}
QUIET_BEFORE = (date(2026, 8, 27), date(2026, 9, 30))  # inclusive
QUIET_AFTER = (date(2026, 10, 31), date(2026, 11, 22))
BANKS = {
    "Banque Hélios": {"names": ["Hélios", "@BanqueHelios", "la banque Hélios", "#Helios", "Banque Hélios", "BH"],
                      "app": ["Hélios Mobile", "l'appli Hélios"], "account": "BanqueHelios"},
    "Caisse Aurore": {"names": ["Caisse Aurore", "@CaisseAurore", "la Caisse Aurore", "#CaisseAurore"],
                      "app": ["Ma Caisse Aurore", "l'appli Caisse Aurore"], "account": "CaisseAurore"},
    "Kivo": {"names": ["Kivo", "@KivoBank", "#Kivo", "Kivo Bank"], "app": ["l'appli Kivo", "Kivo"],
             "account": "KivoBank"},
}
FIRST = ["lea", "hugo", "chloe", "lucas", "manon", "nathan", "ines", "theo", "camille", "louis", "sarah", "enzo",
         "julie", "mathis", "emma", "yanis", "clara", "noah", "lina", "tom", "anais", "karim", "sophie", "marc"]
LAST = ["martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand", "leroy", "moreau",
        "simon", "laurent", "lefebvre", "michel", "garcia", "david", "bertrand", "roux", "vincent", "fournier"]
PLATFORMS = ["x", "x", "x", "facebook", "facebook", "instagram", "mastodon", "bluesky"]


def load_demo() -> list[dict]:
    records, seen = [], set()
    for line in (DEMO / "posts.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
            datetime.fromisoformat(record["created_at"])
        except (ValueError, KeyError, TypeError):
            continue  # the six deliberately bad lines of the demo
        if not isinstance(record.get("text"), str) or record.get("platform") == "myspace":
            continue
        key = (record["platform"], record["id"])
        if key not in seen:
            seen.add(key)
            records.append(record)
    return records


class Labeller:
    """The real pipeline (demo settings), run once per distinct text."""

    def __init__(self) -> None:
        from veilleur.pipeline.factory import build_pipeline
        from veilleur.settings import get_settings

        self.settings = get_settings(DEMO / "veilleur.toml", data_dir=tempfile.mkdtemp(), database_url=None)
        self.pipeline = build_pipeline(self.settings)
        self.cache: dict[str, dict] = {}

    def label(self, records: list[dict]) -> None:
        from veilleur.connectors.records import record_to_post

        todo = {r["text"]: r for r in records if r["text"] not in self.cache}
        posts = [record_to_post({**r, "id": str(i)}) for i, r in enumerate(todo.values())]
        for docs, _failures in self.pipeline.stream(posts, self.settings.pipeline.max_analysis_chars):
            for doc in docs:
                a = doc.analysis
                self.cache[doc.post.text] = {"language": a.language, "bank": a.bank, "entity": a.entity,
                                             "sentiment": a.sentiment, "intent": a.intent,
                                             "topics": list(a.topics or []), "abusive": a.abusive}
        for r in records:
            r["labels"] = self.cache.get(r["text"])


def hourly_profile(routine: list[dict]) -> dict[tuple[int, int], float]:
    """Everyday posts per (weekday, local hour), averaged over the demo month's weeks."""
    counts = Counter()
    for r in routine:
        local = datetime.fromisoformat(r["created_at"]).astimezone(PARIS)
        counts[(local.weekday(), local.hour)] += 1
    days = Counter(date(2026, 10, d).weekday() for d in range(1, 31))
    return {(wd, h): counts[(wd, h)] / days[wd] for wd in range(7) for h in range(24)}


def quiet(rng: random.Random, routine: list[dict], authors: list[dict], first: date, last: date) -> list[dict]:
    profile, made, day = hourly_profile(routine), [], first
    while day <= last:
        for hour in range(24):
            start = datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)
            for _ in range(poisson(rng, profile[(day.weekday(), hour)])):
                source = rng.choice(routine)
                at = start + timedelta(seconds=rng.randrange(3600))
                made.append({"platform": source["platform"], "text": source["text"], "author": rng.choice(authors),
                             "created_at": at, "story": "routine"})
        day += timedelta(days=1)
    return made


def poisson(rng: random.Random, mean: float) -> int:
    n, threshold, p = 0, pow(2.718281828459045, -mean), rng.random()
    while p > threshold:
        n += 1
        p *= rng.random()
    return n


def vary(rng: random.Random, text: str, bank: str, tone: str) -> str:
    spec = BANKS[bank]
    text = text.format(b=rng.choice(spec["names"]), app=rng.choice(spec["app"]))
    tone = tone if rng.random() < 0.8 else "neutral"
    text = rng.choice(P.OPENINGS[tone]) + text + rng.choice(P.ENDINGS[tone])
    if rng.random() < 0.3:  # SMS style: no accents, all lower case
        text = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return text


def person(rng: random.Random, followers: tuple[int, int] = (5, 3000)) -> dict:
    handle = f"{rng.choice(FIRST)}{rng.choice(['_', '', '.'])}{rng.choice(LAST)}{rng.randrange(100)}"
    return {"handle": handle, "followers": rng.randint(*followers), "bio": ""}


def stream(rng: random.Random, onset: datetime, minutes: int, rate, texts: list[str], bank: str,
           story: str) -> list[dict]:
    """Posts from ``texts`` at ``rate(minute)`` per minute over ``minutes`` after ``onset``."""
    made = []
    for minute in range(minutes):
        for _ in range(poisson(rng, rate(minute))):
            at = onset + timedelta(minutes=minute, seconds=rng.randrange(60))
            text = vary(rng, rng.choice(texts), bank, P.TONES[story.split("-")[0]])
            made.append({"platform": rng.choice(PLATFORMS), "text": text,
                         "author": person(rng), "created_at": at, "story": story})
    return made


def one(rng, onset, text, bank, story, author=None, platform="x") -> dict:
    return {"platform": platform, "text": text.format(b=rng.choice(BANKS[bank]["names"])),
            "author": author or person(rng), "created_at": onset, "story": story}


def outage(rng, onset, bank, story):
    peak, length = rng.uniform(1.2, 2.5), rng.randint(150, 240)

    def rate(m):
        return peak * min(1.0, 0.35 + m / 15) * (1.0 if m < 0.6 * length else max(0.1, (length - m) / (0.4 * length)))
    first = one(rng, onset, vary(rng, P.OUTAGE[0], bank, "negative"), bank, story)
    return [first, *stream(rng, onset + timedelta(minutes=1), length, rate, P.OUTAGE, bank, story)]


def rumour(rng, onset, bank, story):
    later = sorted(onset + timedelta(minutes=rng.uniform(*span)) for span in ((2, 10), (6, 20), (15, 40)))
    made = [one(rng, at, rng.choice(P.RUMOR_SEEDS), bank, story, author=person(rng, (3, 150)))
            for at in [onset, *later]]
    wave = onset + timedelta(minutes=rng.randint(60, 120))
    copies = stream(rng, wave, 120, lambda m: 0.35, [P.RUMOR_COPY], bank, story)
    for post in copies:  # copies are pasted, not retyped: no openings or endings
        post["text"] = P.RUMOR_COPY.format(b=rng.choice(BANKS[bank]["names"][:2]))
    return made + copies + stream(rng, wave, 180, lambda m: 0.15, P.RUMOR_PARAPHRASES, bank, story)


def phishing(rng, onset, bank, story):
    length = rng.randint(360, 600)

    def rate(m):
        return min(1.0, 0.3 + m / 30) * (1.2 if m < 180 else max(0.1, 1.2 * (length - m) / (length - 180)))
    first = one(rng, onset, vary(rng, P.PHISHING[0], bank, "negative"), bank, story)
    return [first, *stream(rng, onset + timedelta(minutes=1), length, rate, P.PHISHING, bank, story)]


def praise(rng, onset, bank, story):
    star = {"handle": f"atelier_{rng.choice(LAST)}", "followers": rng.randint(80_000, 300_000),
            "bio": "Ébéniste, 3 générations d'artisans"}
    replies = stream(rng, onset + timedelta(minutes=2), 180, lambda m: 1.6 if m < 40 else 1.6 * 40 / (m + 1),
                     P.PRAISE_REPLIES, bank, story)
    return [one(rng, onset, P.PRAISE_VIRAL, bank, story, author=star), *replies]


def sponsorship(rng, onset, bank, story):
    account = {"handle": BANKS[bank]["account"], "followers": 45_000, "bio": "Compte officiel"}
    reactions = stream(rng, onset + timedelta(minutes=3), 240, lambda m: 1.0 if m < 40 else 40 / (m + 1),
                       P.SPONSORSHIP_REACTIONS, bank, story)
    return [one(rng, onset, P.SPONSORSHIP_ANNOUNCE, bank, story, author=account), *reactions]


# kind → (builder, hours of the day it may start, must it raise a crisis alert?)
INCIDENTS = {"outage": (outage, (7, 11), True), "rumour": (rumour, (9, 20), True),
             "phishing": (phishing, (8, 18), True), "praise": (praise, (11, 21), False),
             "sponsorship": (sponsorship, (9, 15), False)}


def inject(rng: random.Random) -> tuple[list[dict], list[dict]]:
    days = rng.sample(range((QUIET_AFTER[1] - QUIET_AFTER[0]).days - 1), len(INCIDENTS))
    posts, incidents = [], []
    for (kind, (build, hours, crisis)), offset in zip(INCIDENTS.items(), days, strict=True):
        day = QUIET_AFTER[0] + timedelta(days=offset + 1)
        onset = datetime(day.year, day.month, day.day, rng.randrange(*hours), rng.randrange(60),
                         rng.randrange(60), tzinfo=PARIS)
        bank = "Banque Hélios" if kind in ("rumour", "sponsorship") else rng.choice(list(BANKS))
        name = f"{kind}-{day.isoformat()}"
        posts += build(rng, onset, bank, name)
        incidents.append({"name": name, "kind": kind, "bank": bank, "onset": onset.astimezone(UTC).isoformat(),
                          "source": "injected", "must_detect": kind != "sponsorship", "crisis": crisis,
                          "must_not_raise_crisis": kind == "sponsorship"})
    return posts, incidents


def demo_part(demo: list[dict]) -> tuple[list[dict], list[dict]]:
    posts, onsets = [], {}
    for r in demo:
        story = "routine" if r["story"] == "routine" else f"demo-{r['story']}"
        at = datetime.fromisoformat(r["created_at"])
        if story != "routine":
            onsets[story] = min(onsets.get(story, at), at)
        posts.append({"platform": r["platform"], "text": r["text"], "author": r["author"], "created_at": at,
                      "story": story})
    banks = {"demo-outage": "Banque Hélios", "demo-rumour": "Banque Hélios", "demo-sponsorship": "Banque Hélios",
             "demo-phishing": "Kivo"}
    incidents = [{"name": name, "kind": name[5:], "bank": banks[name], "onset": at.astimezone(UTC).isoformat(),
                  "source": "demo", "must_detect": name != "demo-sponsorship", "crisis": name != "demo-sponsorship",
                  "must_not_raise_crisis": name == "demo-sponsorship"} for name, at in sorted(onsets.items())]
    return posts, incidents


def build(name: str, seed: int, labeller: Labeller) -> None:
    rng = random.Random(seed)
    demo = load_demo()
    routine = [r for r in demo if r["story"] == "routine"]
    authors = [r["author"] for r in routine]
    posts = quiet(rng, routine, authors, *QUIET_BEFORE) + quiet(rng, routine, authors, *QUIET_AFTER)
    demo_posts, demo_incidents = demo_part(demo)
    injected, incidents = inject(rng)
    posts += demo_posts + injected
    posts.sort(key=lambda p: p["created_at"])
    labeller.label(posts)
    with gzip.open(HERE / f"{name}.posts.jsonl.gz", "wt", encoding="utf-8") as out:
        for n, p in enumerate(posts, 1):
            record = {"id": n, "platform": p["platform"], "created_at": p["created_at"].astimezone(UTC).isoformat(),
                      "text": p["text"], "author": p["author"], "labels": p["labels"], "story": p["story"]}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    first, last = posts[0]["created_at"], posts[-1]["created_at"]
    manifest = {"name": name, "seed": seed, "posts": len(posts), "start": first.astimezone(UTC).isoformat(),
                "end": last.astimezone(UTC).isoformat(), "weeks": round((last - first).days / 7, 1),
                "labels": "produced once by veilleur's pipeline with data/demo/veilleur.toml (generate.py)",
                "networks": {"Hélios Normandie": "Banque Hélios", "Hélios Provence": "Banque Hélios"},
                "incidents": demo_incidents + incidents}
    (HERE / f"{name}.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{name}: {len(posts)} posts, {manifest['weeks']} weeks, {len(manifest['incidents'])} incidents")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", choices=sorted(SCENARIOS), help="one scenario (default: all)")
    args = parser.parse_args()
    labeller = Labeller()
    for name, seed in SCENARIOS.items():
        if args.name in (None, name):
            build(name, seed, labeller)


if __name__ == "__main__":
    main()
