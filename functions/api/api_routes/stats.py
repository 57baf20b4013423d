"""/v1/stats: numbers counted from stored data (never invented).

Answers are cached per workspace for `CACHE_STATS_TTL_S` (45 s by default) and dropped at once when
a collection stores comments or an analysis stores results (see `vkc.cache`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from vkc.stats import authors, breakdowns, kpis, lemmas, sentiment, timeline, totals
from vkc.stats.schemas import (
    AuthorStats,
    CategoryStats,
    CommunityStats,
    Interval,
    KeywordStats,
    Kpis,
    SentimentDistribution,
    SentimentGroup,
    Timeline,
    TopLemmas,
    Totals,
    TrendingLemmas,
)
from vkc.stats.scope import MAX_LIMIT, Scope
from vkc.wire_types import IsoDatetime

from api_routes.cached import cached
from api_routes.deps import deps, principal

router = Router()

CommunityIds = Annotated[list[uuid.UUID] | None, Query(description="Only these communities; repeatable")]
KeywordIds = Annotated[list[uuid.UUID] | None, Query(description="Only comments matched by these keywords")]
DateFrom = Annotated[IsoDatetime | None, Query(description="From (inclusive; ISO 8601, UTC if no zone)")]
DateTo = Annotated[IsoDatetime | None, Query(description="To (exclusive; ISO 8601, UTC if no zone)")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows at most")]


def _scope(
    community_id: list[uuid.UUID] | None,
    keyword_id: list[uuid.UUID] | None,
    date_from: datetime | None,
    date_to: datetime | None,
) -> Scope:
    return Scope(community_id=community_id or [], keyword_id=keyword_id or [], date_from=date_from, date_to=date_to)


@router.get("/stats/totals", summary="Workspace totals", tags=["stats"])
def get_totals() -> Totals:
    who = principal(router)

    def load() -> Totals:
        with deps().transaction() as session:
            return totals.workspace_totals(session, who.workspace_id)

    return _cached(who.workspace_id, "totals", {}, Totals, load)


@router.get(
    "/stats/kpis",
    summary="Headline figures against the previous period",
    description="Comments, matched comments, negative and spam shares and active communities of the window "
    "[date_from, date_to) beside the previous window of equal length, with the change; monitored communities "
    "now. Window defaults to the last 7 days; at most 3 years.",
    tags=["stats"],
)
def get_kpis(
    community_id: CommunityIds = None,
    keyword_id: KeywordIds = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> Kpis:
    who = principal(router)
    scope = _scope(community_id, keyword_id, date_from, date_to)

    def load() -> Kpis:
        with deps().transaction() as session:
            return kpis.kpis(session, who.workspace_id, scope)

    return _cached(who.workspace_id, "kpis", asdict(scope), Kpis, load)


@router.get(
    "/stats/communities",
    summary="Per community",
    description="Posts, comments, replies, matched comments, matches, authors and the last comment date; "
    "communities without comments in the scope are listed with zeros. Most comments first.",
    tags=["stats"],
)
def get_per_community(
    community_id: CommunityIds = None,
    keyword_id: KeywordIds = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    limit: Limit = 50,
) -> list[CommunityStats]:
    who = principal(router)
    scope = _scope(community_id, keyword_id, date_from, date_to)

    def load() -> list[CommunityStats]:
        with deps().transaction() as session:
            return breakdowns.per_community(session, who.workspace_id, scope, limit)

    return _cached(who.workspace_id, "per_community", {**asdict(scope), "limit": limit}, list[CommunityStats], load)


@router.get(
    "/stats/keywords",
    summary="Per keyword",
    description="Matches (occurrences) and matched comments (distinct) per keyword; most matches first.",
    tags=["stats"],
)
def get_per_keyword(
    community_id: CommunityIds = None,
    keyword_id: KeywordIds = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    limit: Limit = 50,
) -> list[KeywordStats]:
    who = principal(router)
    scope = _scope(community_id, keyword_id, date_from, date_to)

    def load() -> list[KeywordStats]:
        with deps().transaction() as session:
            return breakdowns.per_keyword(session, who.workspace_id, scope, limit)

    return _cached(who.workspace_id, "per_keyword", {**asdict(scope), "limit": limit}, list[KeywordStats], load)


@router.get(
    "/stats/categories",
    summary="Per keyword category",
    description="Keywords, matches and distinct matched comments per category (null = uncategorized).",
    tags=["stats"],
)
def get_per_category(
    community_id: CommunityIds = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    limit: Limit = 50,
) -> list[CategoryStats]:
    who = principal(router)
    scope = _scope(community_id, None, date_from, date_to)

    def load() -> list[CategoryStats]:
        with deps().transaction() as session:
            return breakdowns.per_category(session, who.workspace_id, scope, limit)

    return _cached(who.workspace_id, "per_category", {**asdict(scope), "limit": limit}, list[CategoryStats], load)


@router.get(
    "/stats/timeline",
    summary="Comments per hour or day",
    description=(
        "Buckets cut in the IANA time zone `tz` (422 for an unknown zone), every bucket of the window listed "
        "(zeros included). Window defaults: the last 2 days (hour) or 30 days (day); longest 31 days of hours "
        "or 3 years of days."
    ),
    tags=["stats"],
)
def get_timeline(
    interval: Annotated[Interval, Query(description="hour or day")] = Interval.DAY,
    tz: Annotated[str, Query(max_length=64, description="IANA time zone, e.g. Europe/Moscow")] = "UTC",
    community_id: CommunityIds = None,
    keyword_id: KeywordIds = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> Timeline:
    who = principal(router)
    scope = _scope(community_id, keyword_id, date_from, date_to)

    def load() -> Timeline:
        with deps().transaction() as session:
            return timeline.timeline(session, who.workspace_id, scope, interval=interval, tz=tz)

    return _cached(who.workspace_id, "timeline", {**asdict(scope), "interval": interval, "tz": tz}, Timeline, load)


@router.get("/stats/authors", summary="Top authors", description="Most comments first.", tags=["stats"])
def get_top_authors(
    community_id: CommunityIds = None,
    keyword_id: KeywordIds = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    limit: Limit = 20,
) -> list[AuthorStats]:
    who = principal(router)
    scope = _scope(community_id, keyword_id, date_from, date_to)

    def load() -> list[AuthorStats]:
        with deps().transaction() as session:
            return authors.top_authors(session, who.workspace_id, scope, limit)

    return _cached(who.workspace_id, "top_authors", {**asdict(scope), "limit": limit}, list[AuthorStats], load)


@router.get(
    "/stats/lemmas/top",
    summary="Top lemmas of a window",
    description="Content-word lemmas of analyzed comments, most frequent first. Window defaults to the last "
    "7 days; at most 366 days.",
    tags=["stats"],
)
def get_top_lemmas(
    community_id: CommunityIds = None,
    keyword_id: KeywordIds = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    limit: Limit = 30,
) -> TopLemmas:
    who = principal(router)
    scope = _scope(community_id, keyword_id, date_from, date_to)

    def load() -> TopLemmas:
        with deps().transaction() as session:
            return lemmas.top_lemmas(session, who.workspace_id, scope, limit)

    return _cached(who.workspace_id, "top_lemmas", {**asdict(scope), "limit": limit}, TopLemmas, load)


@router.get(
    "/stats/lemmas/trending",
    summary="Trending lemmas",
    description="Lemmas rising most in the window against the previous window of equal length, ranked by "
    "Dunning's G² (at least 5 occurrences now). Window defaults to the last 24 hours; at most 31 days.",
    tags=["stats"],
)
def get_trending_lemmas(
    community_id: CommunityIds = None,
    keyword_id: KeywordIds = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    limit: Limit = 30,
) -> TrendingLemmas:
    who = principal(router)
    scope = _scope(community_id, keyword_id, date_from, date_to)

    def load() -> TrendingLemmas:
        with deps().transaction() as session:
            return lemmas.trending(session, who.workspace_id, scope, limit)

    return _cached(who.workspace_id, "trending_lemmas", {**asdict(scope), "limit": limit}, TrendingLemmas, load)


@router.get(
    "/stats/sentiment",
    summary="Sentiment distribution",
    description="Positive / neutral / negative / not yet analyzed comments and the average score, overall or "
    "per community or per keyword (a comment counts once per keyword). Counts use the effective label: an "
    "analyst's correction (PUT /v1/comments/{id}/labels) where there is one, else the model's; `manual` counts "
    "the corrected ones.",
    tags=["stats"],
)
def get_sentiment(
    group_by: Annotated[SentimentGroup, Query(description="none, community or keyword")] = SentimentGroup.NONE,
    community_id: CommunityIds = None,
    keyword_id: KeywordIds = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    limit: Limit = 50,
) -> SentimentDistribution:
    who = principal(router)
    scope = _scope(community_id, keyword_id, date_from, date_to)

    def load() -> SentimentDistribution:
        with deps().transaction() as session:
            return sentiment.distribution(session, who.workspace_id, scope, group_by, limit)

    params = {**asdict(scope), "group_by": group_by, "limit": limit}
    return _cached(who.workspace_id, "sentiment", params, SentimentDistribution, load)


def _cached[T](workspace_id: uuid.UUID, name: str, params: dict[str, Any], tp: Any, load: Callable[[], T]) -> T:
    return cached(workspace_id, f"stats:{name}", params, tp, deps().settings.cache_stats_ttl_s, load)
