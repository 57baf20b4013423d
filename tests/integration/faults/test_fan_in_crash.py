"""A delivery dies between committing and its next step: the redelivery (or the job's close) finishes it."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from vkc.analysis_store.task import queue_analysis
from vkc.collection import finalize, harvest_task
from vkc.db.models_collection import Comment
from vkc.jobs.context import TaskContext
from vkc.jobs.runner import run_task
from vkc.jobs.schemas import JobStatus
from vkc.settings import Settings

from devtools.inprocess import harness, truth
from devtools.vk_emulator import generate_dataset


class Killed(BaseException):
    """The Lambda dies here (nothing after this point runs; the message is not deleted)."""


def test_redelivery_closes_a_job_whose_closer_died(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = generate_dataset(preset="tiny", seed=42)
    real = finalize.finalize_collection
    calls: list[int] = []

    def dies_the_first_time(ctx: TaskContext) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise Killed
        real(ctx)

    monkeypatch.setattr(finalize, "finalize_collection", dies_the_first_time)
    with harness(engine, settings, dataset) as h:
        vk_id = next(c.id for c in dataset.communities.values() if c.is_closed == 0 and c.deactivated is None)
        job = h.start(vk_id)
        deps = h.deps()
        while h.queue.sent:
            sent = h.queue.sent.pop(0)
            try:
                run_task(sent.message, deps, receive_count=1)
            except Killed:
                assert h.job(job.id).status is JobStatus.RUNNING  # every task done, the job still open
                run_task(sent.message, deps, receive_count=2)  # SQS redelivers after the visibility timeout
        done = h.job(job.id)
        assert len(calls) == 2
        assert done.status is JobStatus.SUCCEEDED, done.error
        assert h.stored(vk_id) == truth(dataset, vk_id)
        assert (done.result or {})["comments"] == len(truth(dataset, vk_id))


def test_comments_of_a_delivery_that_died_before_queueing_analysis_are_analyzed(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The task wrote its pages, then died sending their analyze messages (before it is marked done):
    the redelivery fetches the same pages, finds those comments unchanged but never analyzed, and sends
    them. No sweep of the community at the job's close is needed (a monitoring run does none)."""
    dataset = generate_dataset(preset="tiny", seed=42)
    real = queue_analysis
    calls: list[int] = []

    def dies_the_first_time(ctx: TaskContext, ids: Sequence[int]) -> int:
        calls.append(len(ids))
        if len(calls) == 1:
            raise Killed
        return real(ctx, ids)

    monkeypatch.setattr(harvest_task, "queue_analysis", dies_the_first_time)
    with harness(engine, settings, dataset) as h:
        vk_id = next(c.id for c in dataset.communities.values() if c.is_closed == 0 and c.deactivated is None)
        job = h.start(vk_id)
        deps = h.deps()
        while h.queue.sent:
            sent = h.queue.sent.pop(0)
            try:
                run_task(sent.message, deps, receive_count=1)
            except Killed:
                run_task(sent.message, deps, receive_count=2)
        assert calls[0] > 0
        assert h.job(job.id).status is JobStatus.SUCCEEDED
        with Session(engine) as s:
            stale = s.scalar(
                select(func.count()).where(
                    Comment.workspace_id == h.workspace_id,
                    Comment.analyzed_hash.is_distinct_from(Comment.content_hash),
                )
            )
        assert stale == 0
