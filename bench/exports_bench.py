"""Exports of 1,000,000 comments as CSV, XLSX and JSONL, across as many worker runs as they take (`exports.*`).

    python -m bench.run exports
    python -m bench.exports_bench [rows]     # alone; rows defaults to 1,000,000

A throwaway migrated database gets one community with `rows` comments (set-based, generate_series:
texts of 40–400 characters with an md5 so they compress like real ones, dates, likes, sentiments).
moto's S3 server runs in its own process. Each format is exported by a fresh worker process
(`--one`), which delivers the root task and every continuation it queues through `run_task`, each
delivery with the analyze worker's 60 s budget (as the Lambda context's remaining time would give),
so the export pauses and continues as it would in AWS. The figures:

- `exports.rows_per_s_<fmt>`: rows / wall time over all runs (database reads, formatting, S3 parts);
- `exports.peak_mib_1m`: the largest peak RSS (ru_maxrss) of the three worker processes;
- `exports.runs_<fmt>`: the runs (invocations) each took; `exports.load_avg_1m`: the machine's load.

Each file is checked: its row count against the database (CSV/JSONL lines, XLSX rows in the zip's
sheets, counted while streaming the object back).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
import zipfile
from typing import Any

from sqlalchemy import text

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


def _moto() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()  # noqa: S310 - local moto
            return proc, url
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("moto did not start") from None
            time.sleep(0.2)


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
    from devtools.local_stack.aws import aws_client
    from devtools.pg import migrated_database

    name = f"vkc_bench_exports_{uuid.uuid4().hex[:6]}"
    figures: dict[str, float] = {}
    with migrated_database(name) as settings:
        seeded = time.perf_counter()
        workspace = _seed(settings, rows)
        print(f"seeded {rows:,} comments in {time.perf_counter() - seeded:.0f} s", file=sys.stderr)
        moto, url = _moto()
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
            moto.terminate()
            moto.wait(timeout=10)
    return figures


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(json.dumps(_one(*sys.argv[2:7])))
    else:
        print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else ROWS), indent=2))
