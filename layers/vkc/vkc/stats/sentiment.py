"""Sentiment distribution: overall, per community, or per keyword (a comment counts once per keyword).

Counts use the effective label: an analyst's correction where there is one, else the model's;
``manual`` says how many of the counted comments carry a correction.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from vkc.db.models_analysis import Keyword, KeywordMatch
from vkc.db.models_collection import Comment, Community
from vkc.stats.schemas import SentimentDistribution, SentimentGroup, SentimentRow
from vkc.stats.scope import Scope, clamp_limit


def _measures() -> list[ColumnElement[Any]]:
    """Counts over rows that are one comment each (the keyword grouping dedupes pairs first)."""
    c = Comment
    return [
        func.count().label("total"),
        func.count().filter(c.sentiment == "positive").label("positive"),
        func.count().filter(c.sentiment == "neutral").label("neutral"),
        func.count().filter(c.sentiment == "negative").label("negative"),
        func.count().filter(c.sentiment.is_(None)).label("unanalyzed"),
        func.count().filter(c.sentiment_manual.is_not(None)).label("manual"),
        func.avg(c.sentiment_score).label("average"),
    ]


def _row(key: str | None, name: str | None, r: Any) -> SentimentRow:
    return SentimentRow(
        key=key,
        name=name,
        total=r.total,
        positive=r.positive,
        neutral=r.neutral,
        negative=r.negative,
        unanalyzed=r.unanalyzed,
        manual=r.manual,
        average_score=round(float(r.average), 4) if r.average is not None else None,
    )


def distribution(
    session: Session, workspace_id: uuid.UUID, scope: Scope, group_by: SentimentGroup, limit: int
) -> SentimentDistribution:
    c = Comment
    conds = scope.conditions(workspace_id)
    rows: list[SentimentRow]
    if group_by is SentimentGroup.NONE:
        r = session.execute(select(*_measures()).where(*conds)).one()
        rows = [_row(None, None, r)]
    elif group_by is SentimentGroup.COMMUNITY:
        stmt = (
            select(Community.id, Community.name, *_measures())
            .join(Community, Community.id == c.community_id)
            .where(*conds)
            .group_by(Community.id, Community.name)
            .order_by(func.count().desc(), Community.name)
            .limit(clamp_limit(limit))
        )
        rows = [_row(str(r.id), r.name, r) for r in session.execute(stmt)]
    else:
        # a comment matched by a keyword several times counts (and weighs in the average) once for it
        pairs = (
            select(KeywordMatch.keyword_id, KeywordMatch.comment_id)
            .where(KeywordMatch.workspace_id == workspace_id)
            .distinct()
            .subquery()
        )
        stmt = (
            select(Keyword.id, Keyword.text, *_measures())
            .select_from(pairs)
            .join(Keyword, Keyword.id == pairs.c.keyword_id)
            .join(c, c.id == pairs.c.comment_id)
            .where(*conds)
            .group_by(Keyword.id, Keyword.text)
            .order_by(func.count().desc(), Keyword.text)
            .limit(clamp_limit(limit))
        )
        rows = [_row(str(r.id), r.text, r) for r in session.execute(stmt)]
    return SentimentDistribution(group_by=group_by, rows=rows)
