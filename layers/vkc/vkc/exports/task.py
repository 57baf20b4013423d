"""The `export` job (low queue, analyze worker): the filtered comments into one S3 object, over as many
invocations as it takes.

How a run goes: it claims the checkpoint (`vkc.exports.checkpoint`; the first run creates it with the
multipart upload and the number of rows the filters match), walks the comments from the checkpoint's
keyset position, and ships a part whenever `part_size` bytes have piled up, recording the part, the
cursor and the writer's state together. When the invocation's time left falls under `reserve_ms` it
pauses: the bytes not yet shipped become a part (5 MiB or more) or a small tail object, the
checkpoint releases its lease, and an `exports.continue` task carries on in a fresh invocation. The
run that reaches the end closes the file (the XLSX zip's directory), ships the last part and completes
the upload; the object key is `exports/<workspace>/<job>.<ext>`, so a completed upload replaces
whatever an earlier export of the same job left.

Redeliveries: any delivery (the root task again, a continuation, a twin) resumes from the checkpoint,
never from what it held in memory, so rows are neither lost nor doubled. A run killed mid-way leaves its
lease to expire; a run whose save finds the checkpoint moved by another stops. A real failure
(`PermanentJobError`) or a cancel aborts the upload: a cancel during a run at the run's next save, a
cancel between runs when the next delivery of the export's task finds the job closed
(`clean_up_closed_export`, the job type's closed handler: the runner calls it instead of skipping
silently). The bucket's lifecycle rule aborts only what no delivery comes back for (a message
dead-lettered, say).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vkc.comments.keyset import Position
from vkc.errors import PermanentJobError
from vkc.exports import checkpoint as cps
from vkc.exports.checkpoint import Checkpoint
from vkc.exports.columns import values_of
from vkc.exports.rows import BATCH_SIZE, count_export_rows, iter_export_batches
from vkc.exports.schemas import EXPORT_JOB, ExportFormat, ExportRequest
from vkc.exports.writers import FormatWriter, open_format
from vkc.exports.xlsx import EXCEL_MAX_ROWS
from vkc.exports.zipstream import LIMIT as ZIP64_AT
from vkc.exports.zipstream import ZipTooLarge
from vkc.jobs.context import TaskContext
from vkc.jobs.outcomes import DEFERRED, Deferred
from vkc.jobs.schemas import JobStatus, TaskMessage
from vkc.jobs.service import finish_job
from vkc.ports import ObjectStore, UploadGone, attachment

log = logging.getLogger(__name__)

EXPORT_CONTINUE_TASK = "exports.continue"
#: pause when less than this is left: ship what is buffered, checkpoint, queue the continuation
RESERVE_MS = 8_000
MIB = 1024 * 1024
PART_SIZE = 8 * MIB
MIN_PART_SIZE = 5 * MIB  # S3's minimum for every part but the last
LEASE_MARGIN_S = 5.0  # clock skew between invocations


class ExportBusy(RuntimeError):
    """Another run holds this export's lease; SQS redelivers this task after its visibility timeout."""


class _Superseded(Exception):
    """This run's checkpoint save found the job closed or the checkpoint moved by another run."""


def object_key(workspace_id: object, job_id: object, fmt: ExportFormat) -> str:
    return f"exports/{workspace_id}/{job_id}.{fmt.value}"


def download_name(job_id: object, fmt: ExportFormat, now: datetime) -> str:
    return f"vk-comments-{now:%Y%m%d-%H%M}-{str(job_id)[:8]}.{fmt.value}"


def run_export(ctx: TaskContext) -> dict[str, Any] | Deferred:
    """Root handler of `export` jobs: the first run (the result, or DEFERRED when it continues)."""
    request = ExportRequest.model_validate(ctx.payload)
    return write_export(ctx, request, store=ctx.deps.object_store(), tuning=TUNING)


def continue_export(ctx: TaskContext) -> None:
    """`exports.continue`: one more run; the run that completes the file finishes the job."""
    request = ExportRequest.model_validate(ctx.payload)
    result = write_export(ctx, request, store=ctx.deps.object_store(), tuning=TUNING)
    if isinstance(result, dict):
        with ctx.deps.sessions() as session, session.begin():
            finish_job(session, ctx.job_id, JobStatus.SUCCEEDED, result=result)


def clean_up_closed_export(ctx: TaskContext) -> None:
    """A task of an export that is no longer open (cancelled between runs, or failed and redriven): abort
    its multipart upload and delete its tail object. Idempotent (S3 forgets an aborted upload once)."""
    request = ExportRequest.model_validate(ctx.payload)
    run = _Run(ctx, request, ctx.deps.object_store(), attachment, TUNING)
    with ctx.deps.sessions() as session, session.begin():
        status, cp = cps.load(session, ctx.job_id)
    run.abandon(status, cp)


@dataclass(frozen=True, slots=True)
class Tuning:
    """Sizes a test or the bench may shrink; production uses the defaults."""

    batch_size: int = BATCH_SIZE
    part_size: int = PART_SIZE
    reserve_ms: int = RESERVE_MS
    sheet_rows: int = EXCEL_MAX_ROWS
    zip64_at: int = ZIP64_AT  # sizes and offsets from here on are written as Zip64 (XLSX)


#: what the handlers use (tests and the bench replace it to force parts, pauses and sheets at small sizes)
TUNING = Tuning()


def write_export(
    ctx: TaskContext,
    request: ExportRequest,
    *,
    store: ObjectStore,
    disposition: Callable[[str], str] = attachment,
    tuning: Tuning = Tuning(),
) -> dict[str, Any] | Deferred:
    run = _Run(ctx, request, store, disposition, tuning)
    try:
        return run.go()
    except _Superseded:
        return run.superseded()
    except PermanentJobError:
        run.abort()
        raise
    except Exception:
        run.release()
        raise


class _Run:
    def __init__(
        self,
        ctx: TaskContext,
        request: ExportRequest,
        store: ObjectStore,
        disposition: Callable[[str], str],
        tuning: Tuning,
    ) -> None:
        self.ctx, self.request, self.store, self.tuning = ctx, request, store, tuning
        self.fmt = request.format
        self.key = object_key(ctx.workspace_id, ctx.job_id, self.fmt)
        self.disposition = disposition
        self.me = uuid.uuid4().hex
        self.cp: Checkpoint | None = None

    # --- the run ---------------------------------------------------------------------------------
    def go(self) -> dict[str, Any] | Deferred:
        cp = self._claim()
        if cp is None:
            return DEFERRED  # the job is closed (finished or cancelled): nothing to do
        self.cp = cp
        if cp.complete:
            return self._complete()
        buffer = bytearray()
        old_tail = cp.tail_key
        if old_tail:
            buffer += self.store.get_object(old_tail)
        header = [c.value for c in self.request.columns]
        writer = open_format(
            self.fmt.value, buffer, header, cp.writer, sheet_rows=self.tuning.sheet_rows, zip64_at=self.tuning.zip64_at
        )
        after = Position.decode(cp.after, self.request.sort) if cp.after else None
        pending, cursor = 0, cp.after
        sort = self.request.sort
        with self.ctx.deps.sessions() as session:
            for batch in iter_export_batches(
                session,
                self.ctx.workspace_id,
                self.request.filters,
                sort,
                batch_size=self.tuning.batch_size,
                after=after,
            ):
                self._write(writer, [values_of(r, self.request.columns) for r in batch])
                pending += len(batch)
                cursor = Position.of(sort, batch[-1].comment).encode()
                if len(buffer) >= self.tuning.part_size:
                    self._ship(buffer, writer.checkpoint(), pending, cursor)
                    pending = 0
                if self.ctx.deps.remaining_ms() < self.tuning.reserve_ms:
                    return self._pause(buffer, writer, pending, cursor)
        self._write_end(writer)
        if buffer or not cp.parts:
            self._ship(buffer, {}, pending, cursor, final=True)
        else:
            cp.complete = True
            self._save()
        return self._complete()

    def _write(self, writer: FormatWriter, rows: list[list[Any]]) -> None:
        try:
            writer.write_rows(rows)
        except ZipTooLarge as exc:  # a sheet outgrew the bound it was started with: a bug, not a retry
            raise PermanentJobError(f"The XLSX file could not be written ({exc}).") from None

    def _write_end(self, writer: FormatWriter) -> None:
        try:
            writer.finish()
        except ZipTooLarge as exc:
            raise PermanentJobError(f"The XLSX file could not be written ({exc}).") from None

    # --- checkpoint moves ---------------------------------------------------------------------------
    def _claim(self) -> Checkpoint | None:
        ctx = self.ctx
        with ctx.deps.sessions() as session, session.begin():
            status, cp = cps.load(session, ctx.job_id)
        if status not in (JobStatus.QUEUED.value, JobStatus.RUNNING.value):
            self.abandon(status, cp)
            return None
        lease = datetime.now(UTC).timestamp() + ctx.deps.remaining_ms() / 1000 + LEASE_MARGIN_S
        if cp is None:
            filename = download_name(ctx.job_id, self.fmt, datetime.now(UTC))
            with ctx.deps.sessions() as session:
                total = count_export_rows(session, ctx.workspace_id, self.request.filters)
            upload_id = self.store.start_upload(
                self.key, content_type=self.fmt.content_type, content_disposition=self.disposition(filename)
            )
            cp = Checkpoint(
                upload_id, filename, total, owner=self.me, lease_until=lease, started=datetime.now(UTC).timestamp()
            )
            with ctx.deps.sessions() as session, session.begin():
                created = cps.create(session, ctx.job_id, cp)
            if created:
                log.info("export started", extra={"job_id": str(ctx.job_id), "rows_expected": total})
                return cp
            self.store.abort_upload(self.key, upload_id)  # another delivery created the checkpoint first
            raise ExportBusy("another run of this export started at the same time")
        if not cps.lease_free(cp):
            raise ExportBusy(f"another run holds this export until {cp.lease_until:.0f}")
        cp.owner, cp.lease_until = self.me, lease
        with ctx.deps.sessions() as session, session.begin():
            if not cps.save(session, ctx.job_id, cp):
                raise ExportBusy("another run claimed this export at the same time")
        return cp

    def _save(self) -> None:
        assert self.cp is not None
        with self.ctx.deps.sessions() as session, session.begin():
            if not cps.save(session, self.ctx.job_id, self.cp):
                raise _Superseded

    def _ship(
        self, buffer: bytearray, state: dict[str, Any], rows: int, cursor: str | None, *, final: bool = False
    ) -> None:
        """Upload `buffer` as the next part, then record it with the rows and cursor it covers."""
        cp = self.cp
        assert cp is not None
        number = len(cp.parts) + 1
        etag = self.store.upload_part(self.key, cp.upload_id, number, buffer)  # no copy of up to a part
        old_tail = cp.tail_key
        cp.parts.append([number, etag])
        cp.bytes += len(buffer)
        cp.rows += rows
        cp.after = cursor
        cp.writer = state
        cp.tail_key = None
        cp.complete = final
        self._save()
        buffer.clear()
        if old_tail:
            self.store.delete_object(old_tail)

    def _pause(self, buffer: bytearray, writer: FormatWriter, rows: int, cursor: str | None) -> Deferred:
        cp = self.cp
        assert cp is not None
        state = writer.checkpoint()
        if len(buffer) >= MIN_PART_SIZE:
            self._ship(buffer, state, rows, cursor)
        elif buffer or cp.tail_key:
            # too small for a part: kept as an object under a name of this version (a killed run's tail
            # never overwrites the one the checkpoint names)
            old_tail, tail = cp.tail_key, f"{self.key}.tail-{cp.version + 1}"
            self.store.put_object(tail, bytes(buffer))
            cp.tail_key, cp.rows, cp.after, cp.writer = tail, cp.rows + rows, cursor, state
            self._save()
            if old_tail:
                self.store.delete_object(old_tail)
        cp.owner, cp.lease_until, cp.runs = None, 0.0, cp.runs + 1
        self._save()
        message = TaskMessage(
            job_id=self.ctx.job_id,
            task=EXPORT_CONTINUE_TASK,
            task_id=f"{self.ctx.job_id}:export:{cp.runs}",
            params={"run": cp.runs},
        )
        self.ctx.deps.queue.send(
            EXPORT_JOB.worker,
            self.ctx.priority,
            message,
            correlation_id=self.ctx.correlation_id,
            workspace_id=str(self.ctx.workspace_id),
            job_type=self.ctx.job_type,
        )
        log.info(
            "export continues in another run",
            extra={"job_id": str(self.ctx.job_id), "run": cp.runs, "rows": cp.rows, "parts": len(cp.parts)},
        )
        return DEFERRED

    def _complete(self) -> dict[str, Any]:
        cp = self.cp
        assert cp is not None
        parts = [(int(n), str(etag)) for n, etag in cp.parts]
        try:
            self.store.complete_upload(self.key, cp.upload_id, parts)
        except UploadGone:
            # completed by a run killed before it could finish the job, or aborted: the object says which
            if self.store.size_of(self.key) != cp.bytes:
                raise PermanentJobError("The export's upload was lost before it completed; export again.") from None
        seconds = datetime.now(UTC).timestamp() - cp.started
        log.info(
            "export written",
            extra={"rows": cp.rows, "bytes": cp.bytes, "format": self.fmt.value, "runs": cp.runs, "seconds": seconds},
        )
        return {
            "format": self.fmt.value,
            "rows": cp.rows,
            "rows_expected": cp.total,
            "size_bytes": cp.bytes,
            "parts": len(cp.parts),
            "runs": cp.runs,
            "key": self.key,
            "filename": cp.filename,
            "content_type": self.fmt.content_type,
            "seconds": round(seconds, 3),
        }

    # --- leaving early -------------------------------------------------------------------------------
    def superseded(self) -> Deferred:
        """A save failed: if the job was cancelled, drop the upload; if another run took over, leave it be."""
        with self.ctx.deps.sessions() as session, session.begin():
            status, _ = cps.load(session, self.ctx.job_id)
        if status == JobStatus.CANCELLED.value:
            self.abort()
            log.info("export cancelled; upload aborted", extra={"job_id": str(self.ctx.job_id)})
        else:
            log.warning("export run superseded by another", extra={"job_id": str(self.ctx.job_id)})
        return DEFERRED

    def abandon(self, status: str, cp: Checkpoint | None) -> None:
        """The job closed without this export's file: drop the upload, unless a live run holds the lease
        (it aborts the upload itself when its next save finds the job closed)."""
        if status == JobStatus.SUCCEEDED.value or cp is None:
            return
        if not cps.lease_free(cp):
            log.info("closed export still has a live run; it aborts its upload", extra={"job_id": str(self.ctx.job_id)})
            return
        self.cp = cp
        self.abort()
        log.info("export closed (%s); upload aborted", status, extra={"job_id": str(self.ctx.job_id)})

    def abort(self) -> None:
        cp = self.cp
        if cp is None:
            return
        self.store.abort_upload(self.key, cp.upload_id)
        if cp.tail_key:
            self.store.delete_object(cp.tail_key)

    def release(self) -> None:
        """A run failing with a retryable error frees its lease, so the redelivery need not wait it out."""
        cp = self.cp
        if cp is None or cp.owner != self.me:
            return
        cp.owner, cp.lease_until = None, 0.0
        try:
            with self.ctx.deps.sessions() as session, session.begin():
                cps.save(session, self.ctx.job_id, cp)
        except Exception:
            log.warning("could not release the export's lease", extra={"job_id": str(self.ctx.job_id)})


__all__ = [
    "EXPORT_CONTINUE_TASK",
    "ExportBusy",
    "Tuning",
    "clean_up_closed_export",
    "continue_export",
    "object_key",
    "run_export",
    "write_export",
]
