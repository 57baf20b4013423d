"""Exports of 1,000,000 comments as CSV, XLSX and JSONL, across as many worker runs as they take (`exports.*`).

    python -m bench.run exports
    python -m bench.exports_bench [rows]     # alone; rows defaults to 1,000,000

A throwaway migrated database gets one community with `rows` comments (set-based, generate_series:
texts of 40–400 characters with an md5 so they compress like real ones, dates, likes, sentiments).
moto's S3 server runs in its own process (`devtools.local_stack.aws.MotoProcess`). Each format is
exported by a fresh worker process (`--one`), which delivers the root task and every continuation it
queues through `run_task`, each delivery with the analyze worker's 60 s budget (as the Lambda
context's remaining time would give), so the export pauses and continues as it would in AWS. The figures:

- `exports.rows_per_s_<fmt>`: rows / wall time over all runs (database reads, formatting, S3 parts);
- `exports.peak_mib_1m`: the largest peak RSS (ru_maxrss) of the three worker processes;
- `exports.runs_<fmt>`: the runs (invocations) each took; `exports.load_avg_1m`: the machine's load.

Each file is checked: its row count against the database (CSV/JSONL lines, XLSX rows in the zip's
sheets, counted while streaming the object back).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

ROWS = 1_000_000
BUDGET_MS = 60_000  # the analyze worker's timeout
REGION = "eu-central-1"
FORMATS = ("csv", "xlsx", "jsonl")


def _seed(settings: Any, rows: int) -> uuid.UUID:
    from vkc.db.engine import make_engine

    engine = make_engine(settings.model_copy(update={"db_socket_timeout_s": 900.0}), pool_size=1)
    ws, community = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO workspaces (id, name) VALUES (:id, 'bench')"), {"id": ws})
        conn.execute(
            text(
                "INSERT INTO communities (id, workspace_id, vk_id, name, type, is_closed, source_input, "
                "can_collect, monitoring_enabled, monitoring_interval_minutes, monitoring_priority) "
                "VALUES (:id, :ws, 1, 'Большое сообщество', 'group', 0, '1', true, false, 60, 'normal')"
            ),
            {"id": community, "ws": ws},
        )
        conn.execute(
            text(
                """
                INSERT INTO comments (workspace_id, community_id, owner_id, post_id, comment_id, from_id, date, text,
                                      content_hash, attachments, is_deleted, likes_count, sentiment, is_spam)
                SELECT :ws, :community, -1, 1 + n / 200, n, 1000 + mod(n, 5000),
                       timestamptz '2024-01-01' + n * interval '30 seconds',
                       'Комментарий №' || n || ' ' || md5(n::text) || repeat(' да, согласен', mod(n * 7, 30)),
                       md5(n::text), '[]'::jsonb, false, mod(n, 50),
                       (ARRAY['neutral', 'negative', 'positive'])[1 + mod(n, 3)], mod(n, 17) = 0
                FROM generate_series(1, :rows) AS n
                """
            ),
            {"ws": ws, "community": community, "rows": rows},
        )
        conn.execute(text("ANALYZE comments"))
    engine.dispose()
    return ws


def _deps(db_name: str, url: str, bucket: str, sent: list[Any], deadline: list[float]) -> Any:
    from vkc.adapters.s3 import S3ObjectStore
    from vkc.settings import Settings
    from vkc.wiring.worker import build_worker_deps

    from devtools.local_stack.aws import aws_client

    class Queue:
        def send(self, worker: Any, priority: Any, message: Any, **attrs: Any) -> str:
            sent.append(message)
            return "m"

    store = S3ObjectStore(aws_client("s3", url, REGION), bucket)
    deps = build_worker_deps(
        Settings(db_name=db_name), queue=Queue(), remaining_ms=lambda: int((deadline[0] - time.monotonic()) * 1000)
    )
    return dataclasses.replace(deps, object_store=lambda: store)


def _deliver(db_name: str, url: str, bucket: str, job_id: str) -> dict[str, Any]:
    """In a fresh process: deliver the export's root task and every continuation, each with 60 s."""
    from vkc.db.models import Job
    from vkc.jobs.runner import run_task
    from vkc.jobs.schemas import TaskMessage
    from vkc.jobs.service import ROOT_TASK

    sent: list[Any] = [TaskMessage(job_id=uuid.UUID(job_id), task=ROOT_TASK, task_id=f"{job_id}:root")]
    deadline = [0.0]
    deps = _deps(db_name, url, bucket, sent, deadline)
    started = time.perf_counter()
    runs = 0
    while sent:
        deadline[0] = time.monotonic() + BUDGET_MS / 1000
        run_task(sent.pop(0), deps, receive_count=1)
        runs += 1
    with deps.sessions() as s:
        job = s.get(Job, uuid.UUID(job_id))
        status, result = job.status, dict(job.result or {})
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": time.perf_counter() - started, "runs": runs, "status": status, "result": result,
            "peak_mib": peak_kib / 1024}  # fmt: skip


def _one(db_name: str, url: str, bucket: str, workspace: str, fmt: str) -> dict[str, Any]:
    """In a fresh process: create the export and deliver its tasks, each with a 60 s budget."""
    from vkc.adapters.s3 import S3ObjectStore
    from vkc.exports import service
    from vkc.exports.schemas import ExportRequest
    from vkc.jobs.runner import run_task
    from vkc.jobs.schemas import TaskMessage
    from vkc.settings import Settings
    from vkc.wiring.worker import build_worker_deps

    from devtools.local_stack.aws import aws_client

    settings = Settings(db_name=db_name)
    sent: list[TaskMessage] = []

    class Queue:
        def send(self, worker: Any, priority: Any, message: TaskMessage, **attrs: Any) -> str:
            sent.append(message)
            return "m"

    deadline = [0.0]
    store = S3ObjectStore(aws_client("s3", url, REGION), bucket)
    deps = build_worker_deps(settings, queue=Queue(), remaining_ms=lambda: int((deadline[0] - time.monotonic()) * 1000))
    deps = dataclasses.replace(deps, object_store=lambda: store)
    with deps.sessions(expire_on_commit=False) as s:
        service.create_export(
            s, Queue(), uuid.UUID(workspace), ExportRequest.model_validate({"format": fmt}), correlation_id="bench"
        )
    started = time.perf_counter()
    runs = 0
    while sent:
        deadline[0] = time.monotonic() + BUDGET_MS / 1000
        run_task(sent.pop(0), deps, receive_count=1)
        runs += 1
    seconds = time.perf_counter() - started
    from vkc.db.models import Job

    with deps.sessions() as s:
        job = (
            s.query(Job)
            .filter(Job.workspace_id == uuid.UUID(workspace), Job.type == "export")
            .order_by(Job.created_at.desc())
            .first()
        )
        if job is None or job.status != "succeeded":
            raise RuntimeError(f"the export did not succeed: {job and job.error}")
        result = dict(job.result or {})
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "runs": runs, "peak_mib": peak_kib / 1024, "result": result}


def _count_rows(s3: Any, bucket: str, key: str, fmt: str) -> int:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    if fmt != "xlsx":
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: body.read(8 << 20), b""))
        return int(lines) - 1 if fmt == "csv" else int(lines)  # the CSV header
    data = io.BytesIO(body.read())  # the zip's directory is at its end
    archive = zipfile.ZipFile(data)
    rows = 0
    for name in archive.namelist():
        if name.startswith("xl/worksheets/"):
            with archive.open(name) as sheet:  # CRC-checked while read
                carry = b""  # a "<row " split across two chunks is counted once
                for chunk in iter(lambda: sheet.read(8 << 20), b""):
                    joined = carry + chunk
                    rows += joined.count(b"<row ") - carry.count(b"<row ")
                    carry = joined[-4:]
                rows -= 1  # the header row
    return int(rows)


def run(rows: int = ROWS) -> dict[str, float]:
    from devtools.local_stack.aws import MotoProcess, aws_client
    from devtools.pg import migrated_database

    name = f"vkc_bench_exports_{uuid.uuid4().hex[:6]}"
    figures: dict[str, float] = {}
    with migrated_database(name) as settings:
        seeded = time.perf_counter()
        workspace = _seed(settings, rows)
        print(f"seeded {rows:,} comments in {time.perf_counter() - seeded:.0f} s", file=sys.stderr)
        moto = MotoProcess()
        url = moto.start()
        try:
            s3 = aws_client("s3", url, REGION)
            bucket = f"vkc-bench-exports-{uuid.uuid4().hex[:6]}"
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
            peak = 0.0
            for fmt in FORMATS:
                out = subprocess.run(
                    [sys.executable, "-m", "bench.exports_bench", "--one", name, url, bucket, str(workspace), fmt],
                    capture_output=True,
                    text=True,
                    check=True,
                    env=os.environ.copy(),
                )
                one = json.loads(out.stdout.strip().splitlines()[-1])
                result = one["result"]
                counted = _count_rows(s3, bucket, result["key"], fmt)
                if not (counted == result["rows"] == rows):
                    raise AssertionError(f"{fmt}: {counted} rows in the file, {result['rows']} reported, {rows} stored")
                print(
                    f"{fmt}: {rows / one['seconds']:,.0f} rows/s, {one['runs']} runs, {result['parts']} parts, "
                    f"{result['size_bytes'] / 2**20:.0f} MiB, peak RSS {one['peak_mib']:.0f} MiB",
                    file=sys.stderr,
                )
                figures[f"exports.rows_per_s_{fmt}"] = round(rows / one["seconds"])
                figures[f"exports.runs_{fmt}"] = one["runs"]
                figures[f"exports.size_mib_{fmt}"] = round(result["size_bytes"] / 2**20, 1)
                peak = max(peak, one["peak_mib"])
            figures["exports.peak_mib_1m" if rows == ROWS else "exports.peak_mib"] = round(peak, 1)
            figures["exports.load_avg_1m"] = round(os.getloadavg()[0], 2)
        finally:
            moto.stop()
    return figures


def _create(settings: Any, workspace: uuid.UUID, fmt: str) -> str:
    from vkc.exports import service
    from vkc.exports.schemas import ExportRequest
    from vkc.jobs.ports import TaskQueue

    class Drop:
        def send(self, worker: Any, priority: Any, message: Any, **attrs: Any) -> str:
            return "m"

    queue: TaskQueue = Drop()
    from vkc.db.engine import get_engine

    with Session(get_engine(settings), expire_on_commit=False) as s:
        view = service.create_export(
            s, queue, workspace, ExportRequest.model_validate({"format": fmt}), correlation_id="b"
        )
    return str(view.id)


def _compare_csv(settings: Any, workspace: uuid.UUID, s3: Any, bucket: str, key: str) -> tuple[int, int]:
    """Walk the file and the database in the export's order together: (rows checked, rows that differ)."""
    from vkc.db.engine import get_engine

    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    reader = csv.DictReader(io.TextIOWrapper(body, encoding="utf-8-sig", newline=""))
    engine = get_engine(settings)
    checked = differ = 0
    after: tuple[Any, int] | None = None
    with engine.connect() as conn:
        while True:
            where = "AND (coalesce(date, '-infinity'), id) < (:d, :i)" if after else ""
            batch = conn.execute(
                text(
                    f"SELECT coalesce(date, '-infinity') AS d, id, text FROM comments "  # noqa: S608 - fixed text
                    f"WHERE workspace_id = :ws {where} ORDER BY coalesce(date, '-infinity') DESC, id DESC LIMIT 50000"
                ),
                {"ws": workspace, "d": after[0] if after else None, "i": after[1] if after else None},
            ).all()
            for _date, row_id, body_text in batch:
                got = next(reader, None)
                checked += 1
                if got is None or int(got["id"]) != row_id or got["text"] != body_text:
                    differ += 1
            if len(batch) < 50_000:
                break
            after = (batch[-1][0], batch[-1][1])
    extra = sum(1 for _ in reader)  # rows in the file beyond the database's: doubled rows
    return checked, differ + extra


PROGRESS = text("SELECT coalesce((progress->>'done')::int, 0) FROM jobs WHERE id = :j")
FREE_LEASE = text("UPDATE jobs SET progress = progress #- '{export,owner}' WHERE id = :j")


def run_kill(rows: int = ROWS) -> dict[str, float]:
    """A 1M-row CSV export whose worker is SIGKILLed a third of the way in, then redelivered; the file is
    compared with the database row by row (`exports.kill_1m_rows_checked`, `exports.kill_1m_rows_wrong`)."""
    from vkc.db.engine import get_engine

    from devtools.local_stack.aws import MotoProcess, aws_client
    from devtools.pg import migrated_database

    name = f"vkc_bench_exports_kill_{uuid.uuid4().hex[:6]}"
    with migrated_database(name) as settings:
        workspace = _seed(settings, rows)
        moto = MotoProcess()
        url = moto.start()
        try:
            s3 = aws_client("s3", url, REGION)
            bucket = f"vkc-bench-exports-{uuid.uuid4().hex[:6]}"
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
            job_id = _create(settings, workspace, "csv")
            cmd = [sys.executable, "-m", "bench.exports_bench", "--deliver", name, url, bucket, job_id]
            worker = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, env=os.environ.copy())
            engine = get_engine(settings)
            done = 0
            while done < rows // 3:
                time.sleep(0.2)
                with engine.connect() as conn:
                    done = int(conn.execute(PROGRESS, {"j": job_id}).scalar_one())
                if worker.poll() is not None:
                    raise RuntimeError("the worker finished before it could be killed")
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
            with engine.begin() as conn:  # the visibility timeout's wait: the dead run's lease is over
                conn.execute(
                    text("UPDATE jobs SET progress = progress #- '{export,owner}' WHERE id = :j"), {"j": job_id}
                )
            print(f"killed at {done:,} rows", file=sys.stderr)
            out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=os.environ.copy())
            second = json.loads(out.stdout.strip().splitlines()[-1])
            if second["status"] != "succeeded":
                raise RuntimeError(f"the redelivered export did not succeed: {second}")
            checked, wrong = _compare_csv(settings, workspace, s3, bucket, second["result"]["key"])
            print(f"checked {checked:,} rows against the database: {wrong} wrong", file=sys.stderr)
        finally:
            moto.stop()
    return {
        "exports.kill_1m_killed_at_rows": done,
        "exports.kill_1m_rows_checked": checked,
        "exports.kill_1m_rows_wrong": wrong,
        "exports.kill_1m_load_avg_1m": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(json.dumps(_one(*sys.argv[2:7])))
    elif len(sys.argv) > 1 and sys.argv[1] == "--deliver":
        print(json.dumps(_deliver(*sys.argv[2:6])))
    elif len(sys.argv) > 1 and sys.argv[1] == "--kill":
        print(json.dumps(run_kill(int(sys.argv[2]) if len(sys.argv) > 2 else ROWS), indent=2))
    else:
        print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else ROWS), indent=2))
