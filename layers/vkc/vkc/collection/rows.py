"""VK objects → row dicts for the bulk upserts, with a content hash that says whether anything changed."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from vkc.vk.models import Comment, Community, Post, Profile


def _ts(epoch: int | None) -> str | None:
    return datetime.fromtimestamp(epoch, UTC).isoformat() if epoch else None


def _hash(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def text_sha256(text: str) -> str:
    """The content checksum the emulator's ground truth uses for a comment's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def post_row(post: Post, *, workspace_id: uuid.UUID, community_id: uuid.UUID) -> dict[str, Any]:
    attachments = [a.model_dump() for a in post.attachments]
    comments_closed = post.comments.can_post == 0 and post.comments.count == 0
    return {
        "workspace_id": str(workspace_id),
        "community_id": str(community_id),
        "owner_id": post.owner_id,
        "post_id": post.id,
        "from_id": post.from_id,
        "date": _ts(post.date),
        "text": post.text or "",
        "is_pinned": bool(post.is_pinned),
        "post_type": post.post_type,
        "marked_as_ads": bool(post.marked_as_ads),
        "comments_count": post.comments.count,
        "comments_closed": comments_closed,
        "likes_count": post.likes.count if post.likes else None,
        "reposts_count": post.reposts.count if post.reposts else None,
        "views_count": post.views.count if post.views else None,
        "attachments": attachments,
        "content_hash": _hash(post.text, post.edited, attachments, post.is_deleted),
    }


def comment_row(
    comment: Comment,
    *,
    workspace_id: uuid.UUID,
    community_id: uuid.UUID,
    owner_id: int,
    post_id: int,
    job_id: uuid.UUID | None,
) -> dict[str, Any]:
    """Deleted placeholders carry only id/date/thread: owner and post come from the request context."""
    attachments = [a.model_dump() for a in comment.attachments]
    text = comment.text or ""
    return {
        "workspace_id": str(workspace_id),
        "community_id": str(community_id),
        "owner_id": owner_id,
        "post_id": post_id,
        "comment_id": comment.id,
        "from_id": comment.from_id,
        "date": _ts(comment.date),
        "text": text,
        "root_comment_id": comment.root_id,
        "reply_to_comment": comment.reply_to_comment,
        "reply_to_user": comment.reply_to_user,
        "thread_count": comment.thread.count if comment.thread is not None else None,
        "likes_count": comment.likes_count,
        "attachments": attachments,
        "is_deleted": bool(comment.deleted),
        "content_hash": _hash(text, comment.from_id, attachments, bool(comment.deleted)),
        "first_seen_job_id": str(job_id) if job_id else None,
    }


def profile_row(profile: Profile, *, workspace_id: uuid.UUID) -> dict[str, Any]:
    name = " ".join(p for p in (profile.first_name, profile.last_name) if p)
    return {
        "workspace_id": str(workspace_id),
        "vk_id": profile.id,
        "name": name,
        "screen_name": profile.screen_name,
        "photo_url": profile.photo_100 or profile.photo_50,
        "deactivated": profile.deactivated,
        "is_closed": profile.is_closed,
    }


def group_author_row(group: Community, *, workspace_id: uuid.UUID) -> dict[str, Any]:
    return {
        "workspace_id": str(workspace_id),
        "vk_id": -abs(group.id),
        "name": group.name or "",
        "screen_name": group.screen_name,
        "photo_url": group.photo_100 or group.photo_50,
        "deactivated": group.deactivated,
        "is_closed": bool(group.is_closed),
    }
