"""The calls this client makes, with the parameters the collector relies on, as `VkCall` values.

Kept apart from the client so the harvester can batch the very same calls into `execute` and the
tests can assert what is asked of VK: `count=100`, `sort=asc` (offsets stay stable as comments arrive),
`preview_length=0` (full texts), `need_likes=1`, `extended=1` (authors come with the page) and
`thread_items_count=10` on the top level (threads of ≤ 10 replies come inline).
"""

from __future__ import annotations

from collections.abc import Sequence

from vkc.vk.calls import ParamValue, VkCall

PAGE = 100
THREAD_PREVIEW = 10
GROUP_FIELDS = "members_count,description,photo_50,photo_100,photo_200,activity,verified,screen_name,is_closed"
PROFILE_FIELDS = "screen_name,sex,photo_50,photo_100,photo_200"
MAX_GROUP_IDS = 500
MAX_USER_IDS = 1000
MAX_POST_IDS = 100


def resolve_screen_name(screen_name: str) -> VkCall:
    return VkCall("utils.resolveScreenName", {"screen_name": screen_name})


def groups_get_by_id(group_ids: Sequence[int | str], fields: str = GROUP_FIELDS) -> VkCall:
    ids = ",".join(str(abs(g)) if isinstance(g, int) else g for g in group_ids)
    return VkCall("groups.getById", {"group_ids": ids, "fields": fields})


def users_get(user_ids: Sequence[int | str], fields: str = PROFILE_FIELDS) -> VkCall:
    return VkCall("users.get", {"user_ids": ",".join(str(u) for u in user_ids), "fields": fields})


def wall_get(owner_id: int, offset: int = 0, count: int = PAGE, *, extended: bool = False) -> VkCall:
    params: dict[str, ParamValue] = {"owner_id": owner_id, "offset": offset, "count": count, "filter": "all"}
    if extended:
        params["extended"] = 1
    return VkCall("wall.get", params)


def wall_get_by_id(posts: Sequence[tuple[int, int]], *, extended: bool = False) -> VkCall:
    params: dict[str, ParamValue] = {"posts": ",".join(f"{o}_{p}" for o, p in posts)}
    if extended:
        params["extended"] = 1
    return VkCall("wall.getById", params)


def wall_get_comments(
    owner_id: int, post_id: int, offset: int = 0, comment_id: int | None = None, count: int = PAGE
) -> VkCall:
    """Top level with a 10-reply inline preview, or (with `comment_id`) one thread's replies."""
    params: dict[str, ParamValue] = {
        "owner_id": owner_id,
        "post_id": post_id,
        "offset": offset,
        "count": count,
        "sort": "asc",
        "preview_length": 0,
        "need_likes": 1,
        "extended": 1,
    }
    if comment_id is None:
        params["thread_items_count"] = THREAD_PREVIEW
    else:
        params["comment_id"] = comment_id
    return VkCall("wall.getComments", params)
