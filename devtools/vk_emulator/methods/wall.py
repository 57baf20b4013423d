"""wall.get and wall.getById: pinned post first, newest first after it, closed walls refused."""

from __future__ import annotations

from typing import Any

from devtools.vk_emulator import render
from devtools.vk_emulator.errors import param_error
from devtools.vk_emulator.methods.common import check_wall, extended
from devtools.vk_emulator.methods.context import CallContext
from devtools.vk_emulator.methods.directory import resolve
from devtools.vk_emulator.params import Params

_EMPTY_FILTERS = ("postponed", "suggests", "archived", "donut")


def _owner(ctx: CallContext, params: Params) -> int:
    if params.has("owner_id"):
        return params.get_int("owner_id")
    if params.has("domain"):
        found = resolve(ctx, params.get_str("domain"))
        if found is None:
            raise param_error("domain is invalid")
        kind, object_id = found
        return -object_id if kind == "group" else object_id
    if ctx.user_id is not None:
        return ctx.user_id
    raise param_error("owner_id is undefined")


def wall_get(ctx: CallContext, params: Params) -> Any:
    """`{"count", "items"}` (+ profiles/groups with extended=1); accepts owner_id or domain."""
    ds = ctx.dataset
    owner_id = _owner(ctx, params)
    check_wall(ds, owner_id)
    filter_name = params.get_str("filter", "all")
    offset = max(0, params.get_int("offset", 0))
    count = params.clamp("count", 20, 0, 100)
    if filter_name in _EMPTY_FILTERS:
        items: list[dict[str, Any]] = []
        total = 0
    elif filter_name in ("all", "owner", "others"):
        wall = ds.wall(owner_id)
        total = wall.size(filter_name)
        items = [render.post(p) for p in wall.page(filter_name, offset, count)]
    else:
        raise param_error("filter is invalid")
    response: dict[str, Any] = {"count": total, "items": items}
    if params.flag("extended"):
        authors = [owner_id, *(item["from_id"] for item in items)]
        response.update(extended(ctx, authors, params.get_list("fields")))
    return response


def wall_get_by_id(ctx: CallContext, params: Params) -> Any:
    """5.199 shape `{"items": [...]}`; posts that are missing or unreadable are left out."""
    ds = ctx.dataset
    refs = params.get_list("posts")
    if not refs:
        raise param_error("posts is undefined")
    items: list[dict[str, Any]] = []
    for ref in refs[:100]:
        owner_s, _, post_s = ref.partition("_")
        try:
            owner_id, post_id = int(owner_s), int(post_s)
        except ValueError:
            continue
        post = ds.post(owner_id, post_id)
        if post is not None and ds.wall_accessible(owner_id):
            items.append(render.post(post))
    response: dict[str, Any] = {"items": items}
    if params.flag("extended"):
        ids = [i for item in items for i in (item["owner_id"], item["from_id"])]
        response.update(extended(ctx, ids, params.get_list("fields")))
    return response
