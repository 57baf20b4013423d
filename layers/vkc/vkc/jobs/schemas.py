"""Pydantic models of the jobs API and of the messages on the queues."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vkc.settings import Priority


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class JobError(BaseModel):
    code: str
    message: str


class JobTimings(BaseModel):
    queued_ms: int | None = Field(description="From creation to the worker picking it up.")
    run_ms: int | None = Field(description="From start to finish.")
    total_ms: int | None = Field(description="From creation to finish.")


class JobView(BaseModel):
    id: uuid.UUID
    type: str
    priority: Priority
    status: JobStatus
    payload: dict[str, Any]
    result: dict[str, Any] | None
    error: JobError | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    timings: JobTimings
    progress: dict[str, Any] | None = Field(
        default=None,
        description=(
            "Live progress of a collection (`collect`) in `GET /v1/jobs/{id}`; in job lists only "
            "`{waiting}`, for a running collection that waits (one query a page); null otherwise. "
            "Keys: `percent` (0–100, never goes back; 100 only once succeeded), `posts_planned` (posts stored "
            "in the window so far), `comments_expected` (VK's comment counts of those posts), "
            "`comments_stored`, `comments_new` (first stored by this job), `rate_per_s` (new comments per "
            "second of this job), `eta_s` (seconds left, null while unknown or finished), `tasks_total`, "
            "`tasks_done` (fanned-out harvest tasks), and `waiting`: null while any task can run, or, while "
            "every pending task waits for the workspace's VK tokens to rest, "
            "`{code, reason, until, since}` — `code` `cooldown` (every token cooling down after flood "
            "control or a captcha) or `quota` (every token out of today's quota for the calls left), "
            "`reason` the same in English, `until` when the longest wait ends and `since` when waiting "
            "began (ISO 8601, UTC). The job stays `running` while it waits; `eta_s` is at least the rest "
            "of the wait."
        ),
        examples=[
            {
                "percent": 42.5,
                "posts_planned": 120,
                "comments_expected": 8000,
                "comments_stored": 3400,
                "comments_new": 3400,
                "rate_per_s": 85.0,
                "eta_s": 2280,
                "tasks_total": 6,
                "tasks_done": 2,
                "waiting": {
                    "code": "quota",
                    "reason": "every VK token of the workspace has spent today's quota for the calls left",
                    "until": "2026-12-06T00:00:00+00:00",
                    "since": "2026-12-05T21:10:00+00:00",
                },
            }
        ],
    )


class JobPage(BaseModel):
    items: list[JobView]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last.")


class TaskMessage(BaseModel):
    """The body of every queue message. `task_id` is the idempotency key of this piece of work."""

    model_config = ConfigDict(extra="ignore")

    job_id: uuid.UUID
    task: str
    task_id: str
    params: dict[str, Any] = Field(default_factory=dict)


class JobTypeStats(BaseModel):
    type: str
    by_status: dict[str, int]
    finished: int
    run_ms_avg: float | None
    run_ms_p50: float | None
    run_ms_p95: float | None


class JobStats(BaseModel):
    since: datetime | None
    until: datetime | None
    types: list[JobTypeStats]


class FailureGroup(BaseModel):
    kind: str = Field(description="skipped_object (VK would not give it) or job_failure")
    code: str | None
    reason: str
    count: int
    first_at: datetime
    last_at: datetime
    example_refs: list[str]


class FailureSummary(BaseModel):
    since: datetime | None
    job_id: uuid.UUID | None
    groups: list[FailureGroup]
    by_day: list[dict[str, Any]]
