"""A monitoring run reads only the wall pages its window needs, and still misses nothing.

The monitoring payload walks the last `RECHECK_DAYS` of the wall again (every post's comment count is
how changed posts are found). A run with nothing new must read one wall.get page (VK's daily quota is
per wall.get call, execute's inner calls included, counted here by the emulator), and whatever makes
the window longer than the previous run's (more new posts than a page, a pinned post, a deleted post)
must still be collected: the stored comments equal the emulator's ground truth for the window.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from vkc.db.models_collection import Post
from vkc.jobs.schemas import JobStatus
from vkc.monitoring.schedule import RECHECK_DAYS
from vkc.settings import Settings, WorkerKind

from devtools.inprocess import Harness, harness
from devtools.vk_emulator import generate_dataset
from devtools.vk_emulator.dataset import Dataset
from devtools.vk_emulator.generator import BASE_DATE

SINCE = datetime.fromtimestamp(BASE_DATE, UTC) - timedelta(days=RECHECK_DAYS)


@pytest.fixture
def small() -> Dataset:
    return generate_dataset(preset="small", seed=42)  # about 14 posts in 30 days, a pinned post each


@pytest.fixture
def world(engine: Engine, settings: Settings, small: Dataset) -> Iterator[tuple[Harness, int]]:
    with harness(engine, settings, small) as h:
        vk_id = next(c.id for c in small.communities.values() if c.is_closed == 0 and c.deactivated is None)
        run(h, vk_id)  # the first monitoring run: 30 days back, nothing stored yet
        yield h, vk_id


def run(h: Harness, vk_id: int) -> tuple[dict[str, Any], int]:
    """One monitoring run as the tick queues it; its result and the wall.get calls VK counted."""
    result, pages, _ = run_counting(h, vk_id)
    return result, pages


def run_counting(h: Harness, vk_id: int) -> tuple[dict[str, Any], int, int]:
    """Also the queue messages the run sent (its root included), every worker's."""
    before = wall_gets(h)
    job = h.start(vk_id, since=SINCE.isoformat(), origin="monitoring")
    messages = h.drain()
    done = h.job(job.id)
    assert done.status is JobStatus.SUCCEEDED, done.error
    return done.result or {}, wall_gets(h) - before, messages


def wall_gets(h: Harness) -> int:
    assert h.emulator is not None
    stats = h.emulator.stats()
    plain = sum(c.get("wall.get", 0) for c in stats["requests"].values())
    return int(plain + sum(c.get("wall.get", 0) for c in stats["inner_calls"].values()))


def window_truth(h: Harness, vk_id: int) -> dict[tuple[int, int], str | None]:
    """The ground truth of the posts in the monitoring window (a pinned post older than it is not in it)."""
    assert h.emulator is not None
    gt = h.emulator.ground_truth()
    since = SINCE.timestamp()
    dataset = h.emulator.dataset
    posts = {
        p["post_id"]
        for p in gt["posts"]
        if p["owner_id"] == -vk_id and (post := dataset.post(-vk_id, p["post_id"])) and post.date >= since
    }
    return {
        (c["post_id"], c["comment_id"]): c["text_sha256"]
        for c in gt["comments"]
        if c["owner_id"] == -vk_id and c["post_id"] in posts
    }


def window_posts(h: Harness, vk_id: int) -> list[Any]:
    assert h.emulator is not None
    wall = h.emulator.dataset.walls[-vk_id]
    return [p for p in wall.by_filter["all"] if p.date >= SINCE.timestamp()]


def test_a_run_with_nothing_new_reads_one_wall_page(world: tuple[Harness, int]) -> None:
    h, vk_id = world
    result, pages, messages = run_counting(h, vk_id)
    assert pages == 1
    assert messages == 1  # the root, which runs the harvest itself; no analysis for nothing new
    assert result["comments_new"] == 0
    assert result["vk_requests"] == 1  # the wall page; no post's count changed
    assert h.stored(vk_id) == window_truth(h, vk_id)


def test_more_new_posts_than_a_page_are_all_collected(world: tuple[Harness, int]) -> None:
    h, vk_id = world
    emu = h.emulator
    assert emu is not None
    oldest = window_posts(h, vk_id)[0]
    new_posts = [emu.add_post(-vk_id, f"новый пост {i}") for i in range(150)]  # the window grows past a page
    on_new = [emu.add_comment(-vk_id, p, "комментарий к новому посту", from_id=101) for p in new_posts[::30]]
    on_oldest = emu.add_comment(-vk_id, oldest.id, "комментарий к старому посту", from_id=102)  # now beyond page 1
    result, pages = run(h, vk_id)
    stored = h.stored(vk_id)
    assert (oldest.id, on_oldest) in stored
    assert all(any(cid == c for _, cid in stored) for c in on_new)
    assert stored == window_truth(h, vk_id)
    assert result["comments_new"] == len(on_new) + 1
    assert pages == 2  # 166 posts and a pinned one: the first page was not enough, the dates asked for one more
    _, pages = run(h, vk_id)
    assert pages == 2  # the stored window now needs two pages, asked for at once


def test_a_pinned_post_inside_the_window_and_a_deleted_post(world: tuple[Harness, int]) -> None:
    h, vk_id = world
    emu = h.emulator
    assert emu is not None
    wall = emu.dataset.walls[-vk_id]
    posts = window_posts(h, vk_id)
    # VK lists a pinned post first whatever its date: pin the oldest post of the window
    pinned = posts[0]
    for name in ("all", "owner", "others"):
        if pinned in wall.by_filter[name]:
            wall.by_filter[name].remove(pinned)
    if wall.pinned is not None:
        wall.pinned.is_pinned = False
        old_pinned, wall.pinned = wall.pinned, None
        wall.add(old_pinned)
    pinned.is_pinned = True
    wall.pinned = pinned
    # a post deleted on VK: every later page starts one post earlier
    deleted = posts[len(posts) // 2]
    for name in ("all", "owner", "others"):
        if deleted in wall.by_filter[name]:
            wall.by_filter[name].remove(deleted)
    on_pinned = emu.add_comment(-vk_id, pinned.id, "комментарий к закреплённому", from_id=103)
    neighbour = posts[len(posts) // 2 - 1]
    on_neighbour = emu.add_comment(-vk_id, neighbour.id, "рядом с удалённым", from_id=104)
    result, pages, messages = run_counting(h, vk_id)
    assert pages == 1
    assert messages == 2  # the root and one analyze message for the two new comments
    stored = h.stored(vk_id)
    assert (pinned.id, on_pinned) in stored
    assert (neighbour.id, on_neighbour) in stored
    assert result["comments_new"] == 2
    # what the deleted post had stays stored (we keep history); everything VK still shows is equal
    truth = window_truth(h, vk_id)
    assert {k: v for k, v in stored.items() if k[0] != deleted.id} == truth


def test_the_first_request_follows_the_posts_stored_in_the_window(
    engine: Engine, settings: Settings, small: Dataset
) -> None:
    """A busy wall (over a page in the window) gets all its pages in the first execute, no more."""
    with harness(engine, settings, small) as h:
        emu = h.emulator
        assert emu is not None
        vk_id = next(c.id for c in small.communities.values() if c.is_closed == 0 and c.deactivated is None)
        for i in range(230):
            emu.add_post(-vk_id, f"пост {i}")
        _, first_pages = run(h, vk_id)
        with Session(engine) as s:
            stored = len(s.scalars(select(Post.post_id).where(Post.owner_id == -vk_id, Post.date >= SINCE)).all())
        assert stored > 200
        result, pages = run(h, vk_id)
        assert pages == 3  # ceil((stored + room) / 100): one execute, nothing asked beyond the window
        assert result["vk_requests"] == 1
        assert first_pages <= 4 + 1  # the first run: the harvester's default four, and the dates ask for the rest
        assert h.stored(vk_id) == window_truth(h, vk_id)
        h.drain(only=WorkerKind.ANALYZE)
