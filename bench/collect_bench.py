"""End-to-end collection: VK emulator → harvest tasks → PostgreSQL, the whole parse pipeline.

Same setup as bench/vk_bench.py (the emulator in its own process with VK's rate limits, 150 ms per
request + 4 ms per call inside execute; the large dataset's first four open communities), but through
the product's pipeline: one `collect` job per community, run by the parse worker's code (`run_task`:
plan, harvest tasks with the page writer and cursors, fan-in, totals and completeness) on a fresh
migrated database. Analysis messages stay queued (they are the analyze worker's, measured elsewhere).

- `collect.e2e_comments_per_s_1_token`: one user token, one worker: comments stored ÷ wall time.
- `collect.e2e_comments_per_s_4_tokens`: four user tokens, four concurrent workers (as four Lambdas).
Both runs are checked: every job succeeded and the stored comments equal the ground truth's count.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from vkc.db.engine import get_engine
from vkc.db.models_collection import Comment, Community
from vkc.jobs.schemas import JobStatus
from vkc.settings import WorkerKind
from vkc.workspaces.service import create_workspace

from bench.vk_bench import COMMUNITIES, PRESET, SEED, _start_emulator
from devtools.inprocess import Harness
from devtools.pg import migrated_database
from devtools.vk_emulator import generate_dataset


def _one(n_tokens: int, dataset: Any, owners: list[int], expected: int) -> dict[str, float]:
    tokens = [f"bench-e2e-{n_tokens}-{i}-{uuid.uuid4().hex[:6]}" for i in range(n_tokens)]
    proc, url = _start_emulator(tokens)
    try:
        with migrated_database(f"vkc_bench_collect_{n_tokens}_{uuid.uuid4().hex[:6]}") as settings:
            engine = get_engine(settings)
            with Session(engine, expire_on_commit=False) as s, s.begin():
                ws, _ = create_workspace(s, "bench")
                ids = {}
                for owner in owners:
                    c = dataset.communities[-owner]
                    row = Community(
                        id=uuid.uuid4(), workspace_id=ws.id, vk_id=c.id, name=c.name, type=c.type,
                        source_input=c.screen_name,
                    )  # fmt: skip
                    s.add(row)
                    ids[c.id] = row.id
            h = Harness(engine, settings, url, ws.id, ids, tokens=tokens)
            started = time.perf_counter()
            jobs = [h.start(-owner) for owner in owners]
            h.drain(workers=n_tokens, only=WorkerKind.PARSE)
            elapsed = time.perf_counter() - started
            for job in jobs:
                done = h.job(job.id)
                assert done.status is JobStatus.SUCCEEDED, done.error
            with Session(engine) as s:
                stored = s.scalar(select(func.count()).select_from(Comment).where(Comment.workspace_id == ws.id))
            assert stored == expected, (stored, expected)
            requests = sum((h.job(j.id).result or {}).get("vk_requests", 0) for j in jobs)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return {"comments": float(stored), "seconds": elapsed, "requests": float(requests)}


def run() -> dict[str, float]:
    dataset = generate_dataset(preset=PRESET, seed=SEED)
    gt = dataset.ground_truth()
    open_owners = sorted(-c.id for c in dataset.communities.values() if c.is_closed == 0 and c.deactivated is None)
    owners = open_owners[:COMMUNITIES]
    expected = sum(1 for c in gt["comments"] if c["owner_id"] in set(owners))
    one = _one(1, dataset, owners, expected)
    four = _one(4, dataset, owners, expected)
    return {
        "collect.e2e_comments_per_s_1_token": round(one["comments"] / one["seconds"]),
        "collect.e2e_comments_per_s_4_tokens": round(four["comments"] / four["seconds"]),
        "collect.e2e_speedup_4_tokens": round(one["seconds"] / four["seconds"], 2),
        "collect.e2e_comments": one["comments"],
        "collect.e2e_seconds_1_token": round(one["seconds"], 1),
        "collect.e2e_seconds_4_tokens": round(four["seconds"], 1),
        "collect.e2e_vk_requests_1_token": one["requests"],
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
