"""Per community, per keyword and per category counts within a scope.

Keyword and category figures count matches (occurrences) and matched comments (distinct), so a
comment matched three times counts once as a comment. Rows with nothing in the scope are listed
with zeros: "no matches" is a real answer.
"""

from __future__ import annotations

import uuid

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from vkc.db.models_analysis import Keyword, KeywordMatch
from vkc.db.models_collection import Comment, Community, Post
from vkc.stats.schemas import CategoryStats, CommunityStats, KeywordStats
from vkc.stats.scope import Scope, clamp_limit


def per_community(session: Session, workspace_id: uuid.UUID, scope: Scope, limit: int) -> list[CommunityStats]:
    c = Comment
    counts = (
        select(
            c.community_id.label("community_id"),
            func.count().label("comments"),
            func.count().filter(c.root_comment_id.is_not(None)).label("replies"),
            func.count().filter(c.match_count > 0).label("matched"),
            func.coalesce(func.sum(c.match_count), 0).label("matches"),
            func.count(distinct(c.from_id)).label("authors"),
            func.max(c.date).label("last_at"),
        )
        .where(*scope.conditions(workspace_id))
        .group_by(c.community_id)
        .subquery()
    )
    posts = (
        select(Post.community_id.label("community_id"), func.count().label("posts"))
        .where(Post.workspace_id == workspace_id)
        .group_by(Post.community_id)
        .subquery()
    )
    stmt = (
        select(Community, counts, func.coalesce(posts.c.posts, 0))
        .outerjoin(counts, counts.c.community_id == Community.id)
        .outerjoin(posts, posts.c.community_id == Community.id)
        .where(Community.workspace_id == workspace_id)
        .order_by(func.coalesce(counts.c.comments, 0).desc(), Community.name, Community.id)
        .limit(clamp_limit(limit))
    )
    if scope.community_id:
        stmt = stmt.where(Community.id.in_(scope.community_id))
    out = []
    for row in session.execute(stmt):
        community = row[0]
        out.append(
            CommunityStats(
                community_id=community.id,
                name=community.name,
                vk_id=community.vk_id,
                posts=row[-1],
                comments=row.comments or 0,
                replies=row.replies or 0,
                matched_comments=row.matched or 0,
                matches=row.matches or 0,
                authors=row.authors or 0,
                last_comment_at=row.last_at,
            )
        )
    return out


def per_keyword(session: Session, workspace_id: uuid.UUID, scope: Scope, limit: int) -> list[KeywordStats]:
    km = KeywordMatch
    counts = (
        select(
            km.keyword_id.label("keyword_id"),
            func.count().label("matches"),
            func.count(distinct(km.comment_id)).label("comments"),
        )
        .join(Comment, Comment.id == km.comment_id)
        .where(km.workspace_id == workspace_id, *scope.conditions(workspace_id))
        .group_by(km.keyword_id)
        .subquery()
    )
    stmt = (
        select(Keyword, func.coalesce(counts.c.matches, 0), func.coalesce(counts.c.comments, 0))
        .outerjoin(counts, counts.c.keyword_id == Keyword.id)
        .where(Keyword.workspace_id == workspace_id)
        .order_by(func.coalesce(counts.c.matches, 0).desc(), Keyword.text, Keyword.id)
        .limit(clamp_limit(limit))
    )
    if scope.keyword_id:
        stmt = stmt.where(Keyword.id.in_(scope.keyword_id))
    return [
        KeywordStats(keyword_id=k.id, text=k.text, category=k.category, active=k.active, matches=m, matched_comments=n)
        for k, m, n in session.execute(stmt)
    ]


def per_category(session: Session, workspace_id: uuid.UUID, scope: Scope, limit: int) -> list[CategoryStats]:
    km = KeywordMatch
    counts = (
        select(
            Keyword.category.label("category"),
            func.count().label("matches"),
            func.count(distinct(km.comment_id)).label("comments"),
        )
        .join(Keyword, Keyword.id == km.keyword_id)
        .join(Comment, Comment.id == km.comment_id)
        .where(km.workspace_id == workspace_id, *scope.conditions(workspace_id))
        .group_by(Keyword.category)
        .subquery()
    )
    categories = (
        select(Keyword.category.label("category"), func.count().label("keywords"))
        .where(Keyword.workspace_id == workspace_id)
        .group_by(Keyword.category)
        .subquery()
    )
    stmt = (
        select(
            categories.c.category,
            categories.c.keywords,
            func.coalesce(counts.c.matches, 0),
            func.coalesce(counts.c.comments, 0),
        )
        .outerjoin(counts, counts.c.category.is_not_distinct_from(categories.c.category))
        .order_by(func.coalesce(counts.c.matches, 0).desc(), categories.c.category.nulls_last())
        .limit(clamp_limit(limit))
    )
    return [
        CategoryStats(category=cat, keywords=k, matches=m, matched_comments=n) for cat, k, m, n in session.execute(stmt)
    ]
