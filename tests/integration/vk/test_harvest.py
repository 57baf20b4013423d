"""The complete-coverage algorithm and its cursors, against the in-process fake VK."""

from __future__ import annotations

import math

from vkc.vk.harvest import (
    CollectingSink,
    CommentPageRequest,
    Harvester,
    PostCursor,
    WallPageRequest,
    WallWindow,
    has_more,
    needs_thread_fetch,
    pages_ahead,
    units_from_json,
    units_to_json,
)
from vkc.vk.models import Comment, Post

from tests.integration.vk.conftest import SERVICE, USER
from tests.support.fakevk import FakeVk

SHAPE = {
    1: [0] * 250,  # three top-level pages
    2: [10, 11, 0, 150, 3],  # threads at, above and far above the inline preview
    3: [],
    5: [0] * 100,  # exactly one full page: a verifying call finds the end
    7: [1] * 30,
}


def collected(sink: CollectingSink) -> set[tuple[int, int]]:
    return {(pid, cid) for (_, pid, cid) in sink.comment_map}


def test_every_comment_and_reply_is_collected_in_few_requests(client_factory, fake: FakeVk) -> None:
    fake.add_wall(-1, 260, SHAPE)
    client = client_factory([USER])
    sink = CollectingSink()
    report = Harvester(client, sink).harvest(-1)
    assert report.complete
    assert report.posts == 260
    assert len(sink.post_map) == 260
    assert collected(sink) == fake.all_comment_ids(-1)
    replies = [c for c in sink.comment_map.values() if c.parents_stack]
    assert replies
    assert all(c.reply_to_comment == c.parents_stack[0] for c in replies)
    assert sink.profile_map
    assert sink.group_map
    # pages: wall 3, top level 3+1+1+2(verify)+1, thread of 11 and 150 -> 1 + 2 = 12 calls + 3 wall
    assert report.calls <= 20
    assert report.requests <= 5
    assert report.cursors[(-1, 1)] == PostCursor(comments_count=250, top_level_done=250)
    assert (-1, 4) in report.cursors  # a post without comments is finished at once


def test_plain_calls_with_only_a_service_token(client_factory, fake: FakeVk) -> None:
    fake.add_wall(-1, 12, {2: [12, 1], 9: [0] * 101})
    client = client_factory([SERVICE])
    sink = CollectingSink()
    report = Harvester(client, sink).harvest(-1)
    assert report.complete
    assert collected(sink) == fake.all_comment_ids(-1)
    assert report.requests == 1 + 2 + 2  # wall, post 2 and its thread of 12, post 9 (2 pages)
    assert {m for m, _, _ in fake.log[-5:]} == {"wall.get", "wall.getComments"}


def test_skips_are_recorded_with_codes(client_factory, fake: FakeVk) -> None:
    fake.add_wall(-1, 5, {1: [1], 2: [2]})
    fake.add_wall(-2, 3, {1: [0]})
    fake.closed_comments.add((-1, 2))
    fake.closed_walls.add(-2)
    client = client_factory([USER])
    report = Harvester(client).harvest([-1, -2])
    assert report.complete
    assert sorted((s.owner_id, s.post_id, s.code) for s in report.skipped) == [(-2, None, 15), (-1, 2, 212)]


def test_date_window_max_posts_and_pinned_post(client_factory, fake: FakeVk) -> None:
    fake.add_wall(-1, 300, {})
    pinned = dict(fake.posts[-1].pop(250))  # an old post, pinned: VK lists it first
    pinned["is_pinned"] = 1
    fake.posts[-1].insert(0, pinned)
    client = client_factory([USER])
    newest = fake.posts[-1][1]["date"]
    sink = CollectingSink()
    report = Harvester(client, sink).harvest(-1, window=WallWindow(since=newest - 100 * 120 + 1))
    ids = {pid for (_, pid) in sink.post_map}
    assert ids == set(range(300 - 119, 301))  # the pinned (old) post neither stops the walk nor is taken
    assert report.newest_post_id[-1] == 300
    sink2 = CollectingSink()
    Harvester(client, sink2).harvest(-1, window=WallWindow(max_posts=150))
    assert len(sink2.post_map) == 150
    sink3 = CollectingSink()
    Harvester(client, sink3).harvest(-1, window=WallWindow(newer_than_post_id=295))
    assert {pid for (_, pid) in sink3.post_map} == {296, 297, 298, 299, 300}


def test_rerun_with_nothing_new_costs_the_wall_only_and_resumes_growth(client_factory, fake: FakeVk) -> None:
    fake.add_wall(-1, 40, {3: [0] * 120, 4: [2, 2]})
    client = client_factory([USER])
    first = Harvester(client).harvest(-1)
    again = Harvester(client).harvest(-1, cursors=first.cursors)
    assert again.requests == 1
    assert again.calls == 4
    assert again.comments == 0
    # new top-level comments on post 3: resumed at its cursor, one call
    tops = fake.tops[(-1, 3)]
    for i in range(5):
        new = {**tops[-1], "id": 10_000 + i, "text": "new"}
        tops.append(new)
        fake.replies[(-1, 3, new["id"])] = []
    post3 = next(p for p in fake.posts[-1] if p["id"] == 3)
    post3["comments"]["count"] += 5
    fake.inner_log.clear()
    sink = CollectingSink()
    grown = Harvester(client, sink).harvest(-1, cursors=first.cursors)
    comment_calls = [p for m, p in fake.inner_log if m == "wall.getComments"]
    assert [c["offset"] for c in comment_calls] == [120]
    assert collected(sink) == {(3, 10_000 + i) for i in range(5)}
    assert grown.cursors[(-1, 3)] == PostCursor(comments_count=125, top_level_done=125)
    # a new reply in an old thread: the resumed pass finds nothing new, so the post is rescanned
    root = fake.tops[(-1, 4)][0]
    fake.replies[(-1, 4, root["id"])].append({**fake.replies[(-1, 4, root["id"])][0], "id": 20_000})
    next(p for p in fake.posts[-1] if p["id"] == 4)["comments"]["count"] += 1
    sink = CollectingSink()
    rescan = Harvester(client, sink).harvest(-1, cursors=grown.cursors)
    assert (4, 20_000) in collected(sink)
    assert rescan.cursors[(-1, 4)].comments_count == 7


def test_budget_leaves_pending_units_that_resume_to_completion(client_factory, fake: FakeVk) -> None:
    fake.add_wall(-1, 200, {i: [0, 12] for i in range(1, 201)})
    client = client_factory([USER])
    sink = CollectingSink()
    harvester = Harvester(client, sink)
    part = harvester.harvest(-1, max_requests=3)
    assert not part.complete
    assert part.pending
    restored = units_from_json(units_to_json(part.pending))
    assert restored == part.pending
    rest = harvester.run_units(restored, cursors=part.cursors)
    assert rest.complete
    assert collected(sink) == fake.all_comment_ids(-1)


def test_transient_inner_failures_are_retried_and_persistent_ones_stay_pending(client_factory, fake: FakeVk) -> None:
    fake.add_wall(-1, 30, {i: [1] for i in range(1, 31)})
    fake.fail_next["wall.getComments"].extend([10, 1, 10])
    client = client_factory([USER])
    sink = CollectingSink()
    report = Harvester(client, sink).harvest(-1)
    assert report.complete
    assert collected(sink) == fake.all_comment_ids(-1)
    fake.fail_next["wall.getComments"].extend([10] * 50)
    broken = Harvester(client, CollectingSink(), unit_attempts=1).collect_posts([_post(fake, -1, 1)])
    assert broken.pending == [CommentPageRequest(-1, 1, 0)]
    assert (-1, 1) not in broken.cursors
    fake.fail_next["wall.getComments"].clear()


def _post(fake: FakeVk, owner: int, pid: int):
    from vkc.vk.models import Post

    return Post.model_validate(next(p for p in fake.posts[owner] if p["id"] == pid))


def test_paging_rules() -> None:
    assert has_more(0, 100, 100)  # a full page: check the next one, whatever the counter says
    assert has_more(0, 40, 100)  # short but the counter says more
    assert not has_more(0, 40, 40)
    assert not has_more(0, 0, 500)
    assert not has_more(100, 3, None)
    mk = Comment.model_validate
    assert needs_thread_fetch(mk({"id": 1, "thread": {"count": 11, "items": [{"id": i} for i in range(10)]}}))
    assert needs_thread_fetch(mk({"id": 1, "thread": {"count": 2, "next_from": "next/0//0"}}))
    assert not needs_thread_fetch(mk({"id": 1, "thread": {"count": 10, "items": [{"id": i} for i in range(10)]}}))
    assert not needs_thread_fetch(mk({"id": 1}))
    assert WallPageRequest(-1, 0).call().params["count"] == 100
    assert math.isclose(1.0, 1.0)


def test_wall_pages_ahead_follow_the_window_not_a_fixed_execute() -> None:
    """wall.get has a daily quota: after a full page inside the window, ask only for what the window holds."""

    def page(offset: int, newest: int, step: int, pinned_date: int | None = None) -> list[Post]:
        posts = [
            Post.model_validate({"id": 1000 - offset - i, "owner_id": -1, "date": newest - i * step})
            for i in range(100)
        ]
        if pinned_date is not None:
            posts[0] = Post.model_validate({"id": 1, "owner_id": -1, "date": pinned_date, "is_pinned": 1})
        return posts

    now = 10_000_000
    # a steady wall, one post an hour, a 10-day window: 240 posts, 140 beyond this page -> 2 more pages,
    # but at most as many as read so far (1) while nothing else is queued or in flight
    steady = page(0, now, 3600)
    window = WallWindow(since=now - 10 * 86_400)
    assert pages_ahead(window, WallPageRequest(-1, 0), steady, next_offset=100, taken=100) == 1
    # the second full page (offset 100): 41 posts left in the window, one more page
    second = page(100, now - 100 * 3600, 3600)
    assert pages_ahead(window, WallPageRequest(-1, 100), second, next_offset=200, taken=200) == 1
    # two pages read, the window still holds 400 posts beyond: 4 needed, at most 2 (doubling)
    long_window = WallWindow(since=now - 30 * 86_400)
    assert pages_ahead(long_window, WallPageRequest(-1, 100), second, next_offset=200, taken=200) == 2
    # pages already queued or in flight count: nothing more while they may cover the window
    assert pages_ahead(window, WallPageRequest(-1, 0), steady, next_offset=300, taken=100) == 0
    # a burst (100 posts in 100 s) on a 30-day window: the estimate is huge, the doubling cap holds it
    burst = page(0, now, 1)
    assert pages_ahead(long_window, WallPageRequest(-1, 0), burst, next_offset=100, taken=100) == 1
    # the pinned post's old date does not make the page look sparse
    pinned = page(0, now, 3600, pinned_date=now - 400 * 86_400)
    assert pages_ahead(window, WallPageRequest(-1, 0), pinned, next_offset=100, taken=99) == 1
    # no date window: up to one execute's worth (the wall's total then stops it)
    assert pages_ahead(WallWindow(), WallPageRequest(-1, 0), steady, next_offset=100, taken=100) == 25
    assert pages_ahead(WallWindow(max_posts=250), WallPageRequest(-1, 0), steady, next_offset=100, taken=100) == 2
