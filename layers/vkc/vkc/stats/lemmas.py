"""Top lemmas of a window, and lemmas trending against the previous window of equal length.

`comments.lemmas` holds each analyzed comment's content lemmas (written by the analyze step with
`vkc.analysis.terms.content_lemmas`), so counting is an `unnest` + GROUP BY in SQL. Trending
feeds both windows' full counts to the engine's own `trending_lemmas` (Dunning's G², only rising
terms, a minimum count), so the API ranks exactly as the analysis library does. Windows are
bounded: top ≤ 366 days, trending ≤ 31 days per window.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import column, func, select
from sqlalchemy.orm import Session

from vkc.analysis.terms import MIN_TREND_COUNT, trending_lemmas
from vkc.db.models_collection import Comment
from vkc.stats.schemas import LemmaCount, TopLemmas, TrendingLemma, TrendingLemmas
from vkc.stats.scope import Scope, clamp_limit, window

TOP_DEFAULT = timedelta(days=7)
TOP_LONGEST = timedelta(days=366)
TREND_DEFAULT = timedelta(days=1)
TREND_LONGEST = timedelta(days=31)


def _counts(
    session: Session, workspace_id: uuid.UUID, scope: Scope, start: datetime, end: datetime, limit: int | None
) -> list[tuple[str, int]]:
    bounded = Scope(community_id=scope.community_id, keyword_id=scope.keyword_id, date_from=start, date_to=end)
    lemma = func.unnest(Comment.lemmas).table_valued("lemma").render_derived()
    n = func.count().label("n")
    stmt = (
        select(lemma.c.lemma, n)
        .select_from(Comment)
        .join(lemma, column("true", is_literal=True))
        .where(*bounded.conditions(workspace_id), Comment.lemmas.is_not(None))
        .group_by(lemma.c.lemma)
        .order_by(n.desc(), lemma.c.lemma)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(str(term), int(count)) for term, count in session.execute(stmt)]


def top_lemmas(session: Session, workspace_id: uuid.UUID, scope: Scope, limit: int) -> TopLemmas:
    start, end = window(scope.date_from, scope.date_to, default=TOP_DEFAULT, longest=TOP_LONGEST)
    bounded = Scope(community_id=scope.community_id, keyword_id=scope.keyword_id, date_from=start, date_to=end)
    analyzed = session.scalar(
        select(func.count()).where(*bounded.conditions(workspace_id), Comment.lemmas.is_not(None))
    )
    items = [
        LemmaCount(lemma=t, count=n) for t, n in _counts(session, workspace_id, scope, start, end, clamp_limit(limit))
    ]
    return TopLemmas(date_from=start, date_to=end, comments=int(analyzed or 0), items=items)


def trending(
    session: Session, workspace_id: uuid.UUID, scope: Scope, limit: int, min_count: int = MIN_TREND_COUNT
) -> TrendingLemmas:
    start, end = window(scope.date_from, scope.date_to, default=TREND_DEFAULT, longest=TREND_LONGEST)
    baseline_from = start - (end - start)
    current = dict(_counts(session, workspace_id, scope, start, end, None))
    baseline = dict(_counts(session, workspace_id, scope, baseline_from, start, None))
    ranked = trending_lemmas(current, baseline, n=clamp_limit(limit), min_count=min_count)
    return TrendingLemmas(
        date_from=start,
        date_to=end,
        baseline_from=baseline_from,
        items=[TrendingLemma.model_validate(t.model_dump()) for t in ranked],
    )
