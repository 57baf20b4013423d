"""Name and profile lookups: utils.resolveScreenName, groups.getById, users.get."""

from __future__ import annotations

import re
from typing import Any

from devtools.vk_emulator import render
from devtools.vk_emulator.errors import VkApiError, param_error
from devtools.vk_emulator.methods.context import CallContext
from devtools.vk_emulator.model import Community
from devtools.vk_emulator.params import Params

_USER_ID_NAME = re.compile(r"^id(\d+)$")
_GROUP_ID_NAME = re.compile(r"^(?:club|public|event)(\d+)$")


def resolve(ctx: CallContext, name: str) -> tuple[str, int] | None:
    """("user", id) or ("group", id) for a screen name, including VK's id123 / club123 forms."""
    ds = ctx.dataset
    key = name.strip().lower()
    if m := _USER_ID_NAME.match(key):
        uid = int(m.group(1))
        return ("user", uid) if uid in ds.users else None
    if m := _GROUP_ID_NAME.match(key):
        gid = int(m.group(1))
        return ("group", gid) if gid in ds.communities else None
    return ds.resolve_name(key)


def resolve_screen_name(ctx: CallContext, params: Params) -> Any:
    """`{"object_id", "type"}`, or `[]` (not an error) for unknown names, as VK answers."""
    name = params.get_str("screen_name")
    if not name:
        raise param_error("screen_name is undefined")
    found = resolve(ctx, name)
    if found is None:
        return []
    kind, object_id = found
    if kind == "group":
        return {"object_id": object_id, "type": ctx.dataset.communities[object_id].type}
    return {"object_id": object_id, "type": "user"}


def _find_group(ctx: CallContext, ref: str) -> Community | None:
    ref = ref.strip()
    if ref.lstrip("-").isdigit():
        return ctx.dataset.communities.get(abs(int(ref)))
    found = resolve(ctx, ref)
    if found is None or found[0] != "group":
        return None
    return ctx.dataset.communities[found[1]]


def groups_get_by_id(ctx: CallContext, params: Params) -> Any:
    """5.199 shape `{"groups": [...], "profiles": []}`; unknown ids are left out."""
    refs = params.get_list("group_ids") or params.get_list("group_id")
    if not refs:
        raise param_error("group_ids is undefined")
    fields = set(params.get_list("fields"))
    groups: list[dict[str, Any]] = []
    for ref in refs[:500]:
        community = _find_group(ctx, ref)
        if community is not None:
            groups.append(render.group(community, fields, user_token=ctx.caller_type == "user"))
    if not groups:
        raise param_error("group_ids is invalid")
    return {"groups": groups, "profiles": []}


def users_get(ctx: CallContext, params: Params) -> Any:
    """An array of profiles; never-seen numeric ids read as DELETED, like on VK."""
    ds = ctx.dataset
    refs = params.get_list("user_ids")
    if not refs:
        refs = [str(ctx.user_id)] if ctx.user_id is not None else []
    fields = set(params.get_list("fields"))
    out: list[dict[str, Any]] = []
    unresolved = 0
    for ref in refs[:1000]:
        uid: int | None = None
        if ref.isdigit():
            uid = int(ref)
        else:
            found = resolve(ctx, ref)
            if found is not None and found[0] == "user":
                uid = found[1]
        if uid is None:
            unresolved += 1
            continue
        user = ds.users.get(uid)
        if user is None:
            out.append({"id": uid, "first_name": "DELETED", "last_name": "", "deactivated": "deleted"})
        else:
            out.append(render.profile(user, fields))
    if unresolved and not out:
        raise VkApiError(113)
    return out
