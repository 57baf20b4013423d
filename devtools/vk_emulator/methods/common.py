"""Shared pieces of method handlers: wall access rules and `extended=1` profiles/groups."""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterable
from typing import Any

from devtools.vk_emulator import render
from devtools.vk_emulator.dataset import Dataset
from devtools.vk_emulator.errors import VkApiError, param_error
from devtools.vk_emulator.methods.context import CallContext


def check_wall(ds: Dataset, owner_id: int) -> None:
    """Raise the error VK gives for a wall the caller cannot read (closed, private, blocked)."""
    if owner_id < 0:
        community = ds.communities.get(-owner_id)
        if community is None:
            raise param_error("owner_id is incorrect")
        if community.deactivated:
            raise VkApiError(15, "group is blocked")
        if community.is_closed == 1:
            raise VkApiError(15, "this wall available only for community members")
        if community.is_closed == 2:
            raise VkApiError(203, "access to the group is denied")
        return
    user = ds.users.get(owner_id)
    if user is None:
        raise param_error("owner_id is incorrect")
    if user.deactivated:
        raise VkApiError(18)
    if user.is_closed:
        raise VkApiError(30)


def extended(ctx: CallContext, ids: Iterable[int | None], fields: list[str]) -> dict[str, list[dict[str, Any]]]:
    """`profiles` and `groups` for the authors in `ids` (positive users, negative communities)."""
    ds = ctx.dataset
    wanted = set(fields)
    seen: set[int] = set()
    profiles: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    for object_id in ids:
        if object_id is None or object_id in seen:
            continue
        seen.add(object_id)
        if object_id > 0:
            user = ds.users.get(object_id)
            if user is not None:
                profiles.append(render.profile(user, wanted))
        else:
            community = ds.communities.get(-object_id)
            if community is not None:
                groups.append(render.group(community, wanted, user_token=ctx.caller_type == "user"))
    return {"profiles": profiles, "groups": groups}


# Encoded profiles/groups per dataset: authors repeat across pages, and users never change.
_ENCODED: weakref.WeakKeyDictionary[Dataset, dict[tuple[int, tuple[str, ...], bool], str]] = weakref.WeakKeyDictionary()


def extended_json(ctx: CallContext, ids: Iterable[int | None], fields: list[str]) -> str:
    """The same as `extended`, as the JSON text `"profiles":[...],"groups":[...]`."""
    ds = ctx.dataset
    cache = _ENCODED.setdefault(ds, {})
    key_fields = tuple(sorted(set(fields)))
    user_token = ctx.caller_type == "user"
    seen: set[int] = set()
    profiles: list[str] = []
    groups: list[str] = []
    for object_id in ids:
        if object_id is None or object_id in seen:
            continue
        seen.add(object_id)
        key = (object_id, key_fields, user_token)
        text = cache.get(key)
        if text is None:
            if object_id > 0:
                user = ds.users.get(object_id)
                obj = None if user is None else render.profile(user, set(key_fields))
            else:
                community = ds.communities.get(-object_id)
                obj = None if community is None else render.group(community, set(key_fields), user_token=user_token)
            text = "" if obj is None else json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
            cache[key] = text
        if text:
            (profiles if object_id > 0 else groups).append(text)
    return f'"profiles":[{",".join(profiles)}],"groups":[{",".join(groups)}]'
