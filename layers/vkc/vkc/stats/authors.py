"""The most active commenters in a scope, named from stored profiles."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vkc.comments.links import author_url
from vkc.db.models_collection import Author, Comment
from vkc.stats.schemas import AuthorStats
from vkc.stats.scope import Scope, clamp_limit


def top_authors(session: Session, workspace_id: uuid.UUID, scope: Scope, limit: int) -> list[AuthorStats]:
    c = Comment
    counts = (
        select(
            c.from_id.label("vk_id"),
            func.count().label("comments"),
            func.count().filter(c.match_count > 0).label("matched"),
            func.max(c.date).label("last_at"),
        )
        .where(*scope.conditions(workspace_id), c.from_id.is_not(None))
        .group_by(c.from_id)
        .order_by(func.count().desc(), c.from_id)
        .limit(clamp_limit(limit))
        .subquery()
    )
    stmt = (
        select(counts, Author.name, Author.screen_name)
        .outerjoin(Author, (Author.workspace_id == workspace_id) & (Author.vk_id == counts.c.vk_id))
        .order_by(counts.c.comments.desc(), counts.c.vk_id)
    )
    return [
        AuthorStats(
            vk_id=row.vk_id,
            name=row.name or None,
            screen_name=row.screen_name,
            url=author_url(row.vk_id),
            comments=row.comments,
            matched_comments=row.matched,
            last_comment_at=row.last_at,
        )
        for row in session.execute(stmt)
    ]
