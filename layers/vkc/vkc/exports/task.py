"""The `export` job (low queue, analyze worker): stream the filtered comments into one S3 object.

Idempotent: the object key is `exports/<workspace>/<job>.<ext>`, so a redelivered job writes the same
key again and the completed upload replaces whatever an earlier attempt left. A failure aborts the
multipart upload (nothing half-written becomes visible).

Time: the whole export runs in one invocation (the analyze worker's 60 s). Before every batch the task
checks the time left; when it falls under `RESERVE_MS` the upload is aborted and the job fails with a
message saying how far it got (narrow the filters, or export CSV/JSONL, which are the fastest).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from vkc.errors import PermanentJobError
from vkc.exports.columns import ExportRecord, Value, values_of
from vkc.exports.rows import BATCH_SIZE, iter_export_batches
from vkc.exports.schemas import ExportFormat, ExportRequest
from vkc.exports.writers import CsvWriter, JsonlWriter, XlsxTooLarge, XlsxWriter
from vkc.jobs.context import TaskContext
from vkc.ports import ObjectStore, ObjectWriter, attachment

log = logging.getLogger(__name__)

#: stop writing when less than this is left: abort the upload and record the failure in time
RESERVE_MS = 8_000


def object_key(workspace_id: object, job_id: object, fmt: ExportFormat) -> str:
    return f"exports/{workspace_id}/{job_id}.{fmt.value}"


def download_name(job_id: object, fmt: ExportFormat, now: datetime) -> str:
    return f"vk-comments-{now:%Y%m%d-%H%M}-{str(job_id)[:8]}.{fmt.value}"


def run_export(ctx: TaskContext) -> dict[str, Any]:
    """Root handler of `export` jobs: `write_export` into the worker's object store."""
    request = ExportRequest.model_validate(ctx.payload)
    with ctx.deps.sessions() as session:
        return write_export(session, ctx, request, store=ctx.deps.object_store(), disposition=attachment)


def write_export(
    session: Session,
    ctx: TaskContext,
    request: ExportRequest,
    *,
    store: ObjectStore,
    disposition: Callable[[str], str],
    batch_size: int = BATCH_SIZE,
) -> dict[str, Any]:
    fmt = request.format
    key = object_key(ctx.workspace_id, ctx.job_id, fmt)
    filename = download_name(ctx.job_id, fmt, datetime.now(UTC))
    header = [c.value for c in request.columns]
    remaining_ms = ctx.deps.remaining_ms

    def rows() -> Iterator[list[list[Value]]]:
        written = 0
        for batch in iter_export_batches(
            session, ctx.workspace_id, request.filters, request.sort, batch_size=batch_size
        ):
            if remaining_ms() < RESERVE_MS:
                raise PermanentJobError(
                    f"The export ran out of time after {written:,} rows; narrow the filters or choose csv/jsonl.",
                    extra={"result": {"rows_written": written}},
                )
            yield [values_of(r, request.columns) for r in batch]
            written += len(batch)

    started = datetime.now(UTC)
    if fmt is ExportFormat.XLSX:
        count, size = _write_xlsx(rows(), header, store, key, fmt, disposition(filename))
    else:
        writer = store.open_writer(key, content_type=fmt.content_type, content_disposition=disposition(filename))
        count, size = _stream(rows(), header, writer, fmt)
    seconds = (datetime.now(UTC) - started).total_seconds()
    log.info("export written", extra={"rows": count, "bytes": size, "format": fmt.value, "seconds": seconds})
    return {
        "format": fmt.value,
        "rows": count,
        "size_bytes": size,
        "key": key,
        "filename": filename,
        "content_type": fmt.content_type,
        "seconds": round(seconds, 3),
    }


def _stream(
    batches: Iterator[list[list[Value]]], header: list[str], writer: ObjectWriter, fmt: ExportFormat
) -> tuple[int, int]:
    count = 0
    try:
        out = CsvWriter(writer, header) if fmt is ExportFormat.CSV else JsonlWriter(writer, header)
        for rows in batches:
            out.write_rows(rows)
            count += len(rows)
        return count, writer.complete()
    except BaseException:
        writer.abort()
        raise


def _write_xlsx(
    batches: Iterator[list[list[Value]]],
    header: list[str],
    store: ObjectStore,
    key: str,
    fmt: ExportFormat,
    content_disposition: str,
) -> tuple[int, int]:
    with tempfile.TemporaryDirectory(prefix="vkc-export-") as tmp:
        path = Path(tmp) / "export.xlsx"
        out = XlsxWriter(header)
        try:
            for rows in batches:
                out.write_rows(rows)
        except XlsxTooLarge as exc:
            raise PermanentJobError(str(exc)) from None
        out.finish(path)
        size = store.upload_file(path, key, content_type=fmt.content_type, content_disposition=content_disposition)
        return out.rows, size


__all__ = ["ExportRecord", "object_key", "run_export", "write_export"]
