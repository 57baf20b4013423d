"""Exports across runs: a worker killed mid-export, or between a part's upload and its record, then
redelivered, loses no row and doubles none. The downloaded file is checked row by row against the
database (ids, texts and dates in the export's order).

A SIGKILLed worker keeps its lease until it would have expired (the Lambda's time left plus a margin);
SQS redelivers only after the visibility timeout, later than that. The tests stand for that wait by
clearing the lease in the database before redelivering.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, text, update
from sqlalchemy.orm import Session
from vkc.adapters.s3 import S3ObjectStore
from vkc.comments.filters import CommentFilters
from vkc.comments.keyset import CommentSort
from vkc.comments.query import select_comments
from vkc.db.models import Job
from vkc.db.models_collection import Community
from vkc.exports import service, task
from vkc.exports.checkpoint import Checkpoint
from vkc.exports.schemas import ExportRequest
from vkc.jobs.schemas import JobStatus, TaskMessage
from vkc.settings import Settings
from vkc.workspaces.service import create_workspace

from tests.integration.exports.conftest import REGION, deliver_all, worker_deps
from tests.integration.webhooks.conftest import RecordingQueue

ROWS = 30_000
SHEET_ROWS = 12_000  # so the XLSX splits into three sheets, as a 1,048,576-row one would
COLUMNS = ["id", "text", "date", "likes"]


@pytest.fixture(scope="module")
def workspace(settings: Settings) -> uuid.UUID:
    from vkc.db.engine import get_engine

    engine = get_engine(settings)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        ws, _ = create_workspace(s, f"resume-{uuid.uuid4().hex[:6]}")
        community = Community(
            id=uuid.uuid4(), workspace_id=ws.id, vk_id=778, name="Сообщество", type="group", source_input="778"
        )
        s.add(community)
        s.flush()
        # md5 in every text: rows compress like real comments, not like one repeated phrase
        s.execute(
            text(
                """
                INSERT INTO comments (workspace_id, community_id, owner_id, post_id, comment_id, from_id, date, text,
                                      content_hash, attachments, is_deleted, likes_count)
                SELECT :ws, :community, -778, 1 + n / 100, n, 1000 + mod(n, 500),
                       timestamptz '2024-01-01' + mod(n, 5000) * interval '1 minute',
                       'Комментарий №' || n || ' ' || md5(n::text) || md5((n * 7)::text) || repeat(' ещё', mod(n, 200)),
                       md5(n::text), '[]'::jsonb, false, mod(n, 50)
                FROM generate_series(1, :rows) AS n
                """
            ),
            {"ws": ws.id, "community": community.id, "rows": ROWS},
        )
    return ws.id


class Budget:
    """remaining_ms that runs out every `every` calls: a run pauses after about that many batches."""

    def __init__(self, every: int) -> None:
        self.every, self.calls = every, 0

    def __call__(self) -> int:
        self.calls += 1
        return 1_000 if self.calls % self.every == 0 else 60_000


def expected_rows(engine: Engine, workspace_id: uuid.UUID) -> list[tuple[int, str, datetime]]:
    with Session(engine) as s:
        stmt = select_comments(workspace_id, CommentFilters(), CommentSort.DATE_DESC)
        return [(c.id, c.text or "", c.date) for c in s.scalars(stmt)]  # type: ignore[misc]


def read_back(fmt: str, raw: bytes) -> list[tuple[int, str, datetime]]:
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
        return [(int(r["id"]), r["text"], datetime.fromisoformat(r["date"])) for r in reader]
    if fmt == "jsonl":
        objects = [json.loads(line) for line in raw.decode().splitlines()]
        return [(o["id"], o["text"], datetime.fromisoformat(o["date"])) for o in objects]
    book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
    assert book.sheetnames == ["comments", "comments (2)", "comments (3)"]
    rows: list[tuple[int, str, datetime]] = []
    for sheet in book.worksheets:
        values = sheet.iter_rows(values_only=True)
        assert list(next(values)) == COLUMNS  # every sheet starts with the header
        rows += [(r[0], r[1], r[2].replace(tzinfo=UTC)) for r in values]
    return rows


def create(engine: Engine, workspace_id: uuid.UUID, fmt: str) -> TaskMessage:
    queue = RecordingQueue()
    request = ExportRequest.model_validate({"format": fmt, "columns": COLUMNS})
    with Session(engine, expire_on_commit=False) as s:
        service.create_export(s, queue, workspace_id, request, correlation_id="t")
    ((_, _, message, _),) = queue.sent
    return message


def checkpoint_of(engine: Engine, job_id: uuid.UUID) -> Checkpoint | None:
    with Session(engine) as s:
        job = s.get(Job, job_id)
        assert job is not None
        return Checkpoint.of(job)


def expire_lease(engine: Engine, job_id: uuid.UUID) -> None:
    """What the visibility timeout's wait would do: the dead run's lease is over."""
    with Session(engine) as s, s.begin():
        s.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(progress=Job.progress.op("#-")(text("'{export,owner}'")))  # owner gone ⇒ the lease is free
        )


def check_file(engine: Engine, workspace_id: uuid.UUID, job_id: uuid.UUID, fmt: str, s3: Any, bucket: str) -> Job:
    with Session(engine) as s:
        job = s.get(Job, job_id)
        assert job is not None
        assert job.status == JobStatus.SUCCEEDED.value, job.error
        result = job.result
    assert result is not None
    raw = s3.get_object(Bucket=bucket, Key=result["key"])["Body"].read()
    got = read_back(fmt, raw)
    want = expected_rows(engine, workspace_id)
    assert len(got) == len(want) == result["rows"] == result["rows_expected"] == ROWS
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g == w, f"row {i + 1} differs"
    assert result["size_bytes"] == len(raw)
    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert not [u for u in uploads if str(job_id) in u["Key"]]
    return job


WORKER = """
import dataclasses, json, sys, uuid
from devtools.local_stack.aws import aws_client
from vkc.adapters.s3 import S3ObjectStore
from vkc.exports import task
from vkc.jobs.runner import run_task
from vkc.jobs.schemas import TaskMessage
from vkc.jobs.service import ROOT_TASK
from vkc.settings import get_settings
from vkc.wiring.worker import build_worker_deps

job_id, url, bucket, region, tuning, every = sys.argv[1:7]
task.TUNING = task.Tuning(**json.loads(tuning))
sent = []
class Queue:
    def send(self, worker, priority, message, **attrs):
        sent.append(message)
        return "m"
calls = 0
def remaining_ms():
    global calls
    calls += 1
    return 1_000 if calls % int(every) == 0 else 60_000
store = S3ObjectStore(aws_client("s3", url, region), bucket)
deps = dataclasses.replace(
    build_worker_deps(get_settings(), queue=Queue(), remaining_ms=remaining_ms), object_store=lambda: store
)
message = TaskMessage(job_id=uuid.UUID(job_id), task=ROOT_TASK, task_id=job_id + ":root")
while message is not None:  # this worker delivers its own continuations until it is killed
    run_task(message, deps, receive_count=1)
    message = sent.pop() if sent else None
"""


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> task.Tuning:
    tuning = task.Tuning(batch_size=1000, part_size=task.MIN_PART_SIZE, sheet_rows=SHEET_ROWS)
    monkeypatch.setattr(task, "TUNING", tuning)
    return tuning


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
def test_a_worker_killed_mid_export_then_redelivered_loses_and_doubles_no_row(
    engine: Engine,
    settings: Settings,
    workspace: uuid.UUID,
    store: S3ObjectStore,
    moto_url: str,
    s3: Any,
    bucket: str,
    small_parts: task.Tuning,
    fmt: str,
) -> None:
    first = create(engine, workspace, fmt)
    job_id = first.job_id
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WORKER,
            str(job_id),
            moto_url,
            bucket,
            REGION,
            json.dumps(dataclasses.asdict(small_parts)),
            "6",
        ],
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 120
        while True:  # kill it a third of the way in, wherever it is (mid-batch, mid-part, mid-save)
            cp = checkpoint_of(engine, job_id)
            if cp is not None and cp.rows >= ROWS // 3:
                break
            assert worker.poll() is None, "the worker finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    killed_at = checkpoint_of(engine, job_id)
    assert killed_at is not None
    assert not killed_at.complete
    expire_lease(engine, job_id)
    queue = RecordingQueue()
    deliveries = deliver_all(worker_deps(settings, engine, store, queue, Budget(every=9)), queue, first)
    job = check_file(engine, workspace, job_id, fmt, s3, bucket)
    assert deliveries > 1
    assert job.result is not None
    assert job.result["runs"] > killed_at.runs
    if fmt != "xlsx":  # (the XLSX compresses to fewer than 5 MiB: one part, carried as tails)
        assert job.result["parts"] > 2


class DiesAfterUpload:
    """An object store whose process dies (BaseException: nothing in the run catches it) right after
    part `part` reached S3, before the checkpoint records it."""

    def __init__(self, inner: S3ObjectStore, part: int) -> None:
        self.inner, self.part, self.died = inner, part, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def upload_part(self, key: str, upload_id: str, number: int, data: bytes | bytearray) -> str:
        etag = self.inner.upload_part(key, upload_id, number, data)
        if number == self.part and not self.died:
            self.died = True
            raise KeyboardInterrupt("killed between the upload and the checkpoint")
        return etag


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_run_dying_between_a_part_and_its_record_resends_that_part(
    engine: Engine,
    settings: Settings,
    workspace: uuid.UUID,
    store: S3ObjectStore,
    s3: Any,
    bucket: str,
    small_parts: task.Tuning,
    fmt: str,
) -> None:
    first = create(engine, workspace, fmt)
    dying = DiesAfterUpload(store, part=2 if fmt == "csv" else 1)
    queue = RecordingQueue()
    deps = worker_deps(settings, engine, store, queue, Budget(every=7))
    deps = dataclasses.replace(deps, object_store=lambda: dying)
    with pytest.raises(KeyboardInterrupt):
        deliver_all(deps, queue, first)
    died_at = checkpoint_of(engine, first.job_id)
    assert died_at is not None
    assert len(died_at.parts) == dying.part - 1
    expire_lease(engine, first.job_id)
    queue.sent.clear()
    deliver_all(deps, queue, first)  # the redelivered root task resumes
    check_file(engine, workspace, first.job_id, fmt, s3, bucket)


def test_a_cancel_during_a_run_stops_it_at_its_next_part_and_aborts_the_upload(
    engine: Engine,
    settings: Settings,
    workspace: uuid.UUID,
    store: S3ObjectStore,
    s3: Any,
    bucket: str,
    small_parts: task.Tuning,
) -> None:
    from vkc.jobs.control import cancel_job
    from vkc.jobs.runner import run_task

    first = create(engine, workspace, "csv")
    calls = 0

    def remaining_ms() -> int:  # the user cancels while the third batch is being read
        nonlocal calls
        calls += 1
        if calls == 3:
            with Session(engine) as s:
                job = s.get(Job, first.job_id)
                assert job is not None
                view = service.to_view(job, store=None)
                assert view.rows_expected == ROWS
                assert view.status == "running"
                cancel_job(s, workspace, first.job_id)
        return 60_000

    queue = RecordingQueue()
    run_task(first, worker_deps(settings, engine, store, queue, remaining_ms), receive_count=1)
    assert queue.sent == []  # no continuation
    with Session(engine) as s:
        job = s.get(Job, first.job_id)
        assert job is not None
        assert job.status == JobStatus.CANCELLED.value
    cp = checkpoint_of(engine, first.job_id)
    assert cp is not None
    assert cp.parts == []
    assert cp.rows == 0
    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert not [u for u in uploads if str(first.job_id) in u["Key"]]
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"exports/{workspace}/{first.job_id}")
    assert listed.get("KeyCount", 0) == 0


def test_progress_is_rows_written_of_rows_expected(
    engine: Engine, settings: Settings, workspace: uuid.UUID, store: S3ObjectStore, small_parts: task.Tuning
) -> None:
    from vkc.jobs.runner import run_task

    first = create(engine, workspace, "jsonl")
    queue = RecordingQueue()
    run_task(first, worker_deps(settings, engine, store, queue, Budget(every=3)), receive_count=1)
    with Session(engine) as s:
        job = s.get(Job, first.job_id)
        assert job is not None
        view = service.to_view(job, store=None)
    assert (view.status, view.rows_done, view.rows_expected, view.row_count) == ("running", 2_000, ROWS, None)
    assert view.percent == round(100 * 2_000 / ROWS, 1)  # what the export page's bar shows
    assert len(queue.sent) == 1  # the continuation


def test_an_xlsx_past_the_zip64_threshold_reads_back_row_by_row(
    engine: Engine,
    settings: Settings,
    workspace: uuid.UUID,
    store: S3ObjectStore,
    s3: Any,
    bucket: str,
    small_parts: task.Tuning,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The archive's offsets pass the (lowered) Zip64 threshold mid-way: later sheets and the central
    directory go Zip64. The threshold is kept in the checkpoint: the continuations run with the
    production default and still finish the archive the way it began."""
    import zipfile

    from vkc.jobs.runner import run_task

    zip64_at = 300_000  # bytes: inside the first sheet of the ~1 MB workbook
    first = create(engine, workspace, "xlsx")
    queue = RecordingQueue()
    monkeypatch.setattr(task, "TUNING", dataclasses.replace(small_parts, zip64_at=zip64_at))
    run_task(first, worker_deps(settings, engine, store, queue, Budget(every=3)), receive_count=1)
    cp = checkpoint_of(engine, first.job_id)
    assert cp is not None
    assert cp.writer["zip"]["zip64_at"] == zip64_at
    monkeypatch.setattr(task, "TUNING", small_parts)  # zip64_at back to 0xFFFFFFFF
    deliver_all(worker_deps(settings, engine, store, queue, Budget(every=3)), queue)
    job = check_file(engine, workspace, first.job_id, "xlsx", s3, bucket)
    assert job.result is not None
    raw = s3.get_object(Bucket=bucket, Key=job.result["key"])["Body"].read()
    assert job.result["runs"] > 3
    archive = zipfile.ZipFile(io.BytesIO(raw))
    assert archive.testzip() is None
    offsets = {i.filename: i.header_offset for i in archive.infolist()}
    assert offsets["xl/worksheets/sheet1.xml"] < zip64_at < offsets["xl/worksheets/sheet3.xml"]
    assert b"PK\x06\x06" in raw[-200:]  # the Zip64 end of central directory record


def test_a_cancel_between_runs_aborts_the_upload_when_the_next_delivery_comes(
    engine: Engine,
    settings: Settings,
    workspace: uuid.UUID,
    store: S3ObjectStore,
    s3: Any,
    bucket: str,
    small_parts: task.Tuning,
) -> None:
    """The user cancels while the export waits for its continuation: the continuation finds the job
    closed and aborts the multipart upload (and drops the tail object) instead of leaving them to the
    bucket's 1-day lifecycle rule. A second delivery of the same task does it again, harmlessly."""
    from vkc.jobs.control import cancel_job
    from vkc.jobs.runner import run_task

    def pending(job_id: uuid.UUID) -> list[dict[str, Any]]:
        uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        return [u for u in uploads if str(job_id) in u["Key"]]

    first = create(engine, workspace, "csv")
    queue = RecordingQueue()
    deps = worker_deps(settings, engine, store, queue, Budget(every=12))
    run_task(first, deps, receive_count=1)  # one part shipped, the rest paused as a tail
    ((_, _, continuation, _),) = queue.sent
    queue.sent.clear()
    paused = checkpoint_of(engine, first.job_id)
    assert paused is not None
    assert len(paused.parts) == 1
    assert paused.tail_key is not None
    assert [u["UploadId"] for u in pending(first.job_id)] == [paused.upload_id]
    with Session(engine) as s:
        cancel_job(s, workspace, first.job_id)
    for receive in (1, 2):  # the continuation, then a twin of it
        assert run_task(continuation, deps, receive_count=receive).status == "skipped"
        assert pending(first.job_id) == []
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"exports/{workspace}/{first.job_id}")
        assert listed.get("KeyCount", 0) == 0  # neither a tail nor a file
    assert queue.sent == []
    with Session(engine) as s:
        job = s.get(Job, first.job_id)
        assert job is not None
        assert job.status == JobStatus.CANCELLED.value


def test_a_cancelled_export_whose_run_still_holds_the_lease_is_left_to_that_run(
    engine: Engine,
    settings: Settings,
    workspace: uuid.UUID,
    store: S3ObjectStore,
    s3: Any,
    bucket: str,
    small_parts: task.Tuning,
) -> None:
    """A twin delivery during a live run must not pull the upload from under it: the run aborts the
    upload itself when its next save finds the job cancelled."""
    from vkc.jobs.control import cancel_job
    from vkc.jobs.runner import run_task

    first = create(engine, workspace, "csv")
    queue = RecordingQueue()
    deps = worker_deps(settings, engine, store, queue, Budget(every=12))
    run_task(first, deps, receive_count=1)
    ((_, _, continuation, _),) = queue.sent
    with Session(engine) as s, s.begin():  # a run of the continuation is under way
        s.execute(
            update(Job)
            .where(Job.id == first.job_id)
            .values(
                progress=Job.progress.op("||")(
                    text("jsonb_build_object('export', (progress->'export') || jsonb_build_object("
                         "'owner', 'live', 'lease_until', extract(epoch from now()) + 60))")
                )
            )
        )  # fmt: skip
    with Session(engine) as s:
        cancel_job(s, workspace, first.job_id)
    assert run_task(continuation, deps, receive_count=2).status == "skipped"
    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    left = [u for u in uploads if str(first.job_id) in u["Key"]]
    assert left != []
    for upload in left:
        store.abort_upload(upload["Key"], upload["UploadId"])
