"""Response shapes match the real VK samples in /work/shared/reference/vk-api.md (5.199)."""

from __future__ import annotations

from devtools.vk_emulator import Dataset

from .conftest import Vk, busiest_post, open_community

POST_KEYS = {
    "id", "owner_id", "from_id", "date", "marked_as_ads", "post_type", "text", "post_source",
    "comments", "likes", "reposts", "views", "donut", "short_text_rate", "hash", "type",
}  # fmt: skip
TOP_COMMENT_KEYS = {"id", "from_id", "date", "text", "post_id", "owner_id", "parents_stack", "thread"}
REPLY_KEYS = {
    "id",
    "from_id",
    "date",
    "text",
    "post_id",
    "owner_id",
    "parents_stack",
    "reply_to_user",
    "reply_to_comment",
}
THREAD_KEYS = {"count", "items", "can_post", "show_reply_button", "groups_can_post"}


def test_wall_get_shape_pinned_first(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    resp = vk.ok("wall.get", owner_id=owner, count=100)
    assert set(resp) == {"count", "items"}
    assert resp["count"] == len(resp["items"])
    first, *rest = resp["items"]
    assert first["is_pinned"] == 1
    assert all("is_pinned" not in p for p in rest)
    assert [p["date"] for p in rest] == sorted((p["date"] for p in rest), reverse=True)
    for post in resp["items"]:
        assert post.keys() >= POST_KEYS
        assert post["comments"].keys() >= {"count", "can_post", "groups_can_post"}
        assert post["likes"].keys() >= {"count", "user_likes", "can_like", "can_publish"}
        assert post["reposts"].keys() >= {"count", "user_reposted"}
        stored = tiny.post(owner, post["id"])
        assert stored is not None
        assert post["comments"]["count"] == sum(1 + len(c.replies) for c in stored.comments)


def test_wall_get_by_domain_and_extended(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    domain = tiny.communities[-owner].screen_name
    resp = vk.ok("wall.get", domain=domain, count=5, extended=1, fields="photo_100")
    assert set(resp) == {"count", "items", "profiles", "groups"}
    assert any(g["id"] == -owner for g in resp["groups"])
    by_id = vk.ok("wall.get", owner_id=owner, count=5)
    assert [p["id"] for p in resp["items"]] == [p["id"] for p in by_id["items"]]


def test_wall_get_paging_and_filters(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    whole = vk.ok("wall.get", owner_id=owner, count=100)["items"]
    paged = (
        vk.ok("wall.get", owner_id=owner, count=2)["items"]
        + vk.ok("wall.get", owner_id=owner, count=100, offset=2)["items"]
    )
    assert [p["id"] for p in paged] == [p["id"] for p in whole]
    assert vk.ok("wall.get", owner_id=owner)["count"] == len(whole)
    own = vk.ok("wall.get", owner_id=owner, filter="owner", count=100)
    others = vk.ok("wall.get", owner_id=owner, filter="others", count=100)
    assert own["count"] + others["count"] == len(whole)
    assert all(p["from_id"] == owner for p in own["items"])
    assert vk.ok("wall.get", owner_id=owner, filter="postponed") == {"count": 0, "items": []}


def test_wall_get_by_id_items_shape(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    ids = [p["id"] for p in vk.ok("wall.get", owner_id=owner, count=3)["items"]]
    resp = vk.ok("wall.getById", posts=",".join(f"{owner}_{i}" for i in ids) + f",{owner}_999999")
    assert set(resp) == {"items"}
    assert [p["id"] for p in resp["items"]] == ids


def test_get_comments_shape_like_real_sample(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    post_id = busiest_post(tiny, owner)
    resp = vk.ok(
        "wall.getComments", owner_id=owner, post_id=post_id, count=100, thread_items_count=10, extended=1, need_likes=1
    )
    assert list(resp)[:6] == [
        "count",
        "current_level_count",
        "can_post",
        "show_reply_button",
        "groups_can_post",
        "items",
    ]
    assert {"profiles", "groups"} <= resp.keys()
    post = tiny.post(owner, post_id)
    assert post is not None
    assert resp["count"] == post.comment_total > resp["current_level_count"] == len(post.comments) > 100
    assert len(resp["items"]) == 100
    profile_ids = {p["id"] for p in resp["profiles"]}
    group_ids = {g["id"] for g in resp["groups"]}
    for item in resp["items"]:
        assert item.keys() >= ({"id", "parents_stack", "date", "thread"} if item.get("deleted") else TOP_COMMENT_KEYS)
        assert item["parents_stack"] == []
        assert set(item["thread"]) == THREAD_KEYS
        assert len(item["thread"]["items"]) == min(10, item["thread"]["count"])
        if not item.get("deleted"):
            assert item["likes"].keys() >= {"count", "user_likes", "can_like"}
            author = item["from_id"]
            assert author in profile_ids if author > 0 else -author in group_ids
        for reply in item["thread"]["items"]:
            assert reply.keys() >= REPLY_KEYS
            assert "thread" not in reply
            assert reply["parents_stack"] == [item["id"]]
    for profile in resp["profiles"]:
        assert profile.keys() >= {"id", "first_name", "last_name"}
    for group in resp["groups"]:
        assert group.keys() >= {"id", "name", "screen_name", "is_closed", "type", "photo_50"}


def test_defaults_count_10_no_inline_thread_items(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    resp = vk.ok("wall.getComments", owner_id=owner, post_id=busiest_post(tiny, owner))
    assert len(resp["items"]) == 10
    assert all(item["thread"]["items"] == [] for item in resp["items"])
    assert all("likes" not in item for item in resp["items"])


def test_preview_length_truncates(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    post_id = busiest_post(tiny, owner)
    full = vk.ok("wall.getComments", owner_id=owner, post_id=post_id, count=100, preview_length=0)["items"]
    cut = vk.ok("wall.getComments", owner_id=owner, post_id=post_id, count=100, preview_length=5)["items"]
    for a, b in zip(full, cut, strict=True):
        if "text" in a:
            assert b["text"] == a["text"][:5]


def test_deleted_placeholder_shape(vk: Vk, tiny: Dataset) -> None:
    deleted = next(
        c
        for p in tiny.iter_posts()
        if not p.comments_closed and tiny.wall_accessible(p.owner_id)
        for c in p.comments
        if c.deleted
    )
    items = vk.ok(
        "wall.getComments", owner_id=deleted.owner_id, post_id=deleted.post_id, start_comment_id=deleted.id, count=1
    )["items"]
    assert set(items[0]) == {"id", "parents_stack", "date", "thread", "deleted"}
    assert items[0]["deleted"] is True
    assert items[0]["thread"]["count"] >= 1


def test_community_authored_comments_have_negative_from_id(vk: Vk, tiny: Dataset) -> None:
    c = next(
        c
        for p in tiny.iter_posts()
        if tiny.wall_accessible(p.owner_id) and not p.comments_closed
        for top in p.comments
        for c in (top, *top.replies)
        if c.from_id < 0 and not c.deleted
    )
    got = vk.ok("wall.getComment", owner_id=c.owner_id, comment_id=c.id, extended=1)
    assert got["items"][0]["from_id"] == c.from_id < 0
    assert got["groups"][0]["id"] == -c.from_id
    assert set(got) >= {"items", "can_post", "show_reply_button", "groups_can_post"}


def test_groups_get_by_id_5199_shape(vk: Vk, tiny: Dataset) -> None:
    communities = sorted(tiny.communities.values(), key=lambda c: c.id)
    refs = [str(communities[0].id), communities[1].screen_name, f"club{communities[2].id}"]
    resp = vk.ok("groups.getById", group_ids=",".join(refs), fields="members_count,description")
    assert set(resp) == {"groups", "profiles"}
    assert resp["profiles"] == []
    assert [g["id"] for g in resp["groups"]] == [c.id for c in communities[:3]]
    for g in resp["groups"]:
        assert g.keys() >= {"id", "name", "screen_name", "is_closed", "type", "photo_50", "photo_100", "photo_200"}
        assert g["is_closed"] in (0, 1, 2)
        assert g["type"] in ("group", "page", "event")
    assert resp["groups"][0]["members_count"] == communities[0].members_count
    closed = next(c for c in communities if c.is_closed)
    assert vk.ok("groups.getById", group_id=closed.id)["groups"][0]["is_closed"] == 1
    banned = next(c for c in communities if c.deactivated)
    assert vk.ok("groups.getById", group_id=banned.id)["groups"][0]["deactivated"] == "banned"


def test_resolve_screen_name(vk: Vk, tiny: Dataset) -> None:
    community = min(tiny.communities.values(), key=lambda c: c.id)
    user = next(u for u in tiny.users.values() if u.screen_name)
    expected = {"object_id": community.id, "type": community.type}
    assert vk.ok("utils.resolveScreenName", screen_name=community.screen_name) == expected
    for prefix in ("club", "public", "event"):
        assert vk.ok("utils.resolveScreenName", screen_name=f"{prefix}{community.id}") == expected
    assert vk.ok("utils.resolveScreenName", screen_name=user.screen_name) == {"object_id": user.id, "type": "user"}
    assert vk.ok("utils.resolveScreenName", screen_name=f"id{user.id}") == {"object_id": user.id, "type": "user"}
    assert vk.ok("utils.resolveScreenName", screen_name="no_such_name_at_all") == []
    assert vk.ok("utils.resolveScreenName", screen_name="club1") == []


def test_users_get_deleted_and_banned(vk: Vk, tiny: Dataset) -> None:
    deleted = next(u for u in tiny.users.values() if u.deactivated == "deleted")
    banned = next(u for u in tiny.users.values() if u.deactivated == "banned")
    normal = next(u for u in tiny.users.values() if u.deactivated is None)
    resp = vk.ok("users.get", user_ids=f"{deleted.id},{banned.id},{normal.id}", fields="photo_100,sex")
    assert resp[0] == {
        "id": deleted.id,
        "first_name": "DELETED",
        "last_name": "",
        "deactivated": "deleted",
        "photo_100": resp[0]["photo_100"],
        "sex": deleted.sex,
    }
    assert resp[1]["deactivated"] == "banned"
    assert resp[1]["first_name"] == banned.first_name
    assert resp[2]["first_name"] == normal.first_name
    assert "deactivated" not in resp[2]
    assert vk.ok("users.get", user_ids="999999999")[0]["first_name"] == "DELETED"
