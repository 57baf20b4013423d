"""A harvest whose tokens are all resting waits on the queue (SQS delays), then finishes: no receive
burned, no dead letter, nothing collected twice, and the job's progress says what it waits for.

Messages go through `run_task` exactly as the worker door hands them over, each delivered once (a
raise would be a receive spent towards the dead-letter queue: the test fails on it). The queue keeps
each message's delay; the drain delivers in order of visibility on the task clock, as SQS would.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from vkc.collection.progress import collection_progress
from vkc.db.models import Job
from vkc.db.models_collection import CollectionTask, Comment
from vkc.jobs.context import WorkerDeps
from vkc.jobs.ports import MAX_DELAY_S
from vkc.jobs.runner import run_task
from vkc.jobs.schemas import JobStatus, TaskMessage
from vkc.settings import Priority, Settings, WorkerKind
from vkc.vk.client import VkClient
from vkc.vk.quota import QuotaBook

from devtools.inprocess import Harness, harness, truth
from devtools.recording_queue import RecordingQueue
from devtools.vk_emulator import generate_dataset
from devtools.vk_emulator.config import FaultConfig
from devtools.vk_emulator.dataset import Dataset


@dataclass
class Clock:
    """The task clock: real time plus however far the test has moved it forward."""

    offset: float = 0.0

    def now(self) -> float:
        return time.time() + self.offset


@dataclass
class DelayedQueue(RecordingQueue):
    """A RecordingQueue that also remembers when each message becomes visible (send time + delay)."""

    clock: Clock = field(default_factory=Clock)
    visible_at: list[float] = field(default_factory=list)

    def send(
        self,
        worker: WorkerKind,
        priority: Priority,
        message: TaskMessage,
        *,
        correlation_id: str,
        workspace_id: str,
        job_type: str,
        delay_s: int = 0,
    ) -> str:
        assert 0 <= delay_s <= MAX_DELAY_S
        self.visible_at.append(self.clock.now() + delay_s)
        return super().send(
            worker,
            priority,
            message,
            correlation_id=correlation_id,
            workspace_id=workspace_id,
            job_type=job_type,
            delay_s=delay_s,
        )


@dataclass
class Drained:
    delivered: int = 0
    delayed: list[int] = field(default_factory=list)  # the delay of every delayed delivery


def drain(
    queue: DelayedQueue, deps: WorkerDeps, *, real_sleep: bool, on_delivery: Callable[[Drained], None]
) -> Drained:
    """Deliver until the queue is empty, earliest-visible first; wait for a delayed message by moving the
    task clock (`real_sleep=False`) or by sleeping (the VK client's breakers run on real time)."""
    out = Drained()
    while queue.sent:
        i = min(range(len(queue.sent)), key=lambda k: queue.visible_at[k])
        sent, visible = queue.sent.pop(i), queue.visible_at.pop(i)
        ahead = visible - queue.clock.now()
        if ahead > 0:
            if real_sleep:
                time.sleep(ahead)
            else:
                queue.clock.offset += ahead
        if sent.delay_s:
            out.delayed.append(sent.delay_s)
        run_task(sent.message, deps, receive_count=1)  # raising here would burn a receive
        out.delivered += 1
        on_delivery(out)
    return out


def _setup(h: Harness, *, client: Callable[[VkClient], None] | None = None) -> tuple[DelayedQueue, WorkerDeps]:
    queue = DelayedQueue()
    h.queue = queue

    def make(workspace_id: object) -> VkClient:
        c = h.client(workspace_id)  # type: ignore[arg-type]
        if client is not None:
            client(c)
        return c

    deps = dataclasses.replace(h.deps(), clock=queue.clock.now, vk_client=make)
    return queue, deps


def _no_duplicates(engine: Engine, h: Harness, vk_id: int) -> None:
    with Session(engine) as s:
        rows = s.scalar(select(func.count()).where(Comment.workspace_id == h.workspace_id, Comment.owner_id == -vk_id))
    assert rows == len(h.stored(vk_id))


def _progress(engine: Engine, job_id: uuid.UUID) -> tuple[Any, Any]:
    """(waiting, eta_s) of the job's progress, as the API shows it."""
    with Session(engine) as s:
        job = s.get(Job, job_id)
        assert job is not None
        progress = collection_progress(s, job, None)
    return progress["waiting"], progress["eta_s"]


def _open(ds: Dataset) -> int:
    return next(c.id for c in ds.communities.values() if c.is_closed == 0 and c.deactivated is None)


def test_out_of_quota_the_harvest_waits_for_the_quota_day_and_then_completes(
    engine: Engine, settings: Settings
) -> None:
    dataset = generate_dataset(preset="tiny", seed=7)
    with harness(engine, settings, dataset, rate_limits=False, quotas={"wall.getComments": 3}) as h:
        assert h.emulator is not None
        emulator = h.emulator
        vk_id = _open(dataset)
        queue, deps = _setup(h)
        job = h.start(vk_id)
        midnight = QuotaBook.resets_at()  # the next UTC midnight
        seen: dict[str, Any] = {}

        def on_delivery(progress: Drained) -> None:
            if "waiting" not in seen and progress.delayed:
                seen["waiting"] = (h.job(job.id).status, *_progress(engine, job.id))
            if "reset" not in seen and queue.clock.now() >= midnight:
                # a new quota day: VK counts from zero (and this test lets it allow plenty), our book too
                seen["reset"] = progress.delivered
                emulator.set_limits(quotas={"wall.getComments": 100_000})
                emulator.reset_limits()
                for key in h.client(h.workspace_id).pool.redis.scan_iter(f"{h.redis_prefix}:quota:*"):
                    h.client(h.workspace_id).pool.redis.delete(key)

        out = drain(queue, deps, real_sleep=False, on_delivery=on_delivery)

        done = h.job(job.id)
        assert done.status is JobStatus.SUCCEEDED, done.error
        assert h.stored(vk_id) == truth(dataset, vk_id)  # everything, once
        _no_duplicates(engine, h, vk_id)
        assert (done.result or {})["comments"] == len(truth(dataset, vk_id))
        # it waited (while running, saying why and until when), in hops SQS allows, until the quota day ended
        status, waiting, eta_s = seen["waiting"]
        assert status is JobStatus.RUNNING
        assert isinstance(waiting, dict)
        assert "quota" in waiting["reason"]
        assert waiting["code"] == "quota"  # what the dashboard translates
        assert waiting["until"] == datetime.fromtimestamp(midnight, UTC).isoformat(timespec="seconds")
        assert isinstance(eta_s, int)
        assert eta_s > 0
        assert max(out.delayed) == MAX_DELAY_S
        assert len(out.delayed) >= (midnight - time.time()) // MAX_DELAY_S
        assert "reset" in seen
        assert _progress(engine, job.id) == (None, None)  # finished: nothing to wait for


def test_every_token_cooling_down_the_harvest_waits_then_completes(engine: Engine, settings: Settings) -> None:
    dataset = generate_dataset(preset="tiny", seed=11)
    with harness(engine, settings, dataset, rate_limits=False) as h:
        assert h.emulator is not None
        emulator = h.emulator
        vk_id = _open(dataset)

        def short_rests(client: VkClient) -> None:
            client.pool.cooldowns[9] = 2.0  # flood control rests the token 2 s here (60 s in production)
            client.pool.max_cooldown_wait_s = 0.5  # and 2 s is longer than the pool sleeps through

        queue, deps = _setup(h, client=short_rests)
        # flood control on every comments call: the wall is read, then no token can take the comments
        emulator.set_faults(FaultConfig(inner_probability=1.0, kinds=("9",), methods=("wall.getComments",)))
        job = h.start(vk_id)

        def on_delivery(progress: Drained) -> None:
            if len(progress.delayed) == 3:  # the token was cooling down three times: VK lifts flood control
                emulator.set_faults(FaultConfig())

        out = drain(queue, deps, real_sleep=True, on_delivery=on_delivery)

        done = h.job(job.id)
        assert done.status is JobStatus.SUCCEEDED, done.error
        assert h.stored(vk_id) == truth(dataset, vk_id)
        _no_duplicates(engine, h, vk_id)
        assert len(out.delayed) >= 3
        assert all(1 <= d <= MAX_DELAY_S for d in out.delayed)
        with Session(engine) as s:
            ids = s.scalars(select(CollectionTask.id).where(CollectionTask.job_id == job.id)).all()
        # a wait with nothing fetched re-sends the same task: ids do not grow with every hop
        assert max(len(i) for i in ids) <= len(f"{job.id}:h.w0.w0")
