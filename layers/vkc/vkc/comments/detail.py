"""GET /v1/comments/{id}: a comment with its matches, its thread, author, post, community and link.

The thread is the top comment and its replies in VK order (comment ids grow with time on a wall);
for a reply the top comment is looked up by VK identity, so a thread shows even when the reply was
the only matched comment. Another workspace's id is a 404 like a missing one.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vkc.comments.links import comment_url, community_url, post_url
from vkc.comments.schemas import (
    CommentDetail,
    CommunityBrief,
    MatchView,
    PostBrief,
    ThreadComment,
    ThreadView,
)
from vkc.comments.views import authors_of, highlights_of, keywords_of, view_of
from vkc.db.models_analysis import Keyword, KeywordMatch
from vkc.db.models_collection import Author, Comment, Community, Post
from vkc.errors import NotFound

THREAD_REPLIES = 100


def get_row(session: Session, workspace_id: uuid.UUID, comment_id: int) -> Comment:
    row = session.scalar(select(Comment).where(Comment.id == comment_id, Comment.workspace_id == workspace_id))
    if row is None:
        raise NotFound(f"Comment {comment_id} does not exist.")
    return row


def matches_of(session: Session, workspace_id: uuid.UUID, comment_id: int) -> list[MatchView]:
    rows = session.execute(
        select(KeywordMatch, Keyword.text, Keyword.category)
        .join(Keyword, Keyword.id == KeywordMatch.keyword_id)
        .where(KeywordMatch.comment_id == comment_id, KeywordMatch.workspace_id == workspace_id)
        .order_by(KeywordMatch.start, Keyword.text)
    )
    return [
        MatchView(
            keyword_id=m.keyword_id,
            keyword_text=kw_text,
            category=category,
            matched_text=m.matched_text,
            start=m.start,
            end=m.end,
            lemmas=m.lemmas,
            fuzzy=m.fuzzy,
            snippet=m.snippet,
            highlight_start=m.highlight_start,
            highlight_end=m.highlight_end,
        )
        for m, kw_text, category in rows
    ]


def _thread_comment(row: Comment, authors: dict[int, Author]) -> ThreadComment:
    author = authors.get(row.from_id) if row.from_id is not None else None
    return ThreadComment(
        id=row.id,
        comment_id=row.comment_id,
        from_id=row.from_id,
        author_name=author.name if author is not None and author.name else None,
        date=row.date,
        text=row.text,
        likes_count=row.likes_count,
        match_count=row.match_count,
        url=comment_url(row.owner_id, row.post_id, row.comment_id, row.root_comment_id),
    )


def thread_of(session: Session, row: Comment) -> ThreadView:
    root_vk_id = row.root_comment_id if row.root_comment_id is not None else row.comment_id
    same_wall = (
        Comment.workspace_id == row.workspace_id,
        Comment.owner_id == row.owner_id,
        Comment.post_id == row.post_id,
    )
    root = (
        row
        if row.root_comment_id is None
        else session.scalar(select(Comment).where(*same_wall, Comment.comment_id == root_vk_id))
    )
    in_thread = (*same_wall, Comment.root_comment_id == root_vk_id)
    replies = list(
        session.scalars(select(Comment).where(*in_thread).order_by(Comment.comment_id).limit(THREAD_REPLIES))
    )
    total = session.scalar(select(func.count()).select_from(Comment).where(*in_thread)) or 0
    people = {c.from_id for c in [*replies, *([root] if root else [])] if c.from_id is not None}
    authors = authors_of(session, row.workspace_id, people)
    return ThreadView(
        root=_thread_comment(root, authors) if root is not None else None,
        replies=[_thread_comment(r, authors) for r in replies],
        replies_total=int(total),
    )


def get_comment(session: Session, workspace_id: uuid.UUID, comment_id: int) -> CommentDetail:
    row = get_row(session, workspace_id, comment_id)
    authors = authors_of(session, workspace_id, {row.from_id} if row.from_id is not None else set())
    ids = [row.id]
    base = view_of(row, authors, keywords_of(session, workspace_id, ids), highlights_of(session, workspace_id, ids))
    post = session.scalar(
        select(Post).where(
            Post.workspace_id == workspace_id, Post.owner_id == row.owner_id, Post.post_id == row.post_id
        )
    )
    community = session.get(Community, row.community_id)
    assert community is not None  # comments.community_id is a foreign key
    return CommentDetail(
        **base.model_dump(),
        spam_reasons=row.spam_reasons,
        matches=matches_of(session, workspace_id, row.id),
        thread=thread_of(session, row),
        post=PostBrief(
            owner_id=post.owner_id,
            post_id=post.post_id,
            date=post.date,
            text=post.text,
            comments_count=post.comments_count,
            url=post_url(post.owner_id, post.post_id),
        )
        if post is not None
        else None,
        community=CommunityBrief(
            id=community.id,
            vk_id=community.vk_id,
            name=community.name,
            screen_name=community.screen_name,
            url=community_url(community.vk_id, community.screen_name),
        ),
    )
