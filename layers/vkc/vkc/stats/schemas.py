"""What /v1/stats answers. Every number is counted from stored rows at request time."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Totals(BaseModel):
    communities: int
    posts: int
    comments: int
    replies: int = Field(description="Comments inside a thread (not top level).")
    authors: int = Field(description="Distinct commenters (VK ids).")
    analyzed_comments: int
    matched_comments: int = Field(description="Comments matched by at least one keyword.")
    matches: int = Field(description="Keyword occurrences.")
    keywords: int
    active_keywords: int
    viewed_comments: int
    archived_comments: int


class CommunityStats(BaseModel):
    community_id: uuid.UUID
    name: str
    vk_id: int
    posts: int
    comments: int
    replies: int
    matched_comments: int
    matches: int
    authors: int
    last_comment_at: datetime | None


class KeywordStats(BaseModel):
    keyword_id: uuid.UUID
    text: str
    category: str | None
    active: bool
    matches: int
    matched_comments: int


class CategoryStats(BaseModel):
    category: str | None = Field(description="Null groups the keywords without a category.")
    keywords: int
    matches: int
    matched_comments: int = Field(description="Distinct comments matched by any keyword of the category.")


class Interval(StrEnum):
    HOUR = "hour"
    DAY = "day"


class TimelinePoint(BaseModel):
    start: datetime = Field(description="Bucket start in the requested time zone (with its offset).")
    comments: int
    matched_comments: int
    negative: int
    neutral: int
    positive: int


class Timeline(BaseModel):
    interval: Interval
    tz: str
    date_from: datetime
    date_to: datetime
    points: list[TimelinePoint] = Field(description="Every bucket of the window, empty ones as zeros.")


class AuthorStats(BaseModel):
    vk_id: int
    name: str | None = Field(description="From stored profiles; null if none was stored.")
    screen_name: str | None
    url: str
    comments: int
    matched_comments: int
    last_comment_at: datetime | None


class LemmaCount(BaseModel):
    lemma: str
    count: int = Field(description="Occurrences in the window's comments.")


class TopLemmas(BaseModel):
    date_from: datetime
    date_to: datetime
    comments: int = Field(description="Analyzed comments in the window.")
    items: list[LemmaCount]


class TrendingLemma(BaseModel):
    lemma: str
    current: int = Field(description="Occurrences in the window.")
    baseline: int = Field(description="Occurrences in the previous window of equal length.")
    g2: float = Field(description="Dunning's log-likelihood: how surprising the rise is.")
    ratio: float = Field(description="Relative frequency now / before (baseline smoothed by 0.5).")


class TrendingLemmas(BaseModel):
    date_from: datetime
    date_to: datetime
    baseline_from: datetime
    items: list[TrendingLemma]


class SentimentGroup(StrEnum):
    NONE = "none"
    COMMUNITY = "community"
    KEYWORD = "keyword"


class SentimentRow(BaseModel):
    key: str | None = Field(description="Community or keyword id; null for the overall row.")
    name: str | None
    total: int
    positive: int
    neutral: int
    negative: int
    unanalyzed: int
    manual: int = Field(description="Of the comments counted, those whose sentiment is an analyst's correction.")
    average_score: float | None = Field(description="The model's average score (corrections do not change it).")


class SentimentDistribution(BaseModel):
    group_by: SentimentGroup
    rows: list[SentimentRow]


class KpiCount(BaseModel):
    current: int
    previous: int | None = Field(description="The previous period of equal length; null when no history is kept.")
    change: int | None = Field(description="current − previous.")
    change_pct: float | None = Field(description="Relative change in %; null when previous is 0 or unknown.")


class KpiShare(BaseModel):
    current: float | None = Field(description="0..1; null when nothing in the period could be counted.")
    previous: float | None
    change_points: float | None = Field(description="Change in percentage points.")


class Kpis(BaseModel):
    date_from: datetime
    date_to: datetime
    previous_from: datetime
    previous_to: datetime = Field(description="Equals date_from: the periods touch.")
    comments: KpiCount = Field(description="Comments dated in the period.")
    matched_comments: KpiCount = Field(description="Of those, matched by at least one keyword.")
    negative_share: KpiShare = Field(description="Negative / analyzed comments of the period.")
    spam_share: KpiShare = Field(description="Spam / spam-checked comments of the period.")
    communities: KpiCount = Field(description="Communities with at least one comment in the period.")
    monitored_communities: KpiCount = Field(
        description="Communities with monitoring on now; no history is kept, so previous and change are null."
    )
