"""A collection stores exactly VK's comments (replies included), once, with true totals."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from vkc.jobs.schemas import JobStatus
from vkc.settings import Settings

from devtools.inprocess import harness, truth
from devtools.vk_emulator import generate_dataset
from devtools.vk_emulator.dataset import Dataset


@pytest.fixture(scope="module")
def small() -> Dataset:
    return generate_dataset(preset="small", seed=42)


def _open_communities(ds: Dataset) -> list[int]:
    return [c.id for c in ds.communities.values() if c.is_closed == 0 and c.deactivated is None]


def test_collection_equals_ground_truth(engine: Engine, settings: Settings, small: Dataset) -> None:
    with harness(engine, settings, small) as h:
        vk_id = _open_communities(small)[0]
        job = h.start(vk_id)
        h.drain()
        done = h.job(job.id)
        assert done.status is JobStatus.SUCCEEDED, done.error
        expected = truth(small, vk_id)
        assert h.stored(vk_id) == expected  # same comments, same content, nothing doubled
        totals = done.result or {}
        assert totals["comments"] == len(expected)
        assert totals["replies"] == sum(
            1 for c in small.ground_truth()["comments"] if c["owner_id"] == -vk_id and c["parent_id"]
        )
        assert totals["vk_requests"] > 0
        # VK's count also counts deleted comments it no longer serves: the report says so, post by post
        gt = small.ground_truth()
        served: dict[int, int] = {}
        for c in gt["comments"]:
            if c["owner_id"] == -vk_id:
                served[c["post_id"]] = served.get(c["post_id"], 0) + 1
        gap = sum(
            max(0, p["comments_count"] - served.get(p["post_id"], 0)) for p in gt["posts"] if p["owner_id"] == -vk_id
        )
        assert totals["completeness"]["missing"] == gap


def test_duplicate_deliveries_change_nothing(engine: Engine, settings: Settings, small: Dataset) -> None:
    with harness(engine, settings, small) as h:
        vk_id = _open_communities(small)[1]
        job = h.start(vk_id)
        h.drain(duplicate_every=1)
        assert h.job(job.id).status is JobStatus.SUCCEEDED
        assert h.stored(vk_id) == truth(small, vk_id)


def test_rerun_with_nothing_new_costs_a_handful_of_requests(engine: Engine, settings: Settings, small: Dataset) -> None:
    with harness(engine, settings, small) as h:
        vk_id = _open_communities(small)[0]
        first = h.start(vk_id)
        h.drain()
        second = h.start(vk_id)
        h.drain()
        again = h.job(second.id)
        assert again.status is JobStatus.SUCCEEDED
        assert (again.result or {})["comments_new"] == 0
        assert (again.result or {})["vk_requests"] <= 3
        assert (h.job(first.id).result or {})["vk_requests"] > (again.result or {})["vk_requests"]


def test_incremental_run_stores_only_the_new_comments(engine: Engine, settings: Settings) -> None:
    dataset = generate_dataset(preset="tiny", seed=7)
    with harness(engine, settings, dataset) as h:
        assert h.emulator is not None
        vk_id = _open_communities(dataset)[0]
        h.start(vk_id)
        h.drain()
        before = h.stored(vk_id)
        posts = sorted({post_id for post_id, _ in before})
        # new activity on VK: a top-level comment on an old post, a reply in an old thread, a new post
        old_post, (thread_post, thread_root) = posts[0], next(iter(before))
        top = h.emulator.add_comment(-vk_id, old_post, "Новый комментарий про доставку", from_id=101)
        reply = h.emulator.add_comment(-vk_id, thread_post, "Ответ в старой ветке", from_id=102, reply_to=thread_root)
        new_post = h.emulator.add_post(-vk_id, "Свежий пост")
        on_new_post = h.emulator.add_comment(-vk_id, new_post, "Первый!", from_id=103)
        job = h.start(vk_id)
        h.drain()
        done = h.job(job.id)
        assert done.status is JobStatus.SUCCEEDED
        after = h.stored(vk_id)
        assert set(after) - set(before) == {(old_post, top), (thread_post, reply), (new_post, on_new_post)}
        assert (done.result or {})["comments_new"] == 3
        assert after == truth(dataset, vk_id)


def test_without_threads_only_top_level_then_a_full_run_completes(engine: Engine, settings: Settings) -> None:
    dataset = generate_dataset(preset="tiny", seed=11)
    with harness(engine, settings, dataset) as h:
        vk_id = _open_communities(dataset)[0]
        expected = truth(dataset, vk_id)
        tops = {k for k, c in zip(expected, _gt_entries(dataset, vk_id), strict=True) if c["parent_id"] is None}
        first = h.start(vk_id, include_threads=False)
        h.drain()
        done = h.job(first.id)
        assert done.status is JobStatus.SUCCEEDED
        assert set(h.stored(vk_id)) == tops
        assert "not requested" in (done.result or {})["completeness"]["note"]
        h.start(vk_id)
        h.drain()
        assert h.stored(vk_id) == expected


def _gt_entries(dataset: Dataset, vk_id: int) -> list[dict]:
    return [c for c in dataset.ground_truth()["comments"] if c["owner_id"] == -vk_id]
