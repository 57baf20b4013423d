"""Comments per hour or per day in the user's time zone, every bucket of the window included.

Buckets are cut in local time by PostgreSQL (`date_trunc(…, date AT TIME ZONE tz)`), so a day is
a local day across DST changes, and the series of bucket starts is generated in SQL too: a quiet
hour is a real zero, not a missing point. The window is bounded (≤ 31 days of hours, ≤ 3 years of
days) so one request never produces an unbounded series.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import DateTime, func, literal, select
from sqlalchemy import Interval as SqlInterval
from sqlalchemy.orm import Session

from vkc.db.models_collection import Comment
from vkc.stats.schemas import Interval, Timeline, TimelinePoint
from vkc.stats.scope import Scope, time_zone, window

DEFAULT_WINDOW = {Interval.HOUR: timedelta(days=2), Interval.DAY: timedelta(days=30)}
LONGEST_WINDOW = {Interval.HOUR: timedelta(days=31), Interval.DAY: timedelta(days=3 * 366)}


def timeline(session: Session, workspace_id: uuid.UUID, scope: Scope, *, interval: Interval, tz: str) -> Timeline:
    zone = time_zone(tz)
    start, end = window(
        scope.date_from, scope.date_to, default=DEFAULT_WINDOW[interval], longest=LONGEST_WINDOW[interval]
    )
    bounded = Scope(community_id=scope.community_id, keyword_id=scope.keyword_id, date_from=start, date_to=end)
    c = Comment
    unit = interval.value
    rows = (
        select(
            func.date_trunc(unit, func.timezone(tz, c.date)).label("bucket"),
            c.match_count,
            c.sentiment,
        )
        .where(*bounded.conditions(workspace_id))
        .subquery()
    )
    counts = (
        select(
            rows.c.bucket,
            func.count().label("comments"),
            func.count().filter(rows.c.match_count > 0).label("matched"),
            func.count().filter(rows.c.sentiment == "negative").label("negative"),
            func.count().filter(rows.c.sentiment == "neutral").label("neutral"),
            func.count().filter(rows.c.sentiment == "positive").label("positive"),
        )
        .group_by(rows.c.bucket)
        .subquery()
    )
    first = func.date_trunc(unit, func.timezone(tz, literal(start, DateTime(timezone=True))))
    last = func.date_trunc(unit, func.timezone(tz, literal(end - timedelta(microseconds=1), DateTime(timezone=True))))
    step = literal(timedelta(hours=1) if interval is Interval.HOUR else timedelta(days=1), SqlInterval())
    series = func.generate_series(first, last, step).table_valued("local_start").render_derived()
    stmt = (
        select(
            func.timezone(tz, series.c.local_start).label("start"),
            func.coalesce(counts.c.comments, 0),
            func.coalesce(counts.c.matched, 0),
            func.coalesce(counts.c.negative, 0),
            func.coalesce(counts.c.neutral, 0),
            func.coalesce(counts.c.positive, 0),
        )
        .select_from(series)
        .outerjoin(counts, counts.c.bucket == series.c.local_start)
        .order_by(series.c.local_start)
    )
    points = [
        TimelinePoint(
            start=at.astimezone(zone), comments=n, matched_comments=m, negative=neg, neutral=neu, positive=pos
        )
        for at, n, m, neg, neu, pos in session.execute(stmt)
    ]
    return Timeline(interval=interval, tz=tz, date_from=start, date_to=end, points=points)
