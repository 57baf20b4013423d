"""wall.getComments and wall.getComment with VK's threading, paging and counting rules.

`count` is every comment on the post including replies; `current_level_count` is the paged level
(top level, or the replies of `comment_id`). Every top-level item carries `thread`, with up to
`thread_items_count` replies inline (ascending). Deleted comments that still have replies come back
as placeholders. Work per call is O(page): levels are kept in id order and sliced by position, and
the answer is written straight to JSON text (see rawjson) because this is the benchmarks' hot path.
"""

from __future__ import annotations

import bisect
import json
from typing import Any

from devtools.vk_emulator import render
from devtools.vk_emulator.errors import VkApiError, param_error
from devtools.vk_emulator.methods.common import check_wall, extended_json
from devtools.vk_emulator.methods.context import CallContext
from devtools.vk_emulator.model import Comment, Post
from devtools.vk_emulator.params import Params
from devtools.vk_emulator.rawjson import RawJson


def _load_post(ctx: CallContext, owner_id: int, post_id: int) -> Post:
    check_wall(ctx.dataset, owner_id)
    post = ctx.dataset.post(owner_id, post_id)
    if post is None:
        raise VkApiError(15, "post not found")
    if post.comments_closed:
        raise VkApiError(212)
    return post


def _start_position(level: list[Comment], start_id: int, descending: bool) -> int:
    """Position (in the requested order) of `start_id` or the nearest earlier comment."""
    k = bisect.bisect_right(level, start_id, key=lambda c: c.id) - 1
    if not descending:
        return max(k, 0)
    return len(level) if k < 0 else len(level) - 1 - k


def get_comments(ctx: CallContext, params: Params) -> Any:
    owner_id = params.get_int("owner_id")
    post_id = params.get_int("post_id")
    post = _load_post(ctx, owner_id, post_id)
    need_likes = params.flag("need_likes")
    preview = max(0, params.get_int("preview_length", 0))
    count = params.clamp("count", 10, 0, 100)
    offset = params.get_int("offset", 0)
    thread_n = params.clamp("thread_items_count", 0, 0, 10)
    sort = params.get_str("sort", "asc").lower()
    descending = sort == "desc"

    root: Comment | None = None
    if params.has("comment_id"):
        root = ctx.dataset.comment(owner_id, params.get_int("comment_id"))
        if root is None or root.post_id != post_id:
            raise param_error("comment_id is invalid")
    level: list[Comment] = post.comments if root is None else (root.replies if root.parent_id is None else [])

    response: dict[str, Any] = {
        "count": post.comment_total,
        "current_level_count": len(level),
        "can_post": not post.comments_closed,
        "show_reply_button": True,
        "groups_can_post": True,
    }
    if params.has("start_comment_id"):
        start = max(0, _start_position(level, params.get_int("start_comment_id"), descending) + offset)
        response["real_offset"] = start
    else:
        start = max(0, offset)

    n = len(level)
    stop = min(n, start + count)
    picked = [level[n - 1 - i] for i in range(start, stop)] if descending else level[start:stop]
    items: list[str] = []
    authors: list[int | None] = []
    can_post = not post.comments_closed
    for c in picked:
        authors.append(None if c.deleted else c.from_id)
        thread = None
        if root is None:
            inline = c.replies[:thread_n]
            authors.extend(r.from_id for r in inline if not r.deleted)
            encoded = [render.comment_json(r, need_likes=need_likes, preview_length=preview) for r in inline]
            thread = render.thread_json(len(c.replies), encoded, can_post=can_post)
        items.append(render.comment_json(c, need_likes=need_likes, preview_length=preview, thread=thread))
    head = json.dumps(response, separators=(",", ":"))[:-1]
    tail = ""
    if params.flag("extended"):
        tail = f',{extended_json(ctx, authors, params.get_list("fields"))},"post_author_id":{post.from_id}'
    return RawJson(f'{head},"items":[{",".join(items)}]{tail}}}')


def get_comment(ctx: CallContext, params: Params) -> Any:
    """One comment by id (user tokens only); top-level ones carry an empty-items `thread`."""
    owner_id = params.get_int("owner_id")
    comment_id = params.get_int("comment_id")
    check_wall(ctx.dataset, owner_id)
    c = ctx.dataset.comment(owner_id, comment_id)
    if c is None:
        raise param_error("comment_id is invalid")
    post = _load_post(ctx, owner_id, c.post_id)
    can_post = not post.comments_closed
    thread = render.thread_json(len(c.replies), [], can_post=can_post) if c.parent_id is None else None
    item = render.comment_json(c, need_likes=True, preview_length=0, thread=thread)
    flags = f'"can_post":{"true" if can_post else "false"},"show_reply_button":true,"groups_can_post":true'
    tail = ""
    if params.flag("extended"):
        author = None if c.deleted else c.from_id
        tail = f',{extended_json(ctx, [author], params.get_list("fields"))},"post_author_id":{post.from_id}'
    return RawJson(f'{{"items":[{item}],{flags}{tail}}}')
