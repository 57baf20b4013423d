"""Run the pipeline in-process: real PostgreSQL, Redis and VK emulator; the queue is a list we drain.

A dev tool for tests and benchmarks. The local stack does the same over SQS (tests/e2e); here each
message is handed straight to the worker code, so a test can deliver a message twice on purpose, and a
benchmark can drain with several workers at once without SQS polling in the measurement.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from vkc.adapters.redis_client import get_redis
from vkc.collection.schemas import COLLECT_JOB
from vkc.db.models_collection import Comment, Community
from vkc.jobs import service
from vkc.jobs.context import WorkerDeps
from vkc.jobs.runner import run_task
from vkc.jobs.schemas import JobView
from vkc.settings import Settings, WorkerKind
from vkc.vk.client import VkClient
from vkc.vk.tokens import TokenType, VkToken
from vkc.wiring.worker import build_worker_deps
from vkc.workspaces.service import create_workspace

from devtools.recording_queue import RecordingQueue, SentMessage
from devtools.vk_emulator import Emulator, EmulatorConfig, start_emulator
from devtools.vk_emulator.dataset import Dataset

USER_TOKEN = "emu-user-token-1"


@dataclass
class Harness:
    engine: Engine
    settings: Settings
    emulator_url: str
    workspace_id: uuid.UUID
    communities: dict[int, uuid.UUID]
    queue: RecordingQueue = field(default_factory=RecordingQueue)
    redis_prefix: str = field(default_factory=lambda: f"vkc:test:{uuid.uuid4().hex[:8]}")
    tokens: list[str] = field(default_factory=lambda: [USER_TOKEN])
    emulator: Emulator | None = None  # set when `harness()` started it in-process

    def client(self, workspace_id: uuid.UUID) -> VkClient:
        settings = self.settings.model_copy(update={"vk_api_url": self.emulator_url})
        tokens = [VkToken(t, TokenType.USER) for t in self.tokens]
        return VkClient.create(tokens, get_redis(settings), settings=settings, prefix=self.redis_prefix, timeout_s=3.0)

    def deps(self) -> WorkerDeps:
        return build_worker_deps(
            self.settings,
            engine=self.engine,
            queue=self.queue,
            vk_client=self.client,
            remaining_ms=lambda: 600_000,
        )

    def start(self, vk_id: int, **payload: object) -> JobView:
        payload = {"community_id": str(self.communities[vk_id]), **payload}
        with Session(self.engine, expire_on_commit=False) as s:
            return service.create_job(
                s, self.queue, COLLECT_JOB, workspace_id=self.workspace_id, payload=payload, correlation_id="t"
            )

    def drain(self, *, duplicate_every: int = 0, workers: int = 1, only: WorkerKind | None = None) -> int:
        """Deliver queued messages until none are left, on `workers` threads (like concurrent Lambdas).

        `duplicate_every=n` delivers every n-th message twice (at-least-once); `only` leaves other
        workers' messages queued (e.g. measure collection without analysis).
        """
        delivered = 0
        lock = threading.Lock()
        deps = self.deps()

        def take() -> SentMessage | None:
            with lock:
                for i, sent in enumerate(self.queue.sent):
                    if only is None or sent.worker is only:
                        return self.queue.sent.pop(i)
                return None

        def work() -> int:
            count = 0
            while (sent := take()) is not None:
                run_task(sent.message, deps, receive_count=1)
                count += 1
                if duplicate_every and count % duplicate_every == 0:
                    run_task(sent.message, deps, receive_count=2)
            return count

        while True:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                done = sum(pool.map(lambda _: work(), range(workers)))
            delivered += done
            if done == 0:
                return delivered

    def job(self, job_id: uuid.UUID) -> JobView:
        with Session(self.engine) as s:
            return service.get_job(s, self.workspace_id, job_id)

    def stored(self, vk_id: int) -> dict[tuple[int, int], str | None]:
        """(post_id, comment_id) → sha256 of the text (None for deleted placeholders)."""
        with Session(self.engine) as s:
            rows = s.execute(
                select(Comment.post_id, Comment.comment_id, Comment.text, Comment.is_deleted).where(
                    Comment.workspace_id == self.workspace_id, Comment.owner_id == -vk_id
                )
            ).all()
        return {
            (r.post_id, r.comment_id): None if r.is_deleted else hashlib.sha256(r.text.encode()).hexdigest()
            for r in rows
        }


def truth(dataset: Dataset, vk_id: int) -> dict[tuple[int, int], str | None]:
    return {
        (c["post_id"], c["comment_id"]): c["text_sha256"]
        for c in dataset.ground_truth()["comments"]
        if c["owner_id"] == -vk_id
    }


@contextmanager
def harness(engine: Engine, settings: Settings, dataset: Dataset, **emulator: Any) -> Iterator[Harness]:
    config = EmulatorConfig(dataset=dataset, tokens={USER_TOKEN: "user"}, host="127.0.0.1", port=0, **emulator)
    emu = start_emulator(config)
    try:
        with Session(engine, expire_on_commit=False) as s, s.begin():
            ws, _ = create_workspace(s, f"collect-{uuid.uuid4().hex[:6]}")
            communities = {}
            for c in dataset.communities.values():
                row = Community(
                    id=uuid.uuid4(),
                    workspace_id=ws.id,
                    vk_id=c.id,
                    name=c.name,
                    type=c.type,
                    is_closed=c.is_closed,
                    source_input=c.screen_name,
                    can_collect=c.is_closed == 0 and c.deactivated is None,
                    cannot_collect_reason=None if c.is_closed == 0 else "closed community",
                )
                s.add(row)
                communities[c.id] = row.id
        yield Harness(engine, settings, emu.url, ws.id, communities, emulator=emu)
    finally:
        emu.stop()
