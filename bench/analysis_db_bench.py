"""Analysis through the database: comments per second of the real analyze task, 200 rules, one process.

What is timed is what the analyze worker does for its SQS records: ``run_task`` of
``analyze.comments`` messages of up to 5,000 comment ids (as the parse worker sends them), each reading the
comments, analyzing them, writing scores, keyword matches and duplicate flags, calling the
new-matches hook and committing; on the local PostgreSQL (pg8000, as deployed), sequentially in this
one process. Corpus: the VK emulator's "small" dataset (seed 42), its owners and posts, in a workspace
with the 200 rules of ``bench.analysis_bench`` saved as keywords.

The first workspace is measured cold (``analysis.e2e_comments_per_s_cold``: every cache empty). Then
each of ``ROUNDS`` fresh workspaces stores the same comments, its compiled analyzer is warmed on
their texts first (a worker keeps one compiled analyzer per workspace and its caches fill over the
first tasks, as ``bench.analysis_bench`` warms before timing), and the messages are timed; the
figure is the best round, wall clock. ``analysis.e2e_redelivery_comments_per_s`` re-runs the same messages
(every comment already current: the at-least-once no-op).

On a shared machine both the engine and PostgreSQL slow down with other load, so each round also
times the engine alone on the same texts and rules (``Analyzer.analyze``, warm, as
``bench.analysis_bench`` does): ``analysis.e2e_engine_only_comments_per_s`` is its best round and
``analysis.e2e_fraction_of_engine`` the end-to-end rate over the engine's, round by round (best),
which says what the database path costs whatever the load. The machine's load average is recorded,
and how many processes analyzed (``ANALYSIS_PROCESSES``: by default 2 on a machine with 2 CPUs, see
``vkc.analysis_store.parallel``); on a machine whose cores are busy with other work a second process
gains little.
"""

from __future__ import annotations

import json
import os
import time
import uuid

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from vkc.analysis.analyzer import Analyzer
from vkc.analysis_store.parallel import processes
from vkc.analysis_store.ruleset import ANALYZERS
from vkc.analysis_store.task import ANALYZE_TASK, IDS_PER_MESSAGE
from vkc.db.engine import get_engine
from vkc.jobs.context import WorkerDeps
from vkc.jobs.runner import run_task
from vkc.jobs.schemas import TaskMessage
from vkc.settings import Settings
from vkc.wiring.worker import build_worker_deps

from bench.analysis_bench import build_rules
from bench.analysis_world import World, make_world, store_comments
from devtools.pg import migrated_database
from devtools.recording_queue import RecordingQueue

ROUNDS = 5


def emulator_comments() -> tuple[list[str], list[int], list[int]]:
    """Texts, owner ids and post ids of the emulator's small dataset (deleted comments left out)."""
    from devtools.vk_emulator import generate_dataset

    ds = generate_dataset(preset="small", seed=42)
    texts, owners, posts = [], [], []
    for e in ds.ground_truth()["comments"]:
        if e["deleted"]:
            continue
        c = ds.comment(e["owner_id"], e["comment_id"])
        if c is not None:
            texts.append(c.text)
            owners.append(e["owner_id"])
            posts.append(e["post_id"])
    return texts, owners, posts


def worker_deps(settings: Settings, engine: Engine, queue: RecordingQueue | None = None) -> WorkerDeps:
    """The analyze worker's own composition, on this engine, with a recording queue instead of SQS."""
    return build_worker_deps(
        settings,
        engine=engine,
        queue=queue if queue is not None else RecordingQueue(),
        remaining_ms=lambda: 600_000,
    )


def messages(world: World, ids: list[int]) -> list[TaskMessage]:
    return [
        TaskMessage(
            job_id=world.job_id,
            task=ANALYZE_TASK,
            task_id=f"bench.a{n}",
            params={"comment_ids": ids[i : i + IDS_PER_MESSAGE]},
        )
        for n, i in enumerate(range(0, len(ids), IDS_PER_MESSAGE))
    ]


def warm_analyzer(engine: Engine, world: World, texts: list[str]) -> None:
    """Fill the workspace's compiled analyzer's caches, as a worker's are after its first tasks."""
    with Session(engine) as session:
        ruleset = ANALYZERS.get(session, world.workspace_id)
    for t in texts:
        ruleset.analyzer.analyze(t)


def deliver(deps: WorkerDeps, batch: list[TaskMessage]) -> float:
    """Seconds to run the messages one after another, as one worker process does."""
    started = time.perf_counter()
    for message in batch:
        run_task(message, deps, receive_count=1)
    return time.perf_counter() - started


def run() -> dict[str, float]:
    texts, owners, posts = emulator_comments()
    engine_only = Analyzer(build_rules())
    for t in texts:  # warm, as the worker's analyzer is after the first workspace
        engine_only.analyze(t)
    with migrated_database(f"vkc_bench_analysis_db_{uuid.uuid4().hex[:6]}") as settings:
        engine = get_engine(settings)
        deps = worker_deps(settings, engine)
        rates, engine_rates, fractions = [], [], []
        cold = redelivery = 0.0
        for round_ in range(ROUNDS + 1):
            world = make_world(engine, f"bench-{round_}")
            batch = messages(world, store_comments(engine, world, texts, owners, posts))
            if round_ > 0:
                warm_analyzer(engine, world, texts)
            rate = len(texts) / deliver(deps, batch)
            if round_ == 0:
                cold = rate
                redelivery = len(texts) / deliver(deps, batch)
            else:
                started = time.perf_counter()
                for t in texts:
                    engine_only.analyze(t)
                alone = len(texts) / (time.perf_counter() - started)
                rates.append(rate)
                engine_rates.append(alone)
                fractions.append(rate / alone)
    return {
        "analysis.e2e_comments_per_s": round(max(rates)),
        "analysis.e2e_comments_per_s_cold": round(cold),
        "analysis.e2e_redelivery_comments_per_s": round(redelivery),
        "analysis.e2e_engine_only_comments_per_s": round(max(engine_rates)),
        "analysis.e2e_fraction_of_engine": round(max(fractions), 3),
        "analysis.e2e_comments_measured": float(len(texts)),
        "analysis.e2e_load_avg_1m": round(os.getloadavg()[0], 2),
        # 2: batches went to the analysis process (vkc.analysis_store.parallel), 1: in-process
        "analysis.e2e_processes": float(processes()),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
