"""Export fixtures: a bucket on the session's moto server, a comments world, and a task context for the export job."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from vkc.adapters.s3 import S3ObjectStore
from vkc.db.models import Job
from vkc.errors import PermanentJobError
from vkc.exports import service
from vkc.exports.schemas import ExportRequest
from vkc.jobs.context import TaskContext, WorkerDeps
from vkc.jobs.runner import run_task
from vkc.jobs.schemas import JobStatus, TaskMessage
from vkc.jobs.service import ROOT_TASK
from vkc.settings import Priority, Settings
from vkc.wiring.worker import build_worker_deps

from devtools.local_stack.aws import aws_client
from tests.integration.webhooks.conftest import RecordingQueue
from tests.support.world import World, build_world

REGION = "eu-central-1"


@pytest.fixture(scope="session")
def s3(moto_url: str) -> Any:
    """The session's moto server (tests/integration/conftest.py), a process of its own: what S3 stores
    does not count in this process' memory measurements."""
    return aws_client("s3", moto_url, REGION)


@pytest.fixture(scope="session")
def bucket(s3: Any, run_id: str) -> str:
    name = f"vkc-exports-{run_id}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


@pytest.fixture
def store(s3: Any, bucket: str) -> S3ObjectStore:
    """The exports bucket (tests that need several parts at modest sizes set `task.TUNING`)."""
    return S3ObjectStore(s3, bucket)


@pytest.fixture
def world(engine: Engine) -> World:
    return build_world(engine)


Runner = Callable[..., tuple[uuid.UUID, dict[str, Any]]]


def worker_deps(
    settings: Settings, engine: Engine, store: S3ObjectStore, queue: RecordingQueue, remaining_ms: Callable[[], int]
) -> WorkerDeps:
    deps = build_worker_deps(settings, engine=engine, queue=queue, remaining_ms=remaining_ms)
    return dataclasses.replace(deps, object_store=lambda: store)


def deliver_all(deps: WorkerDeps, queue: RecordingQueue, first: TaskMessage | None = None, *, limit: int = 500) -> int:
    """Deliver `first`, then every message the runs queue, like the worker would; returns deliveries."""
    pending = [first] if first is not None else []
    delivered = 0
    while pending or queue.sent:
        pending += [m for _w, _p, m, _a in queue.sent]
        queue.sent.clear()
        run_task(pending.pop(0), deps, receive_count=1)
        delivered += 1
        assert delivered < limit, "the export does not converge"
    return delivered


@pytest.fixture
def run_export(engine: Engine, settings: Settings, store: S3ObjectStore) -> Runner:
    """Create an export through the service (as the API does) and run its job like the worker would:
    the root task, then every continuation it queues, through `run_task`."""

    def run(
        workspace_id: uuid.UUID, body: dict[str, Any], *, remaining_ms: Callable[[], int] = lambda: 60_000
    ) -> tuple[uuid.UUID, dict[str, Any]]:
        request = ExportRequest.model_validate(body)
        created = RecordingQueue()
        with Session(engine, expire_on_commit=False) as s:
            view = service.create_export(s, created, workspace_id, request, correlation_id="t")
        ((_, _, first, _),) = created.sent
        queue = RecordingQueue()
        deliver_all(worker_deps(settings, engine, store, queue, remaining_ms), queue, first)
        with Session(engine) as s:
            job = s.get(Job, view.id)
            assert job is not None
            if job.status != JobStatus.SUCCEEDED.value:
                raise PermanentJobError(str(job.error))
            assert job.result is not None
            return view.id, job.result

    return run


def task_context(job: Job, settings: Settings, engine: Engine, remaining_ms: Callable[[], int]) -> TaskContext:
    deps = build_worker_deps(settings, engine=engine, queue=RecordingQueue(), remaining_ms=remaining_ms)
    message = TaskMessage(job_id=job.id, task=ROOT_TASK, task_id=f"{job.id}:root")
    return TaskContext(
        job_id=job.id,
        workspace_id=job.workspace_id,
        job_type=job.type,
        priority=Priority(job.priority),
        correlation_id="t",
        payload=job.payload,
        message=message,
        deps=deps,
    )
