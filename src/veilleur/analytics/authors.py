"""Authors of the conversation: who speaks most, who reaches most, opinion leaders, trolls, super-users.

- *volume*: posts in the period; *reach*: the author's followers (largest seen);
- *opinion leaders*: handles listed in ``WatchSettings.opinion_leaders``, or authors whose bio
  names a journalist, analyst, economist, investor or blogger (French and English words of
  ``ROLE_WORDS``) with at least ``leader_min_followers`` followers; the role found is given;
- *trolls*: at least ``troll_min_posts`` hostile posts making at least 40 % of theirs; hostile =
  abusive (``abusive`` or intent ``abuse``) or negative with nothing to act on (intent ``other``
  or ``rumor``: mockery, sneering, insinuation), since the analysis flags few posts as abusive;
- *super-users*: at least ``super_user_min_posts`` positive or helpful posts (praise, or a reply
  that informs or suggests without being negative), no abusive post, and at most half as many
  negative posts;
The accounts of every configured brand (its ``handles``) and of the organisation's entities are
left out of every list.

Reads posts of the period through ``storage.feed`` (a report, not a detector). Imports
``analytics.settings``, ``analytics.series``, ``core.organisation``, ``storage`` and the standard library.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from veilleur.analytics.series import Period
from veilleur.analytics.settings import WatchSettings
from veilleur.analytics.text import fold
from veilleur.core.organisation import Organisation
from veilleur.core.post import Platform
from veilleur.storage import feed, watch_store

ROLE_WORDS = {
    "journalist": ["journaliste", "journalist", "reporter", "redacteur", "redactrice", "chroniqueur", "chroniqueuse",
                   "editorialiste", "editor", "correspondant", "correspondante", "presse"],
    "analyst": ["analyste", "analyst", "economiste", "economist", "strategiste", "strategist", "research"],
    "investor": ["investisseur", "investisseuse", "investor", "business angel", "gerant de portefeuille",
                 "fund manager", "capital-risque", "venture"],
    "blogger": ["blogueur", "blogueuse", "blogger", "influenceur", "influenceuse", "youtubeur", "youtubeuse",
                "podcast", "createur de contenu", "createurice de contenu", "content creator", "newsletter"],
}
ROLE_PATTERNS = {role: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")", re.IGNORECASE)
                 for role, words in ROLE_WORDS.items()}
HELPFUL_INTENTS = {"information", "suggestion", "other", "question"}


@dataclass(slots=True)
class AuthorProfile:
    platform: str
    handle: str
    name: str | None = None
    followers: int = 0
    posts: int = 0
    positive: int = 0
    negative: int = 0
    abusive: int = 0
    hostile: int = 0
    helpful: int = 0
    banks: dict[str, int] = field(default_factory=dict)
    role: str | None = None
    bio: str | None = None


@dataclass(slots=True)
class AuthorBoard:
    period: str
    most_active: list[AuthorProfile]
    most_reach: list[AuthorProfile]
    opinion_leaders: list[AuthorProfile]
    trolls: list[AuthorProfile]
    super_users: list[AuthorProfile]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def posts_in(conn: Connection, period: Period, banks: list[str] | None) -> Iterator[feed.AnalysedPost]:
    """The analysed posts of ``period`` about ``banks`` (None = all), read by chunks."""
    ids = watch_store.post_ids_between(conn, period.start, period.end, banks=banks)
    for start in range(0, len(ids), 2000):
        yield from feed.posts_by_id(conn, ids[start:start + 2000])


def role_of(bio: str | None) -> str | None:
    """The opinion-leader role a bio names (journalist, analyst, investor, blogger), or None."""
    if not bio:
        return None
    folded = fold(bio)
    return next((role for role, pattern in ROLE_PATTERNS.items() if pattern.search(folded)), None)


def profiles(posts, owned: set[tuple[str, str]]) -> dict[tuple[str, str], AuthorProfile]:
    found: dict[tuple[str, str], AuthorProfile] = {}
    for post in posts:
        if not post.author_handle or (post.platform, post.author_handle.lstrip("@").lower()) in owned:
            continue
        key = (post.platform, post.author_handle)
        a = found.setdefault(key, AuthorProfile(post.platform, post.author_handle, post.author_name,
                                                bio=post.author_bio))
        a.followers = max(a.followers, post.reach)
        a.posts += 1
        a.positive += post.sentiment == "positive" or post.intent == "praise"
        a.negative += post.sentiment == "negative"
        abusive = bool(post.abusive) or post.intent == "abuse"
        a.abusive += abusive
        a.hostile += abusive or (post.sentiment == "negative" and post.intent in ("other", "rumor"))
        a.helpful += bool(post.reply_to_id) and post.intent in HELPFUL_INTENTS and post.sentiment != "negative"
        if post.bank:
            a.banks[post.bank] = a.banks.get(post.bank, 0) + 1
    return found


def author_board(conn: Connection, period: Period, banks: list[str] | None, settings: WatchSettings,
                 organisation: Organisation, top: int = 10) -> AuthorBoard:
    """The author lists of the module docstring over ``period``."""
    owned = set(organisation.owned_handles())
    brand_handles = {h.lstrip("@").lower() for b in organisation.brands for h in b.handles}
    owned |= {(platform.value, h) for h in brand_handles for platform in Platform}
    everyone = list(profiles(posts_in(conn, period, banks), owned).values())
    listed = {h.lstrip("@").lower() for h in settings.opinion_leaders}
    leaders = []
    for a in everyone:
        a.role = "listed" if a.handle.lstrip("@").lower() in listed else role_of(a.bio)
        if a.role == "listed" or (a.role and a.followers >= settings.leader_min_followers):
            leaders.append(a)
        else:
            a.role = None
    trolls = [a for a in everyone if a.hostile >= settings.troll_min_posts and a.hostile >= 0.4 * a.posts]
    supers = [a for a in everyone if a.positive + a.helpful >= settings.super_user_min_posts and not a.abusive
              and a.negative * 2 <= a.positive + a.helpful]
    return AuthorBoard(
        period.label,
        most_active=sorted(everyone, key=lambda a: (-a.posts, a.handle))[:top],
        most_reach=sorted(everyone, key=lambda a: (-a.followers, a.handle))[:top],
        opinion_leaders=sorted(leaders, key=lambda a: (-a.followers, a.handle))[:top],
        trolls=sorted(trolls, key=lambda a: (-a.hostile, a.handle))[:top],
        super_users=sorted(supers, key=lambda a: (-(a.positive + a.helpful), a.handle))[:top])
