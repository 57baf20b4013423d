"""The monitoring cycle at 50,000 communities, simulated on this machine (issue 14, docs/capacity.md).

Two halves, each on its own fresh migrated database:

1. **The scheduler at 50,000.** 50,000 monitored communities (30-minute interval) over 125 workspaces
   shaped like agencies (one of 20,000, four of 5,000, twenty of 400, a hundred of 20), written
   set-based; 1,000 of them carry 90 posts each (30 days at three a day, VK's comment counts on them).
   The real monitoring duty (`queue_due_monitoring`) runs with an in-memory recording queue:
   - `scheduler.tick_ms_50k`: every community due at once (a mass import, or the first tick after an
     outage): claim, create jobs and runs, hand every message over; goal <= 5 s;
   - `scheduler.tick_ms_50k_sqs_10ms`: the same with the production queue adapter (`SqsTaskQueue`) over
     an SQS that answers every SendMessageBatch after 10 ms, as in-region AWS does (moto would spend this
     machine's CPU instead);
   - `scheduler.tick_ms_steady_50k`: the steady state, one thirtieth of them due (one 1-minute tick);
   - `scheduler.double_queued_50k`: two ticks in two processes on their own connections, released
     together on 50,000 due communities: communities queued twice (must be 0) and left out (must be 0);
   - `scheduler.tick_rows_per_s`: rows the tick writes (community advanced, job, run) per second.
2. **Incremental collection on the VK emulator** (large preset, its open communities, VK's latency,
   one user token): the first monitoring run (30 days back) of each, then three 30-minute cycles of
   change: none, typical (a new post on one community in five; three new comments on each of the two
   newest posts) and busy (a new post on each; five new comments on each of the four newest). Per
   community run: VK requests, wall.get calls (the daily quota's method), queue messages (the analyze
   worker's included: it runs between cycles), rows written by collection, parse-worker seconds. The
   cycle at 50,000 is extrapolated from the typical cycle.

Tokens needed follow from the rate limiter's per-token ceiling (`RATE_PER_SECOND`, user token: 3/s)
at the fraction the vk bench reaches (`vk.ceiling_fraction_1_token`), and from the daily quota
(wall.get 5,000 per token, 98 % used by `QuotaBook`).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import random
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session
from vkc.adapters.sqs_queue import SqsTaskQueue
from vkc.db.engine import make_engine
from vkc.db.models import Job
from vkc.jobs.retention import delete_old_jobs
from vkc.monitoring.schedule import RECHECK_DAYS, queue_due_monitoring
from vkc.settings import Priority, Settings, WorkerKind
from vkc.vk.quota import DEFAULT_DAILY_LIMITS
from vkc.vk.tokens import RATE_PER_SECOND, TokenType

from devtools.inprocess import Harness, harness
from devtools.pg import migrated_database
from devtools.recording_queue import RecordingQueue
from devtools.vk_emulator import generate_dataset
from devtools.vk_emulator.generator import BASE_DATE

COMMUNITIES = 50_000
INTERVAL_MIN = 30
#: how long the modelled SQS takes to answer one SendMessageBatch (`scheduler.tick_ms_50k_sqs_10ms`)
SQS_LATENCY_S = 0.010
#: (workspaces, communities each): one big agency, a few mid-sized ones, many small teams
WORKSPACES = [(1, 20_000), (4, 5_000), (20, 400), (100, 20)]
SAMPLE_WITH_POSTS, POSTS_EACH = 1_000, 90
PRESET, SEED = "large", 42
LATENCY_MS, INNER_LATENCY_MS = 150, 4
QUOTA_SAFETY = 0.98  # QuotaBook's default
RESULTS = Path(__file__).with_name("results") / "latest.json"


# --------------------------------------------------------------------------- the scheduler at 50,000


def _populate(engine: Engine) -> None:
    """Workspaces, communities and the sample's posts, each in one INSERT ... SELECT."""
    assert sum(n * size for n, size in WORKSPACES) == COMMUNITIES
    with engine.begin() as db:
        spaces: list[tuple[uuid.UUID, int]] = []
        for n, size in WORKSPACES:
            spaces += [(uuid.uuid4(), size) for _ in range(n)]
        db.execute(
            text("INSERT INTO workspaces (id, name) SELECT unnest(CAST(:ids AS uuid[])), 'agency'"),
            {"ids": [str(i) for i, _ in spaces]},
        )
        # community k (1-based) belongs to the workspace whose cumulative range holds it
        bounds, total = [], 0
        for _, size in spaces:
            total += size
            bounds.append(total)
        db.execute(
            text(
                """
                INSERT INTO communities (id, workspace_id, vk_id, name, type, source_input, can_collect,
                    monitoring_enabled, monitoring_interval_minutes, monitoring_priority, next_monitoring_at,
                    members_count, is_closed)
                SELECT gen_random_uuid(), ws.id, 100000 + k, 'community ' || k, 'group', 'club' || (100000 + k),
                       true, true, :interval,
                       CASE WHEN mod(k, 10) = 0 THEN 'high' WHEN mod(k, 10) = 1 THEN 'low' ELSE 'normal' END,
                       now() + make_interval(mins => mod(k, :interval)), 1000 + mod(k * 7919, 500000), 0
                FROM generate_series(1, :n) AS k
                JOIN LATERAL (
                    SELECT w.id FROM unnest(CAST(:ids AS uuid[]), CAST(:bounds AS int[])) AS w(id, upto)
                    WHERE w.upto >= k ORDER BY w.upto LIMIT 1
                ) ws ON true
                """
            ),
            {
                "interval": INTERVAL_MIN,
                "n": COMMUNITIES,
                "ids": [str(i) for i, _ in spaces],
                "bounds": bounds,
            },
        )
        db.execute(
            text(
                """
                INSERT INTO posts (workspace_id, community_id, owner_id, post_id, from_id, date, text,
                    comments_count, comments_count_collected, content_hash, attachments, is_pinned, comments_closed,
                    marked_as_ads)
                SELECT c.workspace_id, c.id, -c.vk_id, p, -c.vk_id, now() - make_interval(hours => p * 8),
                       'post ' || p, mod(p * 37, 60), mod(p * 37, 60), md5(c.id::text || p), '[]', false, false, false
                FROM (SELECT * FROM communities ORDER BY vk_id LIMIT :sample) c, generate_series(1, :posts) AS p
                """
            ),
            {"sample": SAMPLE_WITH_POSTS, "posts": POSTS_EACH},
        )
    _maintenance(engine, "ANALYZE")


def _maintenance(engine: Engine, *statements: str) -> None:
    """VACUUM and ANALYZE outside a transaction (as autovacuum would have between ticks)."""
    admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()


def _make_due(engine: Engine, now: datetime, *, fraction_of_cycle: int | None) -> int:
    """Finish every open job (the previous cycle ran), then make all (None) or one minute's share due."""
    with engine.begin() as db:
        db.execute(
            text(
                "UPDATE jobs SET status = 'succeeded', started_at = now(), finished_at = now() "
                "WHERE status IN ('queued', 'running')"
            )
        )
        if fraction_of_cycle is None:
            db.execute(
                text("UPDATE communities SET next_monitoring_at = CAST(:now AS timestamptz) - interval '1 minute'"),
                {"now": now},
            )
        else:  # spread over the cycle: the share whose minute has come is due
            db.execute(
                text(
                    "UPDATE communities SET next_monitoring_at = CAST(:now AS timestamptz) "
                    "+ make_interval(mins => mod(vk_id, :cycle)::int) - interval '30 seconds'"
                ),
                {"now": now, "cycle": fraction_of_cycle},
            )
        due = db.scalar(
            text("SELECT count(*) FROM communities WHERE next_monitoring_at <= CAST(:now AS timestamptz)"), {"now": now}
        )
    _maintenance(engine, "VACUUM ANALYZE communities", "VACUUM ANALYZE jobs", "VACUUM ANALYZE monitoring_runs")
    return int(due or 0)


def _tick(engine: Engine, now: datetime) -> tuple[float, dict[str, Any], RecordingQueue]:
    queue = RecordingQueue()
    with Session(engine, expire_on_commit=False) as session:
        session.connection()
        started = time.perf_counter()
        summary = queue_due_monitoring(session, queue, now)
        elapsed = time.perf_counter() - started
    return elapsed, summary, queue


class _SqsInRegion:
    """An SQS client whose SendMessageBatch answers after `SQS_LATENCY_S` (in-region AWS: ~5-20 ms) and
    accepts every entry: the real `SqsTaskQueue` (threads, JSON bodies, attributes) without moto's CPU."""

    def __init__(self) -> None:
        self.requests = 0
        self._lock = threading.Lock()

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        time.sleep(SQS_LATENCY_S)
        with self._lock:
            self.requests += 1
        return {"Successful": [{"Id": e["Id"], "MessageId": e["Id"]} for e in Entries], "Failed": []}


def _tick_on_sqs(engine: Engine, now: datetime) -> tuple[float, dict[str, Any], int]:
    """The tick with the production queue adapter over an SQS that answers in `SQS_LATENCY_S`."""
    client = _SqsInRegion()
    urls = {
        f"queue_url_{w.value}_{p.value}": f"https://sqs.local/{w.value}/{p.value}" for w in WorkerKind for p in Priority
    }
    queue = SqsTaskQueue(Settings().model_copy(update=urls), cast(Any, client))
    with Session(engine, expire_on_commit=False) as session:
        session.connection()
        started = time.perf_counter()
        summary = queue_due_monitoring(session, queue, now)
        elapsed = time.perf_counter() - started
    return elapsed, summary, client.requests


def _retention(engine: Engine, now: datetime) -> dict[str, float]:
    """What a monitoring run keeps on disk until retention deletes it, and how fast one sweep deletes.

    Every job the ticks created is made finished 40 days ago (each with its monitoring run); one sweep
    runs with the duty's budget, as the scheduler runs it."""
    sizes = "SELECT pg_total_relation_size('jobs') + pg_total_relation_size('monitoring_runs')"
    _maintenance(engine, "VACUUM ANALYZE jobs", "VACUUM ANALYZE monitoring_runs")
    with engine.begin() as db:
        jobs = int(db.scalar(text("SELECT count(*) FROM jobs")) or 0)
        per_job = int(db.scalar(text(sizes)) or 0) / max(1, jobs)
        db.execute(
            text(
                "UPDATE jobs SET status = 'succeeded', finished_at = CAST(:at AS timestamptz) "
                "WHERE status IN ('queued', 'running') OR finished_at IS NOT NULL"
            ),
            {"at": now - timedelta(days=40)},
        )
    _maintenance(engine, "VACUUM ANALYZE jobs")
    with Session(engine) as session:
        started = time.perf_counter()
        summary = delete_old_jobs(session, now, keep=timedelta(days=30))
        elapsed = time.perf_counter() - started
    return {
        "scheduler.job_and_run_bytes_on_disk": round(per_job),
        "scheduler.retention_jobs_deleted_per_s": round(int(summary["deleted"]) / elapsed),
        "scheduler.retention_sweep_ms": round(elapsed * 1000),
    }


def _tick_in_process(db_name: str, now_iso: str, barrier: Any, out: Any) -> None:
    """One scheduler tick in its own process and connection (as two overlapping Lambda invocations)."""
    engine = make_engine(Settings(db_name=db_name), pool_size=2)
    queue = RecordingQueue()
    with Session(engine, expire_on_commit=False) as session:
        session.connection()
        barrier.wait()
        started = time.perf_counter()
        summary = queue_due_monitoring(session, queue, datetime.fromisoformat(now_iso))
        elapsed = time.perf_counter() - started
    out.put({"seconds": elapsed, "summary": summary, "job_ids": [str(m.message.job_id) for m in queue.sent]})
    engine.dispose()


def _concurrent_ticks(engine: Engine, db_name: str, now: datetime) -> dict[str, float]:
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_tick_in_process, args=(db_name, now.isoformat(), barrier, out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    job_ids = [j for r in results for j in r["job_ids"]]
    with Session(engine) as s:
        communities = s.scalars(select(Job.community_id).where(Job.id.in_([uuid.UUID(j) for j in job_ids]))).all()
        due_left = s.scalar(
            text("SELECT count(*) FROM communities WHERE next_monitoring_at <= CAST(:now AS timestamptz)"), {"now": now}
        )
    return {
        "scheduler.double_queued_50k": float(len(communities) - len(set(communities))),
        "scheduler.left_due_after_two_ticks_50k": float(due_left or 0),
        "scheduler.concurrent_ticks_ms_50k": round(max(r["seconds"] for r in results) * 1000),
        "scheduler.concurrent_ticks_smaller_share": round(
            min(r["summary"]["queued"] for r in results) / max(1, sum(r["summary"]["queued"] for r in results)), 3
        ),
    }


def _scheduler() -> dict[str, float]:
    with migrated_database(f"vkc_bench_scale_{uuid.uuid4().hex[:6]}") as settings:
        engine = make_engine(settings, pool_size=4)
        started = time.perf_counter()
        _populate(engine)
        populate_s = time.perf_counter() - started
        now = datetime.now(UTC) + timedelta(hours=1)

        due_all = _make_due(engine, now, fraction_of_cycle=None)
        all_s, all_summary, all_queue = _tick(engine, now)
        assert all_summary["queued"] == due_all == COMMUNITIES, (all_summary, due_all)
        assert len({m.message.job_id for m in all_queue.sent}) == COMMUNITIES

        _make_due(engine, now, fraction_of_cycle=None)
        sqs_s, sqs_summary, sqs_requests = _tick_on_sqs(engine, now)
        assert sqs_summary["queued"] == COMMUNITIES, sqs_summary

        _make_due(engine, now, fraction_of_cycle=None)
        concurrent = _concurrent_ticks(engine, settings.db_name, now)

        due_steady = _make_due(engine, now, fraction_of_cycle=INTERVAL_MIN)
        steady_s, steady_summary, _ = _tick(engine, now)
        assert steady_summary["queued"] == due_steady, (steady_summary, due_steady)
        with Session(engine) as s:
            jobs_rows = s.scalar(select(func.count()).select_from(Job))
        retention = _retention(engine, now)
        engine.dispose()
    return {
        "scheduler.populate_s_50k": round(populate_s, 1),
        "scheduler.tick_ms_50k": round(all_s * 1000),
        "scheduler.tick_batches_50k": float(all_summary["batches"]),
        "scheduler.tick_send_requests_50k": float(all_queue.batches),
        "scheduler.tick_rows_per_s": round(3 * all_summary["queued"] / all_s),
        "scheduler.tick_ms_50k_sqs_10ms": round(sqs_s * 1000),
        "scheduler.tick_send_requests_50k_sqs_10ms": float(sqs_requests),
        "scheduler.tick_ms_steady_50k": round(steady_s * 1000),
        "scheduler.due_per_tick_steady_50k": float(due_steady),
        "scheduler.jobs_table_rows_at_steady_tick": float(jobs_rows or 0),
        **concurrent,
        **retention,
    }


# --------------------------------------------------------------------------- incremental collection


def _rows_written(engine: Engine) -> int:
    """Rows inserted or updated in the database so far. A backend reports its counts at most once a
    second, and an idle one only after 10 s, so the pool's connections are closed first (a backend
    reports on exit): each cycle then counts its own writes, not the previous cycle's analysis."""
    engine.dispose()
    time.sleep(0.5)
    with engine.connect() as db:
        return int(
            db.scalar(
                text("SELECT tup_inserted + tup_updated FROM pg_stat_database WHERE datname = current_database()")
            )
            or 0
        )


def _change(
    h: Harness, owners: list[int], users: list[int], rng: random.Random, *, post_share: float, posts: int, comments: int
) -> int:
    """One 30-minute cycle of activity on the walls; returns the comments added."""
    emu = h.emulator
    assert emu is not None
    added = 0
    for owner in owners:
        if rng.random() < post_share:
            emu.add_post(owner, "новый пост", from_id=owner)
        wall = emu.dataset.walls[owner].by_filter["all"]
        for post in [p for p in wall if not p.comments_closed][-posts:]:
            for _ in range(comments):
                emu.add_comment(owner, post.id, "новый комментарий", rng.choice(users))
                added += 1
    return added


def _cycle(h: Harness, engine: Engine, vk_ids: list[int]) -> dict[str, float]:
    """Run one monitoring collection per community (the payload the tick sends), on one worker."""
    emu = h.emulator
    assert emu is not None
    since = datetime.fromtimestamp(BASE_DATE, UTC) - timedelta(days=RECHECK_DAYS)
    before_stats, before_rows, before_msgs = emu.stats(), _rows_written(engine), len(h.queue.sent)
    started = time.perf_counter()
    jobs = [h.start(vk_id, since=since.isoformat(), origin="monitoring") for vk_id in vk_ids]
    delivered = h.drain(only=WorkerKind.PARSE)
    seconds = time.perf_counter() - started
    after_stats, after_rows = emu.stats(), _rows_written(engine)
    # the analyze worker runs between cycles, as it does in production (untimed, its rows not counted
    # here): a community's comments are analyzed before its next run, so a run's messages are its own
    delivered += h.drain(only=WorkerKind.ANALYZE)
    results = [h.job(j.id) for j in jobs]
    assert all(r.status.value == "succeeded" for r in results), [r.error for r in results]

    def inner(stats: dict[str, Any], method: str) -> int:
        calls = sum(c.get(method, 0) for c in stats["requests"].values())
        return int(calls + sum(c.get(method, 0) for c in stats["inner_calls"].values()))

    n = len(vk_ids)
    return {
        "vk_requests": (after_stats["requests_total"] - before_stats["requests_total"]) / n,
        "wall_get": (inner(after_stats, "wall.get") - inner(before_stats, "wall.get")) / n,
        "comments_new": sum((r.result or {}).get("comments_new", 0) for r in results) / n,
        "messages": (delivered + len(h.queue.sent) - before_msgs) / n,
        "rows": (after_rows - before_rows) / n,
        "seconds": seconds / n,
    }


def _incremental() -> dict[str, float]:
    dataset = generate_dataset(preset=PRESET, seed=SEED)
    rng = random.Random(SEED)
    users = sorted(u for u in dataset.users if u > 0)[:500]
    with migrated_database(f"vkc_bench_scale_vk_{uuid.uuid4().hex[:6]}") as settings:
        engine = make_engine(settings, pool_size=4)
        with harness(engine, settings, dataset, latency_ms=LATENCY_MS, execute_inner_latency_ms=INNER_LATENCY_MS) as h:
            vk_ids = sorted(c.id for c in dataset.communities.values() if c.is_closed == 0 and c.deactivated is None)
            owners = [-v for v in vk_ids]
            first = _cycle(h, engine, vk_ids)
            quiet = _cycle(h, engine, vk_ids)
            _change(h, owners, users, rng, post_share=0.2, posts=2, comments=3)
            typical = _cycle(h, engine, vk_ids)
            _change(h, owners, users, rng, post_share=1.0, posts=4, comments=5)
            busy = _cycle(h, engine, vk_ids)
        with engine.connect() as db:
            comment_bytes = db.scalar(
                text("SELECT pg_total_relation_size('comments') / greatest(1, (SELECT count(*) FROM comments))")
            )
        engine.dispose()
    out: dict[str, float] = {
        "scale.sample_communities": float(len(vk_ids)),
        "scale.comment_bytes_on_disk": float(comment_bytes or 0),  # heap, indexes (full text too), toast
    }
    for name, figures in (("first_run", first), ("quiet", quiet), ("typical", typical), ("busy", busy)):
        for key, value in figures.items():
            out[f"scale.{name}.{key}_per_run"] = round(value, 3)
    return out


# --------------------------------------------------------------------------- the cycle at 50,000


def _extrapolate(vk: dict[str, float]) -> dict[str, float]:
    """The typical cycle, times 50,000; tokens from the per-token ceiling and the daily quota."""
    figures = json.loads(RESULTS.read_text()).get("figures", {}) if RESULTS.exists() else {}
    ceiling = float(figures.get("vk.ceiling_fraction_1_token", 0.895))
    per_token_per_cycle = RATE_PER_SECOND[TokenType.USER] * ceiling * INTERVAL_MIN * 60
    requests = vk["scale.typical.vk_requests_per_run"] * COMMUNITIES
    cycles_per_day = 24 * 60 / INTERVAL_MIN
    wall_get_per_day = vk["scale.typical.wall_get_per_run"] * COMMUNITIES * cycles_per_day
    quota = DEFAULT_DAILY_LIMITS["wall.get"] * QUOTA_SAFETY
    rows = vk["scale.typical.rows_per_run"] * COMMUNITIES
    return {
        "scale.messages_per_cycle_50k": round(vk["scale.typical.messages_per_run"] * COMMUNITIES),
        "scale.vk_requests_per_cycle_50k": round(requests),
        "scale.tokens_needed_rate_50k": float(-(-requests // per_token_per_cycle)),
        "scale.tokens_needed_quota_50k": float(-(-wall_get_per_day // quota)),
        "scale.db_rows_per_cycle_50k": round(rows),
        "scale.db_rows_per_s_needed_50k": round(rows / (INTERVAL_MIN * 60), 1),
        "scale.parse_seconds_per_cycle_50k": round(vk["scale.typical.seconds_per_run"] * COMMUNITIES),
    }


def run() -> dict[str, float]:
    """Both halves; `SCALE_PARTS=incremental` runs the emulator half only (the scheduler figures are then
    kept from the previous file, as `bench.run` keeps any figure a run does not measure)."""
    parts = os.environ.get("SCALE_PARTS", "scheduler,incremental").split(",")
    load_before = os.getloadavg()
    out: dict[str, float] = {}
    if "scheduler" in parts:
        out.update(_scheduler())
    vk = _incremental()
    out.update(vk)
    out.update(_extrapolate(vk))
    load_after = os.getloadavg()
    out["scale.load_avg_1m_at_start"] = round(load_before[0], 2)
    out["scale.load_avg_1m_at_end"] = round(load_after[0], 2)
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
