"""Paging invariants: the reference coverage algorithm collects exactly the ground truth."""

from __future__ import annotations

import hashlib
from typing import Any

from devtools.vk_emulator import Dataset

from .conftest import Vk, busiest_post, open_community


def collect_post(vk: Vk, owner_id: int, post_id: int) -> list[dict[str, Any]]:
    """§2.3 algorithm: page the top level by current_level_count, fetch threads > 10 via comment_id."""
    collected: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = vk.ok(
            "wall.getComments", owner_id=owner_id, post_id=post_id, count=100, offset=offset,
            sort="asc", preview_length=0, thread_items_count=10, need_likes=1,
        )  # fmt: skip
        for item in page["items"]:
            collected.append(item)
            thread = item["thread"]
            if thread["count"] <= 10:
                collected.extend(thread["items"])
                continue
            t_offset = 0
            while t_offset < thread["count"]:
                replies = vk.ok(
                    "wall.getComments",
                    owner_id=owner_id,
                    post_id=post_id,
                    comment_id=item["id"],
                    count=100,
                    offset=t_offset,
                )
                assert replies["current_level_count"] == thread["count"]
                collected.extend(replies["items"])
                t_offset += 100
        offset += 100
        if offset >= page["current_level_count"]:
            return collected


def as_truth(owner_id: int, post_id: int, item: dict[str, Any]) -> tuple[Any, ...]:
    deleted = bool(item.get("deleted"))
    parents = item["parents_stack"]
    return (
        owner_id,
        post_id,
        item["id"],
        parents[0] if parents else None,
        None if deleted else item["from_id"],
        None if deleted else hashlib.sha256(item["text"].encode()).hexdigest(),
    )


def test_coverage_algorithm_reproduces_ground_truth(vk: Vk, tiny: Dataset) -> None:
    truth = tiny.ground_truth()
    expected = [
        (c["owner_id"], c["post_id"], c["comment_id"], c["parent_id"], c["from_id"], c["text_sha256"])
        for c in truth["comments"]
    ]
    got: list[tuple[Any, ...]] = []
    for post in truth["posts"]:
        if not post["accessible"]:
            continue
        for item in collect_post(vk, post["owner_id"], post["post_id"]):
            got.append(as_truth(post["owner_id"], post["post_id"], item))
    assert sorted(got, key=lambda t: (t[0], t[1], t[2])) == sorted(expected, key=lambda t: (t[0], t[1], t[2]))
    assert len(got) == truth["totals"]["comments"]
    # `count` includes replies: the sum per post equals post.comments.count.
    for post in truth["posts"]:
        if post["accessible"]:
            assert post["comments_count"] == sum(
                1 for c in truth["comments"] if c["post_id"] == post["post_id"] and c["owner_id"] == post["owner_id"]
            )


def test_tiny_has_the_shapes_tests_need(tiny: Dataset) -> None:
    posts = [p for p in tiny.iter_posts() if tiny.wall_accessible(p.owner_id) and not p.comments_closed]
    threads = [len(c.replies) for p in posts for c in p.comments]
    assert max(len(p.comments) for p in posts) > 100
    assert max(threads) > 100
    assert any(10 < n <= 100 for n in threads)


def test_sort_desc_is_reverse_of_asc(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    post_id = busiest_post(tiny, owner)
    level = vk.ok("wall.getComments", owner_id=owner, post_id=post_id, count=1)["current_level_count"]
    asc = [
        i["id"]
        for o in range(0, level, 100)
        for i in vk.ok("wall.getComments", owner_id=owner, post_id=post_id, count=100, offset=o)["items"]
    ]
    desc = [
        i["id"]
        for o in range(0, level, 100)
        for i in vk.ok("wall.getComments", owner_id=owner, post_id=post_id, count=100, offset=o, sort="desc")["items"]
    ]
    assert asc == sorted(asc)
    assert desc == asc[::-1]
    assert vk.ok("wall.getComments", owner_id=owner, post_id=post_id, offset=level)["items"] == []


def test_start_comment_id_and_real_offset(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    post_id = busiest_post(tiny, owner)
    ids = [i["id"] for i in vk.ok("wall.getComments", owner_id=owner, post_id=post_id, count=100)["items"]]
    start = ids[40]
    page = vk.ok("wall.getComments", owner_id=owner, post_id=post_id, start_comment_id=start, count=5)
    assert page["real_offset"] == 40
    assert [i["id"] for i in page["items"]] == ids[40:45]
    before = vk.ok("wall.getComments", owner_id=owner, post_id=post_id, start_comment_id=start, offset=-3, count=3)
    assert before["real_offset"] == 37
    assert [i["id"] for i in before["items"]] == ids[37:40]
    # A reply id between two top-level ids starts at the nearest earlier top-level comment.
    between = vk.ok("wall.getComments", owner_id=owner, post_id=post_id, start_comment_id=start + 1, count=1)
    assert between["items"][0]["id"] == start if ids[41] > start + 1 else True
    desc = vk.ok("wall.getComments", owner_id=owner, post_id=post_id, start_comment_id=start, count=2, sort="desc")
    assert [i["id"] for i in desc["items"]] == [ids[40], ids[39]]


def test_thread_mode_items_are_replies(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    post = tiny.post(owner, busiest_post(tiny, owner))
    assert post is not None
    root = max(post.comments, key=lambda c: len(c.replies))
    resp = vk.ok("wall.getComments", owner_id=owner, post_id=post.id, comment_id=root.id, count=100, sort="desc")
    assert resp["current_level_count"] == len(root.replies)
    assert resp["count"] == post.comment_total
    assert [i["id"] for i in resp["items"]] == [r.id for r in root.replies][::-1][:100]
    for item in resp["items"]:
        assert item["parents_stack"] == [root.id]
        assert "thread" not in item
        target = tiny.comment(owner, item["reply_to_comment"])
        assert target is not None
        assert item["reply_to_user"] == target.from_id
        assert target.id == root.id or target.parent_id == root.id
