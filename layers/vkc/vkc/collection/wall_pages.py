"""How many wall.get pages a fresh walk asks for first, from the posts a previous run stored.

wall.get is the method VK caps per token and day (5,000, execute's inner calls included), and a
monitoring run walks its whole window again every 30 minutes: every post in the window must be read
once to see its `comments.count`, which is how changed posts are found. Asking for the pages the window
needs, not a fixed four, is what sets the number of tokens an agency needs (docs/capacity.md §3).

The window's posts were stored by the previous run, so their number (plus room for posts published
since) tells the pages. A first run has no history and keeps the harvester's default. An estimate
that falls short costs a round trip, never a post: the harvester keeps paging while a page is full and
still inside the window (`vkc.vk.harvest.pages_ahead`).
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vkc.db.models_collection import Post
from vkc.vk.execute import MAX_CALLS
from vkc.vk.harvest import PAGE, WallWindow

#: posts published since the previous run, and a pinned post older than the window (VK lists it first)
ROOM = 10


def first_wall_pages(session: Session, community_id: uuid.UUID, window: WallWindow) -> int | None:
    """Pages for the first request of a walk over `window`; None when nothing of this wall is stored.

    Both reads use `ix_posts_community_date` (a community's posts are its wall's, in its workspace)."""
    if session.scalar(select(Post.id).where(Post.community_id == community_id).limit(1)) is None:
        return None
    conds = [Post.community_id == community_id]
    if window.since is not None:  # not `until`: the walk reads from the newest post down to `since`
        conds.append(Post.date >= datetime.fromtimestamp(window.since, UTC))
    to_read = session.scalar(select(func.count()).where(*conds)) or 0
    return max(1, min(MAX_CALLS, math.ceil((to_read + ROOM) / PAGE)))
