"""Fault-injection scenarios: collect a dataset with a known ground truth while something breaks.

Each scenario collects the emulator's communities with the real task code (`run_task`) over a
`DurableQueue` (SQS semantics: visibility timeout, redelivery, dead letters) in the shared Redis
under its own prefix, then compares the database with the dataset's ground truth and returns a
`FaultRun`: comments expected / stored / lost / doubled, content equality, each job's outcome and
whether its totals are true. `tests/faults` asserts on them; `bench/faults_bench.py` records them.

    kill          worker process SIGKILLed 20 times in the middle of its tasks, restarted each time
    duplicates    every message delivered again while it is still being processed, on other workers
    vk_faults     the emulator fails 10 % of requests (5xx, hangs past the client timeout, 1/6/9/10/14)
    redis_restart the pipeline's Redis (a private instance) restarted twice during the run
    pg_restart    the pipeline's PostgreSQL (a private cluster) crashed and restarted twice during the run
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session
from vkc.collection.schemas import COLLECT_JOB
from vkc.db.engine import get_engine
from vkc.db.migrate import upgrade_to_head
from vkc.db.models_collection import Comment
from vkc.jobs import service
from vkc.jobs.schemas import JobStatus, JobView
from vkc.settings import Settings

from devtools.durable_queue import DurableQueue
from devtools.inprocess import USER_TOKEN, Harness, harness
from devtools.throwaway_services import PrivatePostgres, PrivateRedis
from devtools.vk_emulator import FaultConfig, generate_dataset
from devtools.vk_emulator.dataset import Dataset
from devtools.worker_process import ThreadWorkers, WorkerConfig, build_deps

ROOT = Path(__file__).resolve().parents[1]
QUEUE_REDIS_URL = "redis://127.0.0.1:6379/0"  # the shared Redis, under a prefix of our own
TERMINAL = {s.value for s in JobStatus if s.terminal}


@dataclass
class FaultRun:
    scenario: str
    expected: int = 0
    stored: int = 0
    lost: int = 0
    doubled: int = 0
    extra: int = 0
    content_mismatched: int = 0
    content_equal: bool = False
    job_outcome: str = ""
    totals_true: bool = False
    redeliveries: int = 0
    unanalyzed: int = 0  # stored comments the analyze worker never reached
    dead_letters: int = 0
    seconds: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.lost == 0
            and self.doubled == 0
            and self.extra == 0
            and self.content_equal
            and self.job_outcome == "succeeded"
            and self.totals_true
            and self.dead_letters == 0
            and self.unanalyzed == 0
        )

    def figures(self) -> dict[str, Any]:
        keys = (
            "expected",
            "stored",
            "lost",
            "doubled",
            "job_outcome",
            "redeliveries",
            "dead_letters",
            "unanalyzed",
            "seconds",
        )
        data = asdict(self)
        return {f"faults.{self.scenario}.{k}": data[k] for k in keys} | {
            f"faults.{self.scenario}.content_equal": int(self.content_equal),
            f"faults.{self.scenario}.totals_true": int(self.totals_true),
        }


def open_communities(dataset: Dataset) -> list[int]:
    return [c.id for c in dataset.communities.values() if c.is_closed == 0 and c.deactivated is None]


@dataclass
class World:
    """One scenario's workspace, emulator, queue and jobs."""

    h: Harness
    dataset: Dataset
    queue: DurableQueue
    settings: Settings
    vk_ids: list[int]
    jobs: dict[int, uuid.UUID] = field(default_factory=dict)

    @property
    def engine(self) -> Engine:
        return self.h.engine

    def worker_config(self, **kw: Any) -> WorkerConfig:
        return WorkerConfig(self.h.emulator_url, (USER_TOKEN,), f"{self.queue.prefix}:vk", **kw)

    def start(self) -> None:
        for vk_id in self.vk_ids:
            payload = {"community_id": str(self.h.communities[vk_id])}
            with Session(self.engine, expire_on_commit=False) as s:
                job = service.create_job(
                    s,
                    self.queue,
                    COLLECT_JOB,
                    workspace_id=self.h.workspace_id,
                    payload=payload,
                    correlation_id="faults",
                )
            self.jobs[vk_id] = job.id

    def views(self) -> dict[int, JobView]:
        with Session(self.engine) as s:
            return {v: service.get_job(s, self.h.workspace_id, j) for v, j in self.jobs.items()}

    def finished(self) -> bool:
        try:
            done = all(v.status.value in TERMINAL for v in self.views().values())
        except Exception:  # the database may be down in a restart scenario
            return False
        return done and self.queue.empty

    def progress(self) -> int:
        """Comments stored so far (0 while the database is unreachable)."""
        try:
            with Session(self.engine) as s:
                return int(s.scalar(select(func.count()).where(Comment.workspace_id == self.h.workspace_id)) or 0)
        except Exception:
            return 0

    def wait(self, timeout: float, *, tick: Callable[[], None] | None = None) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if tick is not None:
                tick()
            if self.finished():
                return
            time.sleep(0.1)
        raise TimeoutError(f"collection not finished in {timeout}s: queue {self.queue.depths()}")

    def measure(self, scenario: str, started: float) -> FaultRun:
        run = FaultRun(scenario=scenario, seconds=round(time.monotonic() - started, 1))
        expected: dict[tuple[int, int, int], str | None] = {}
        gt_comments = self.dataset.ground_truth()["comments"]
        for c in gt_comments:
            if -c["owner_id"] in self.vk_ids:
                expected[(c["owner_id"], c["post_id"], c["comment_id"])] = c["text_sha256"]
        with Session(self.engine) as s:
            rows = s.execute(
                select(Comment.owner_id, Comment.post_id, Comment.comment_id, Comment.text, Comment.is_deleted).where(
                    Comment.workspace_id == self.h.workspace_id
                )
            ).all()
            total, distinct, unanalyzed = s.execute(
                text(
                    "SELECT count(*), count(DISTINCT (owner_id, comment_id)),"
                    " count(*) FILTER (WHERE analyzed_hash IS DISTINCT FROM content_hash)"
                    " FROM comments WHERE workspace_id = :w"
                ),
                {"w": self.h.workspace_id},
            ).one()
        stored = {
            (r.owner_id, r.post_id, r.comment_id): None if r.is_deleted else hashlib.sha256(r.text.encode()).hexdigest()
            for r in rows
        }
        run.expected, run.stored = len(expected), int(total)
        run.doubled = int(total) - int(distinct)
        run.lost = len(expected.keys() - stored.keys())
        run.extra = len(stored.keys() - expected.keys())
        run.content_mismatched = sum(1 for k in expected.keys() & stored.keys() if expected[k] != stored[k])
        run.content_equal = _digest(expected) == _digest(stored)
        views = self.views()
        outcomes = sorted({v.status.value for v in views.values()})
        run.job_outcome = outcomes[0] if len(outcomes) == 1 else "+".join(outcomes)
        wrong: dict[str, Any] = {}
        for vk_id, view in views.items():
            mine = [c for c in gt_comments if c["owner_id"] == -vk_id]
            want = {"comments": len(mine), "replies": sum(1 for c in mine if c["parent_id"]), "comments_new": len(mine)}
            got = {k: (view.result or {}).get(k) for k in want}
            if got != want:
                wrong[str(vk_id)] = {"want": want, "got": got, "error": view.error.model_dump() if view.error else None}
        run.totals_true = not wrong and bool(views)
        depths = self.queue.depths()
        run.redeliveries, run.dead_letters = depths["redelivered"], depths["dlq"]
        run.unanalyzed = int(unanalyzed)
        run.detail = {"wrong_totals": wrong, "jobs": len(views)}
        return run


def _digest(items: dict[tuple[int, int, int], str | None]) -> str:
    h = hashlib.sha256()
    for key in sorted(items):
        h.update(f"{key}:{items[key]}\n".encode())
    return h.hexdigest()


@contextmanager
def world(
    settings: Settings,
    *,
    preset: str = "tiny",
    seed: int = 42,
    visibility_s: float = 2.0,
    max_receive: int = 5,
    communities: int | None = None,
    **emulator: Any,
) -> Iterator[World]:
    dataset = generate_dataset(preset=preset, seed=seed)
    queue = DurableQueue(
        redis.Redis.from_url(QUEUE_REDIS_URL),
        f"vkc:faults:{uuid.uuid4().hex[:8]}",
        visibility_s=visibility_s,
        max_receive=max_receive,
    )
    with harness(get_engine(settings), settings, dataset, **emulator) as h:
        try:
            yield World(h, dataset, queue, settings, open_communities(dataset)[:communities])
        finally:
            queue.delete_all()


# --- (a) SIGKILL ---------------------------------------------------------------------------------


class WorkerProcess:
    """`python -m devtools.worker_process` for a world; started, SIGKILLed and restarted by pid."""

    def __init__(self, w: World, *, threads: int = 2, task_seconds: float = 1.0) -> None:
        self.w = w
        self.threads = threads
        self.task_seconds = task_seconds
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        s, q = self.w.settings, self.w.queue
        env = os.environ | {
            "DB_HOST": s.db_host,
            "DB_PORT": str(s.db_port),
            "DB_NAME": s.db_name,
            "DB_USER": s.db_user,
            "DB_IAM_AUTH": "0",
            "DB_SSL": "0",
            "REDIS_URL": s.redis_url,
            "STAGE": s.stage,
        }
        cmd = [
            sys.executable,
            "-m",
            "devtools.worker_process",
            *("--queue-redis", QUEUE_REDIS_URL, "--prefix", q.prefix),
            *("--visibility", str(q.visibility_s), "--max-receive", str(q.max_receive)),
            *("--emulator-url", self.w.h.emulator_url, "--token", USER_TOKEN, "--vk-prefix", f"{q.prefix}:vk"),
            *("--threads", str(self.threads), "--task-seconds", str(self.task_seconds)),
        ]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # "ready" once imports and adapters are built
        if line.strip() != "ready":
            raise RuntimeError(f"worker process did not start (exit {self.proc.poll()})")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()  # SIGKILL, this child only
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            self.proc = None


def scenario_kill(settings: Settings, *, kills: int = 20, timeout: float = 150.0) -> FaultRun:
    """SIGKILL the worker process `kills` times while it holds messages in flight, restart it each time."""
    started = time.monotonic()
    rng = random.Random(7)
    with world(settings, preset="small", visibility_s=1.0, latency_ms=60) as w:
        proc = WorkerProcess(w)
        w.start()
        done_kills = 0
        try:
            proc.start()
            deadline = time.monotonic() + timeout
            while done_kills < kills and time.monotonic() < deadline and not w.finished():
                # wait until the worker holds a message, let it work a little, then kill it mid-task;
                # never kill a message on its 3rd receive (5 receives would dead-letter it, as on SQS)
                while w.queue.depths()["inflight"] == 0 and not w.finished() and time.monotonic() < deadline:
                    time.sleep(0.02)
                # short enough that all the kills land before the job is done: the analysis got faster
                # and a 0.15-0.6 s wait let the job finish after 17 of 20 kills in the full suite
                time.sleep(rng.uniform(0.1, 0.35))
                if w.queue.max_inflight_receives() >= 3:
                    time.sleep(0.5)
                    continue
                proc.kill()
                done_kills += 1
                proc.start()
            w.wait(max(10.0, deadline - time.monotonic()))
        finally:
            proc.stop()
        run = w.measure("kill", started)
        run.detail["kills"] = done_kills
        return run


# --- (b) concurrent duplicate deliveries ----------------------------------------------------------


def scenario_duplicates(settings: Settings, *, timeout: float = 90.0) -> FaultRun:
    """A visibility timeout far below a task's run time: every task is redelivered to another worker
    while the first delivery is still running (SQS's at-least-once, concurrently)."""
    started = time.monotonic()
    with world(settings, preset="tiny", visibility_s=0.3, max_receive=1000, latency_ms=40) as w:
        config = w.worker_config(task_seconds=1.0)
        w.start()
        with ThreadWorkers(w.queue, build_deps(settings, w.queue, config), config, threads=4):
            w.wait(timeout)
        return w.measure("duplicates", started)


# --- (c) VK faults --------------------------------------------------------------------------------


def scenario_vk_faults(settings: Settings, *, timeout: float = 120.0) -> FaultRun:
    """10 % of VK requests fail: 5xx, hangs past the client's timeout, errors 1, 6, 9, 10, 14."""
    started = time.monotonic()
    faults = FaultConfig(probability=0.1, inner_probability=0.1, hang_seconds=1.5, seed=11)
    # VK's cooldowns are scaled by TIME_SCALE; the retry budget must be scaled alike: production allows
    # 5 receives × 540 s visibility (45 min, above the 30 min longest cooldown), here that time × scale
    time_scale, visibility_s = 0.02, 2.0
    max_receive = math.ceil(5 * 540 * time_scale / visibility_s)
    with world(
        settings, preset="small", communities=2, visibility_s=visibility_s, max_receive=max_receive, faults=faults
    ) as w:
        config = w.worker_config(task_seconds=3.0, vk_timeout_s=1.0, time_scale=time_scale)
        w.start()
        with ThreadWorkers(w.queue, build_deps(settings, w.queue, config), config, threads=2):
            w.wait(timeout)
        run = w.measure("vk_faults", started)
        assert w.h.emulator is not None
        run.detail["emulator_stats"] = _fault_stats(w)
        return run


def _fault_stats(w: World) -> dict[str, Any]:
    emu = w.h.emulator
    stats = getattr(emu, "stats", None)
    snapshot = stats() if callable(stats) else stats
    return dict(snapshot) if isinstance(snapshot, dict) else {}


# --- (d) Redis restart, (e) PostgreSQL restart ------------------------------------------------------


def _restart_during(w: World, restart: Callable[[], None], *, times: int, timeout: float) -> list[int]:
    """Restart a service `times` times, each once more comments are stored (mid-run); returns progress."""
    at: list[int] = []
    deadline = time.monotonic() + timeout
    step = max(1, sum(1 for c in w.dataset.ground_truth()["comments"] if -c["owner_id"] in w.vk_ids) // (times + 1))
    while len(at) < times and time.monotonic() < deadline and not w.finished():
        stored = w.progress()
        if stored >= step * (len(at) + 1) - step // 2 and (not at or stored > at[-1]):
            at.append(stored)
            restart()
        time.sleep(0.05)
    return at


def scenario_redis_restart(settings: Settings, *, timeout: float = 120.0) -> FaultRun:
    started = time.monotonic()
    with PrivateRedis() as private:
        local = settings.model_copy(update={"redis_url": private.url})
        with world(local, preset="tiny", visibility_s=1.5, latency_ms=40) as w:
            config = w.worker_config(task_seconds=1.0)
            w.start()
            with ThreadWorkers(w.queue, build_deps(local, w.queue, config), config, threads=2):
                at = _restart_during(w, lambda: private.restart(down_s=1.0), times=2, timeout=timeout)
                w.wait(timeout)
            run = w.measure("redis_restart", started)
            run.detail["restarted_at_comments"] = at
            return run


def private_database(pg: PrivatePostgres, settings: Settings) -> Settings:
    """A migrated database on the private cluster, with `settings`' other values."""
    admin = create_engine(f"postgresql+pg8000://postgres@127.0.0.1:{pg.port}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text('CREATE DATABASE "vkc_faults"'))
    finally:
        admin.dispose()
    local = settings.model_copy(update={"db_host": "127.0.0.1", "db_port": pg.port, "db_name": "vkc_faults"})
    upgrade_to_head(local)
    return local


def scenario_pg_restart(settings: Settings, *, timeout: float = 120.0) -> FaultRun:
    started = time.monotonic()
    with PrivatePostgres() as pg:
        local = private_database(pg, settings)
        engine = get_engine(local)
        try:
            with world(local, preset="tiny", visibility_s=1.5, latency_ms=40) as w:
                config = w.worker_config(task_seconds=1.0)
                w.start()
                with ThreadWorkers(w.queue, build_deps(local, w.queue, config), config, threads=2):
                    at = _restart_during(w, lambda: pg.restart(down_s=1.0), times=2, timeout=timeout)
                    w.wait(timeout)
                run = w.measure("pg_restart", started)
                run.detail["restarted_at_comments"] = at
                return run
        finally:
            engine.dispose()


SCENARIOS: dict[str, Callable[[Settings], FaultRun]] = {
    "kill": scenario_kill,
    "duplicates": scenario_duplicates,
    "vk_faults": scenario_vk_faults,
    "redis_restart": scenario_redis_restart,
    "pg_restart": scenario_pg_restart,
}


def run_all(settings: Settings, names: list[str] | None = None) -> dict[str, FaultRun]:
    return {name: SCENARIOS[name](settings) for name in names or list(SCENARIOS)}
