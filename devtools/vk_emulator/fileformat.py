"""The dataset JSON file: the generator writes it and any user-reported scenario can be written in it.

Format "vk-emulator-dataset/1" (documented in docs/vk-emulator.md): `users`, `communities` and
`posts`, each post holding its top-level `comments`, each comment its `replies`. Only ids, authors
and texts are required; everything else has VK-like defaults so hand-written files stay short.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from devtools.vk_emulator.dataset import Dataset
from devtools.vk_emulator.detect import find_plants
from devtools.vk_emulator.model import Comment, Community, Plant, Post, User

FORMAT = "vk-emulator-dataset/1"


def dump(ds: Dataset) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "meta": ds.meta,
        "users": [_user_out(u) for u in sorted(ds.users.values(), key=lambda u: u.id)],
        "communities": [_community_out(c) for c in sorted(ds.communities.values(), key=lambda c: c.id)],
        "posts": [_post_out(p) for p in ds.iter_posts()],
    }


def write(ds: Dataset, path: Path) -> None:
    path.write_text(json.dumps(dump(ds), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def load_dataset(path: str | Path) -> Dataset:
    """Read a dataset file written by `Dataset.to_json` or by hand."""
    return from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def from_dict(data: dict[str, Any]) -> Dataset:
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise ValueError(f"unsupported dataset format {fmt!r}; expected {FORMAT!r}")
    ds = Dataset(meta=data.get("meta") or {})
    for raw in data.get("users", []):
        ds.add_user(_user_in(raw))
    for raw in data.get("communities", []):
        ds.add_community(_community_in(raw))
    for raw in data.get("posts", []):
        ds.add_post(_post_in(raw))
    return ds


# ---- writing ------------------------------------------------------------------------------------


def _drop_defaults(obj: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in defaults or defaults[k] != v}


def _user_out(u: User) -> dict[str, Any]:
    obj = {
        "id": u.id,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "screen_name": u.screen_name,
        "sex": u.sex,
        "deactivated": u.deactivated,
        "is_closed": u.is_closed,
    }
    return _drop_defaults(obj, {"screen_name": None, "sex": 0, "deactivated": None, "is_closed": False})


def _community_out(c: Community) -> dict[str, Any]:
    obj = {
        "id": c.id,
        "name": c.name,
        "screen_name": c.screen_name,
        "type": c.type,
        "is_closed": c.is_closed,
        "deactivated": c.deactivated,
        "description": c.description,
        "members_count": c.members_count,
        "verified": c.verified,
    }
    return _drop_defaults(obj, {"deactivated": None, "description": "", "verified": 0})


def _post_out(p: Post) -> dict[str, Any]:
    obj = {
        "owner_id": p.owner_id,
        "id": p.id,
        "from_id": p.from_id,
        "date": p.date,
        "text": p.text,
        "is_pinned": p.is_pinned,
        "comments_closed": p.comments_closed,
        "likes": p.likes,
        "reposts": p.reposts,
        "views": p.views,
        "attachments": p.attachments,
        "marked_as_ads": p.marked_as_ads,
        "post_type": p.post_type,
        "signer_id": p.signer_id,
    }
    obj = _drop_defaults(
        obj,
        {
            "is_pinned": False,
            "comments_closed": False,
            "attachments": [],
            "marked_as_ads": 0,
            "post_type": "post",
            "signer_id": None,
        },
    )
    obj["comments"] = [_comment_out(c) for c in p.comments]
    return obj


def _comment_out(c: Comment) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": c.id,
        "from_id": c.from_id,
        "date": c.date,
        "text": c.text,
        "likes": c.likes,
        "reply_to_comment": c.reply_to_comment,
        "reply_to_user": c.reply_to_user,
        "deleted": c.deleted,
        "attachments": c.attachments,
        "tone": c.tone,
        "planted": [p.to_json() for p in c.planted],
    }
    obj = _drop_defaults(
        obj,
        {
            "likes": 0,
            "reply_to_comment": None,
            "reply_to_user": None,
            "deleted": False,
            "attachments": [],
            "tone": None,
        },
    )
    if c.parent_id is None:
        obj["replies"] = [_comment_out(r) for r in c.replies]
    return obj


# ---- reading ------------------------------------------------------------------------------------


def _user_in(raw: dict[str, Any]) -> User:
    return User(
        id=int(raw["id"]),
        first_name=str(raw.get("first_name", "")),
        last_name=str(raw.get("last_name", "")),
        screen_name=raw.get("screen_name"),
        sex=int(raw.get("sex", 0)),
        deactivated=raw.get("deactivated"),
        is_closed=bool(raw.get("is_closed", False)),
    )


def _community_in(raw: dict[str, Any]) -> Community:
    cid = abs(int(raw["id"]))
    return Community(
        id=cid,
        name=str(raw.get("name", f"club{cid}")),
        screen_name=str(raw.get("screen_name") or f"club{cid}"),
        type=str(raw.get("type", "group")),
        is_closed=int(raw.get("is_closed", 0)),
        deactivated=raw.get("deactivated"),
        description=str(raw.get("description", "")),
        members_count=int(raw.get("members_count", 0)),
        verified=int(raw.get("verified", 0)),
    )


def _post_in(raw: dict[str, Any]) -> Post:
    owner_id = int(raw["owner_id"])
    post = Post(
        id=int(raw["id"]),
        owner_id=owner_id,
        from_id=int(raw.get("from_id", owner_id)),
        date=int(raw.get("date", 1_700_000_000)),
        text=str(raw.get("text", "")),
        is_pinned=bool(raw.get("is_pinned", False)),
        comments_closed=bool(raw.get("comments_closed", False)),
        likes=int(raw.get("likes", 0)),
        reposts=int(raw.get("reposts", 0)),
        views=int(raw.get("views", 0)),
        attachments=list(raw.get("attachments", [])),
        marked_as_ads=int(raw.get("marked_as_ads", 0)),
        post_type=str(raw.get("post_type", "post")),
        signer_id=raw.get("signer_id"),
    )
    by_id: dict[int, Comment] = {}
    for raw_top in raw.get("comments", []):
        top = _comment_in(raw_top, post, None, post.date, by_id)
        post.comments.append(top)
        for raw_reply in raw_top.get("replies", []):
            top.replies.append(_comment_in(raw_reply, post, top, top.date, by_id))
        top.replies.sort(key=lambda c: c.id)
    post.comments.sort(key=lambda c: c.id)
    return post


def _comment_in(
    raw: dict[str, Any], post: Post, root: Comment | None, after: int, by_id: dict[int, Comment]
) -> Comment:
    text = str(raw.get("text", ""))
    reply_to_comment = raw.get("reply_to_comment")
    if root is not None and reply_to_comment is None:
        reply_to_comment = root.id
    reply_to_user = raw.get("reply_to_user")
    if reply_to_user is None and reply_to_comment is not None:
        target = by_id.get(int(reply_to_comment))
        reply_to_user = target.from_id if target is not None else None
    planted_raw = raw.get("planted")
    planted = (
        [Plant(str(p["keyword"]), str(p["form"]), int(p["start"]), int(p["end"])) for p in planted_raw]
        if planted_raw is not None
        else find_plants(text)
    )
    comment = Comment(
        id=int(raw["id"]),
        owner_id=post.owner_id,
        post_id=post.id,
        from_id=int(raw.get("from_id", 0)),
        date=int(raw.get("date", after + 1)),
        text=text,
        likes=int(raw.get("likes", 0)),
        parent_id=None if root is None else root.id,
        reply_to_user=None if reply_to_user is None else int(reply_to_user),
        reply_to_comment=None if reply_to_comment is None else int(reply_to_comment),
        deleted=bool(raw.get("deleted", False)),
        attachments=list(raw.get("attachments", [])),
        planted=planted,
        tone=raw.get("tone"),
    )
    by_id[comment.id] = comment
    return comment
