"""Headline figures of a period beside the previous period of equal length (the dashboard's KPI cards).

The change is computed here, not in the browser, so every client shows the same figure: counts get an
absolute and a relative change, shares (0..1) a change in percentage points. The comment set is the one
`GET /v1/comments` would list for the same community/keyword/date filters.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from vkc.db.models_collection import Comment, Community
from vkc.stats.schemas import KpiCount, Kpis, KpiShare
from vkc.stats.scope import Scope, window

DEFAULT_WINDOW = timedelta(days=7)
LONGEST_WINDOW = timedelta(days=3 * 366)


def kpis(session: Session, workspace_id: uuid.UUID, scope: Scope) -> Kpis:
    start, end = window(scope.date_from, scope.date_to, default=DEFAULT_WINDOW, longest=LONGEST_WINDOW)
    previous_start = start - (end - start)
    now = _period(session, workspace_id, replace(scope, date_from=start, date_to=end))
    before = _period(session, workspace_id, replace(scope, date_from=previous_start, date_to=start))
    monitored = session.scalar(
        select(func.count()).where(Community.workspace_id == workspace_id, Community.monitoring_enabled.is_(True))
    )
    return Kpis(
        date_from=start,
        date_to=end,
        previous_from=previous_start,
        previous_to=start,
        comments=count_change(now.comments, before.comments),
        matched_comments=count_change(now.matched, before.matched),
        negative_share=share_change(now.negative_share, before.negative_share),
        spam_share=share_change(now.spam_share, before.spam_share),
        communities=count_change(now.communities, before.communities),
        monitored_communities=KpiCount(current=int(monitored or 0), previous=None, change=None, change_pct=None),
    )


class _Period:
    def __init__(
        self, comments: int, matched: int, negative: int, analyzed: int, spam: int, checked: int, communities: int
    ):
        self.comments = comments
        self.matched = matched
        self.communities = communities
        self.negative_share = negative / analyzed if analyzed else None
        self.spam_share = spam / checked if checked else None


def _period(session: Session, workspace_id: uuid.UUID, scope: Scope) -> _Period:
    c = Comment
    row = session.execute(
        select(
            func.count(),
            func.count().filter(c.match_count > 0),
            func.count().filter(c.sentiment == "negative"),
            func.count().filter(c.sentiment.is_not(None)),
            func.count().filter(c.is_spam.is_(True)),
            func.count().filter(c.is_spam.is_not(None)),
            func.count(distinct(c.community_id)),
        ).where(*scope.conditions(workspace_id))
    ).one()
    return _Period(*(int(v) for v in row))


def count_change(current: int, previous: int | None) -> KpiCount:
    if previous is None:
        return KpiCount(current=current, previous=None, change=None, change_pct=None)
    pct = round((current - previous) / previous * 100, 1) if previous else None
    return KpiCount(current=current, previous=previous, change=current - previous, change_pct=pct)


def share_change(current: float | None, previous: float | None) -> KpiShare:
    points = round((current - previous) * 100, 2) if current is not None and previous is not None else None
    return KpiShare(current=_round(current), previous=_round(previous), change_points=points)


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None
