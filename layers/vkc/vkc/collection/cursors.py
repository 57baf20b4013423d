"""Per-post cursors: what the harvester needs to resume, persisted on the posts table."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from vkc.db.models_collection import Post
from vkc.vk.harvest import PostCursor


def load_cursors(session: Session, workspace_id: uuid.UUID, owner_id: int) -> dict[tuple[int, int], PostCursor]:
    rows = session.execute(
        select(Post.post_id, Post.comments_count_collected, Post.top_level_offset).where(
            Post.workspace_id == workspace_id,
            Post.owner_id == owner_id,
            Post.comments_count_collected.is_not(None),
        )
    ).all()
    return {
        (owner_id, r.post_id): PostCursor(comments_count=r.comments_count_collected, top_level_done=r.top_level_offset)
        for r in rows
    }


_SAVE = text(
    "UPDATE posts SET comments_count_collected = c.count, top_level_offset = c.top_done, "
    "comments_collected_at = now() "
    "FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS c(post_id bigint, count integer, top_done integer) "
    "WHERE posts.workspace_id = :ws AND posts.owner_id = :owner AND posts.post_id = c.post_id"
)


def save_cursors(session: Session, workspace_id: uuid.UUID, cursors: Mapping[tuple[int, int], PostCursor]) -> None:
    """Only after the comments they cover are committed (the sink is flushed first)."""
    by_owner: dict[int, list[dict[str, int]]] = {}
    for (owner, post_id), cursor in cursors.items():
        by_owner.setdefault(owner, []).append(
            {"post_id": post_id, "count": cursor.comments_count, "top_done": cursor.top_level_done}
        )
    for owner, rows in by_owner.items():
        session.execute(_SAVE, {"rows": json.dumps(rows), "ws": str(workspace_id), "owner": owner})
