"""What the API shows of an export."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from vkc.comments.filters import CommentFilters
from vkc.exports.schemas import ExportColumn, ExportFormat
from vkc.jobs.schemas import JobError, JobStatus


class ExportView(BaseModel):
    id: uuid.UUID = Field(description="The export's job id.")
    status: JobStatus
    format: ExportFormat
    columns: list[ExportColumn]
    filters: CommentFilters
    row_count: int | None = Field(description="Rows written (null until the export succeeded).")
    rows_done: int = Field(
        default=0, description="Rows safely written so far (kept across the worker runs a large export takes)."
    )
    rows_expected: int | None = Field(
        default=None, description="Rows the filters matched when the export started (null until it started)."
    )
    percent: float | None = Field(
        default=None,
        description="rows_done of rows_expected in percent (one decimal), below 100 until the file is complete; "
        "100 once succeeded; null before the export started or when the filters matched nothing yet to do.",
    )
    size_bytes: int | None
    filename: str | None
    download_url: str | None = Field(
        description="Presigned GET URL, made fresh on every request; null until the export succeeded, or once "
        "the file expired (files are kept 7 days)."
    )
    download_expires_at: datetime | None
    expired: bool = Field(description="The export succeeded but its file is gone (export again).")
    error: JobError | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
