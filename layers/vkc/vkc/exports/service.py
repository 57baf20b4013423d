"""Create an export (an `export` job on the low queue) and show it with a fresh download link."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from vkc.db.models import Job
from vkc.errors import NotFound
from vkc.exports.schemas import EXPORT_JOB, ExportFormat, ExportRequest
from vkc.exports.view import ExportView
from vkc.jobs import service as jobs
from vkc.jobs.ports import TaskQueue
from vkc.jobs.schemas import JobError, JobStatus
from vkc.ports import ObjectStore

#: presigned URLs are short-lived; GET /v1/exports/{id} makes a new one each time
URL_TTL = timedelta(hours=1)


def create_export(
    session: Session, queue: TaskQueue, workspace_id: uuid.UUID, request: ExportRequest, *, correlation_id: str
) -> ExportView:
    job = jobs.create_job(
        session,
        queue,
        EXPORT_JOB,
        workspace_id=workspace_id,
        payload=request.model_dump(mode="json"),
        correlation_id=correlation_id,
    )
    row = session.get(Job, job.id)
    assert row is not None
    return to_view(row, store=None)


def get_export(session: Session, workspace_id: uuid.UUID, job_id: uuid.UUID, *, store: ObjectStore) -> ExportView:
    job = session.get(Job, job_id)
    if job is None or job.workspace_id != workspace_id or job.type != EXPORT_JOB.name:
        raise NotFound(f"Export {job_id} does not exist.")
    return to_view(job, store=store)


def to_view(job: Job, *, store: ObjectStore | None) -> ExportView:
    request = ExportRequest.model_validate(job.payload)
    result = job.result or {}
    status = JobStatus(job.status)
    url: str | None = None
    expires_at: datetime | None = None
    expired = False
    if status is JobStatus.SUCCEEDED and store is not None and "key" in result:
        if store.size_of(result["key"]) is None:
            expired = True
        else:
            expires_at = datetime.now(UTC) + URL_TTL
            url = store.presigned_get(
                result["key"], expires_s=int(URL_TTL.total_seconds()), filename=result.get("filename")
            )
    succeeded = status is JobStatus.SUCCEEDED
    progress = job.progress or {}
    rows_done = int(result.get("rows", 0)) if succeeded else int(progress.get("done") or 0)
    expected = result.get("rows_expected", progress.get("total")) if succeeded else progress.get("total")
    percent: float | None = None
    if succeeded:
        percent = 100.0
    elif status in (JobStatus.QUEUED, JobStatus.RUNNING) and expected:
        percent = min(99.9, round(100.0 * rows_done / int(expected), 1))  # the last part and the close remain
    return ExportView(
        id=job.id,
        status=status,
        format=ExportFormat(request.format),
        columns=request.columns,
        filters=request.filters,
        row_count=result.get("rows") if succeeded else None,
        rows_done=rows_done,
        rows_expected=int(expected) if expected is not None else None,
        percent=percent,
        size_bytes=result.get("size_bytes") if succeeded else None,
        filename=result.get("filename") if succeeded else None,
        download_url=url,
        download_expires_at=expires_at,
        expired=expired,
        error=JobError.model_validate(job.error) if job.error else None,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )
