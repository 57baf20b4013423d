"""Records to VK 5.199 JSON objects (posts, comments, profiles, groups), with VK's optional fields."""

from __future__ import annotations

import hashlib
import json
from json.encoder import encode_basestring
from typing import Any

from devtools.vk_emulator.model import Comment, Community, Post, User

PHOTO_SIZES = ("photo_50", "photo_100", "photo_200")


def _photo_url(kind: str, object_id: int, size: str) -> str:
    px = size.removeprefix("photo_")
    return f"https://sun{object_id % 9 + 1}-{object_id % 97}.userapi.com/s/v1/{kind}/{object_id}.jpg?size={px}x{px}"


def profile(user: User, fields: set[str]) -> dict[str, Any]:
    """A users.get / extended `profiles` entry; deleted users read as DELETED like on VK."""
    if user.deactivated == "deleted":
        obj: dict[str, Any] = {"id": user.id, "first_name": "DELETED", "last_name": "", "deactivated": "deleted"}
    else:
        obj = {"id": user.id, "first_name": user.first_name, "last_name": user.last_name}
        if user.deactivated:
            obj["deactivated"] = user.deactivated
        obj["can_access_closed"] = not user.is_closed
        obj["is_closed"] = user.is_closed
    for name in fields:
        if name in PHOTO_SIZES:
            obj[name] = (
                f"https://vk.com/images/deactivated_{name.removeprefix('photo_')}.png"
                if user.deactivated
                else _photo_url("ig2", user.id, name)
            )
        elif name == "sex":
            obj["sex"] = user.sex
        elif name in ("screen_name", "domain"):
            obj[name] = user.screen_name or f"id{user.id}"
        elif name == "online" and not user.deactivated:
            obj["online"] = 0
    return obj


def group(community: Community, fields: set[str], *, user_token: bool) -> dict[str, Any]:
    """A groups.getById / extended `groups` entry."""
    obj: dict[str, Any] = {
        "id": community.id,
        "name": community.name,
        "screen_name": community.screen_name,
        "is_closed": community.is_closed,
        "type": community.type,
    }
    if community.deactivated:
        obj["deactivated"] = community.deactivated
    if user_token:
        obj.update({"is_admin": 0, "is_member": 0, "is_advertiser": 0})
    for size in PHOTO_SIZES:
        obj[size] = _photo_url("gr", community.id, size)
    for name in fields:
        if name == "members_count" and not community.deactivated:
            obj["members_count"] = community.members_count
        elif name == "description":
            obj["description"] = community.description
        elif name == "verified":
            obj["verified"] = community.verified
        elif name == "activity":
            obj["activity"] = {"group": "Сообщество", "page": "Публичная страница", "event": "Событие"}.get(
                community.type, ""
            )
        elif name == "status":
            obj["status"] = ""
        elif name == "wall":
            obj["wall"] = 0 if community.deactivated else (2 if community.is_closed else 1)
        elif name == "can_post":
            obj["can_post"] = 0
    return obj


def post(p: Post) -> dict[str, Any]:
    """A wall.get / wall.getById item; `comments.count` includes replies."""
    obj: dict[str, Any] = {
        "id": p.id,
        "owner_id": p.owner_id,
        "from_id": p.from_id,
        "date": p.date,
        "marked_as_ads": p.marked_as_ads,
        "post_type": p.post_type,
        "text": p.text,
    }
    if p.is_pinned:
        obj["is_pinned"] = 1
    if p.signer_id is not None:
        obj["signer_id"] = p.signer_id
    if p.attachments:
        obj["attachments"] = p.attachments
    obj.update(
        {
            "post_source": {"type": "vk"},
            "comments": {
                "count": p.comment_total,
                "can_post": 0 if p.comments_closed else 1,
                "groups_can_post": not p.comments_closed,
            },
            "likes": {"count": p.likes, "user_likes": 0, "can_like": 1, "can_publish": 1, "repost_disabled": False},
            "reposts": {"count": p.reposts, "wall_count": p.reposts, "mail_count": 0, "user_reposted": 0},
            "views": {"count": p.views},
            "donut": {"is_donut": False},
            "short_text_rate": 0.8,
            "is_favorite": False,
            "hash": hashlib.md5(f"{p.owner_id}_{p.id}".encode(), usedforsecurity=False).hexdigest()[:22],
            "type": "post",
        }
    )
    return obj


def _flag(value: bool) -> str:
    return "true" if value else "false"


def thread_json(count: int, items: list[str], *, can_post: bool) -> str:
    """A top-level comment's `thread` object, with its inline replies already encoded."""
    return (
        f'{{"count":{count},"items":[{",".join(items)}],"can_post":{_flag(can_post)},'
        '"show_reply_button":true,"groups_can_post":true}'
    )


def comment_json(c: Comment, *, need_likes: bool, preview_length: int, thread: str | None = None) -> str:
    """A comment as JSON text (the hot path of wall.getComments: no intermediate dict).

    Deleted comments become VK's placeholder `{id, parents_stack, date, thread, deleted}`.
    """
    stack = "[]" if c.parent_id is None else f"[{c.parent_id}]"
    thread_part = "" if thread is None else f',"thread":{thread}'
    if c.deleted:
        return f'{{"id":{c.id},"parents_stack":{stack},"date":{c.date}{thread_part},"deleted":true}}'
    text = c.text if preview_length <= 0 else c.text[:preview_length]
    attachments = (
        f',"attachments":{json.dumps(c.attachments, ensure_ascii=False, separators=(",", ":"))}'
        if c.attachments
        else ""
    )
    reply = (
        f',"reply_to_user":{_int_or_null(c.reply_to_user)},"reply_to_comment":{_int_or_null(c.reply_to_comment)}'
        if c.parent_id is not None
        else ""
    )
    likes = f',"likes":{{"count":{c.likes},"user_likes":0,"can_like":1,"can_publish":1}}' if need_likes else ""
    return (
        f'{{"id":{c.id},"from_id":{c.from_id},"date":{c.date},"text":{encode_basestring(text)},'
        f'"post_id":{c.post_id},"owner_id":{c.owner_id},"parents_stack":{stack}'
        f"{attachments}{reply}{likes}{thread_part}}}"
    )


def _int_or_null(value: int | None) -> str:
    return "null" if value is None else str(value)
