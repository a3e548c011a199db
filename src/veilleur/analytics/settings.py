"""Settings of the watch: series, reputation, detectors, alerts.

Pydantic only; imported by ``veilleur.settings``. Every detector's parameters live here, so that
a bank tunes its watch in ``veilleur.toml`` (section ``[watch]``, sub-sections per detector).
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class BurstSettings(BaseModel):
    """Volume bursts per bank and per bank+topic against a seasonal (weekday, hour) baseline."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    window_minutes: int = Field(default=15, ge=1, le=24 * 60, description="posts counted over this sliding window")
    baseline_weeks: int = Field(default=4, ge=1, le=26, description="previous weeks the (weekday, hour) baseline uses")
    min_count: int = Field(default=5, ge=1, description="never fire under this many posts in the window")
    min_authors: int = Field(default=4, ge=1, description="never fire under this many distinct authors in the window")
    long_window_minutes: int = Field(default=60, ge=1, le=24 * 60, description="a second window for slow build-ups")
    long_min_count: int = Field(default=8, ge=1, description="never fire the long window under this many posts")
    alpha: float = Field(default=1e-4, gt=0, lt=0.5, description="tail probability beyond which a count is a burst")
    dispersion: float = Field(default=4.0, gt=0, description="negative-binomial size r: smaller = burstier baseline")
    floor_per_hour: float = Field(default=0.5, ge=0, description="expected posts/hour never taken below this")


class SentimentShiftSettings(BaseModel):
    """The share of negative posts of a bank rising beyond its usual band."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    window_minutes: int = Field(default=60, ge=5, le=24 * 60)
    baseline_days: int = Field(default=28, ge=1, le=365, description="days of history giving the usual share")
    min_posts: int = Field(default=10, ge=2, description="posts needed in the window before judging a share")
    z: float = Field(default=3.0, gt=0, description="standard errors above the usual share that make a shift")
    min_delta: float = Field(default=0.25, ge=0, le=1, description="and at least this many points above it")


class EmergingTermSettings(BaseModel):
    """Terms and hashtags absent from the baseline that suddenly appear (or burst far above it)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    window_minutes: int = Field(default=30, ge=1, le=24 * 60)
    baseline_days: int = Field(default=28, ge=1, le=365)
    min_count: int = Field(default=6, ge=2, description="mentions in the window")
    min_authors: int = Field(default=5, ge=1, description="distinct authors in the window")
    max_baseline: int = Field(default=1, ge=0, description="at most this many mentions in the baseline = emerging")
    burst_ratio: float = Field(default=30.0, gt=1, description="a known term bursts at this times its usual rate")
    min_length: int = Field(default=4, ge=2, description="shorter words are ignored")


class RumorSettings(BaseModel):
    """Rumour clusters: near-duplicate claims (SimHash) and ``rumor`` posts by many distinct authors."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    window_minutes: int = Field(default=120, ge=5, le=7 * 24 * 60)
    min_authors: int = Field(default=3, ge=2, description="distinct authors of rumour posts about one bank")
    claim_min_authors: int = Field(default=2, ge=1, description="distinct authors of solvency claims (faillite, "
                                                              "retraits bloqués, « retirez votre argent »)")
    copy_min_authors: int = Field(default=6, ge=2, description="distinct authors of one near-duplicate cluster")
    max_hamming: int = Field(default=10, ge=0, le=32, description="SimHash bits two near-duplicates may differ by")


class PhishingSettings(BaseModel):
    """Phishing waves: distinct authors reporting fraudulent SMS, e-mails, calls or links about one bank."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    window_minutes: int = Field(default=60, ge=5, le=24 * 60)
    min_authors: int = Field(default=2, ge=1, description="distinct authors reporting a fraudulent message")
    critical_authors: int = Field(default=6, ge=2, description="reporters from which the alert is critical "
                                                               "(it is at once when someone says they gave codes)")


class WatchSettings(BaseModel):
    """Settings of the watch: series, reputation, detectors, alerts."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = Field(default="Europe/Paris", description="day, week and month buckets are local to it")
    batch_size: int = Field(default=2000, ge=1, le=100_000, description="posts read from the feed per transaction")
    confidence: float = Field(default=0.95, gt=0.5, lt=1, description="level of the e-reputation intervals")
    opinion_leaders: list[str] = Field(default_factory=list,
                                       description="handles always counted as opinion leaders (without @)")
    leader_min_followers: int = Field(default=5000, ge=0,
                                      description="followers an author with a journalist/analyst bio needs")
    troll_min_posts: int = Field(default=3, ge=2, description="hostile posts that make a repeat troll")
    super_user_min_posts: int = Field(default=3, ge=2, description="positive helpful posts that make a super-user")
    merge_hours: float = Field(default=12.0, gt=0,
                               description="a firing merges into an open alert updated this recently")
    cooldown_hours: float = Field(default=6.0, ge=0, description="after an alert is closed, its subject stays quiet")
    incident_gap_hours: float = Field(default=12.0, gt=0,
                                      description="crisis alerts of one bank this close in time join one incident")
    bursts: BurstSettings = Field(default_factory=BurstSettings)
    sentiment_shift: SentimentShiftSettings = Field(default_factory=SentimentShiftSettings)
    emerging_terms: EmergingTermSettings = Field(default_factory=EmergingTermSettings)
    rumors: RumorSettings = Field(default_factory=RumorSettings)
    phishing: PhishingSettings = Field(default_factory=PhishingSettings)
