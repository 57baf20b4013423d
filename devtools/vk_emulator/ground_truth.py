"""Ground truth: every comment a perfect collector would get, with the keyword forms planted in it.

Comments on closed walls or posts with closed comments are left out of `comments` (VK never serves
them) and only counted in `hidden_comments`. Deleted placeholders are listed with `deleted: true`
and no text hash, because VK serves them (without author or text) while they still have replies.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from devtools.vk_emulator.dataset import Dataset
from devtools.vk_emulator.model import Comment
from devtools.vk_emulator.planted import KEYWORDS

FORMAT = "vk-emulator-ground-truth/1"


def _entry(c: Comment) -> dict[str, Any]:
    return {
        "owner_id": c.owner_id,
        "post_id": c.post_id,
        "comment_id": c.id,
        "parent_id": c.parent_id,
        "reply_to_comment": c.reply_to_comment,
        "from_id": None if c.deleted else c.from_id,
        "date": c.date,
        "deleted": c.deleted,
        "text_sha256": None if c.deleted else hashlib.sha256(c.text.encode("utf-8")).hexdigest(),
        "tone": None if c.deleted else c.tone,
        "planted": [] if c.deleted else [p.to_json() for p in c.planted],
    }


def build(ds: Dataset) -> dict[str, Any]:
    comments: list[dict[str, Any]] = []
    posts: list[dict[str, Any]] = []
    hidden = 0
    by_keyword: Counter[str] = Counter()
    for post in ds.iter_posts():
        accessible = ds.wall_accessible(post.owner_id) and not post.comments_closed
        posts.append(
            {
                "owner_id": post.owner_id,
                "post_id": post.id,
                "comments_count": post.comment_total,
                "comments_closed": post.comments_closed,
                "accessible": accessible,
            }
        )
        if not accessible:
            hidden += post.comment_total
            continue
        for top in post.comments:
            for c in (top, *top.replies):
                entry = _entry(c)
                by_keyword.update(p["keyword"] for p in entry["planted"])
                comments.append(entry)
    return {
        "format": FORMAT,
        "meta": ds.meta,
        "keywords": list(KEYWORDS),
        "posts": posts,
        "comments": comments,
        "hidden_comments": hidden,
        "totals": {
            "comments": len(comments),
            "comments_with_plants": sum(1 for c in comments if c["planted"]),
            "plants": sum(by_keyword.values()),
            "by_keyword": {k: by_keyword.get(k, 0) for k in KEYWORDS},
        },
    }
