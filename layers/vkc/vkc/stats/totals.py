"""Workspace totals: one aggregate pass over comments plus small counts of the other tables."""

from __future__ import annotations

import uuid

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from vkc.db.models_analysis import Keyword, KeywordMatch
from vkc.db.models_collection import Comment, Community, Post
from vkc.stats.schemas import Totals


def _count(session: Session, stmt: object) -> int:
    return int(session.scalar(stmt) or 0)  # type: ignore[call-overload]


def workspace_totals(session: Session, workspace_id: uuid.UUID) -> Totals:
    c = Comment
    row = session.execute(
        select(
            func.count(),
            func.count().filter(c.root_comment_id.is_not(None)),
            func.count(distinct(c.from_id)),
            func.count().filter(c.analyzed_at.is_not(None)),
            func.count().filter(c.match_count > 0),
            func.count().filter(c.viewed_at.is_not(None)),
            func.count().filter(c.archived_at.is_not(None)),
        ).where(c.workspace_id == workspace_id)
    ).one()
    keywords = session.execute(
        select(func.count(), func.count().filter(Keyword.active.is_(True))).where(Keyword.workspace_id == workspace_id)
    ).one()
    return Totals(
        communities=_count(session, select(func.count()).where(Community.workspace_id == workspace_id)),
        posts=_count(session, select(func.count()).where(Post.workspace_id == workspace_id)),
        comments=row[0],
        replies=row[1],
        authors=row[2],
        analyzed_comments=row[3],
        matched_comments=row[4],
        viewed_comments=row[5],
        archived_comments=row[6],
        matches=_count(session, select(func.count()).where(KeywordMatch.workspace_id == workspace_id)),
        keywords=keywords[0],
        active_keywords=keywords[1],
    )
