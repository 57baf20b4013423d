"""Run one task from a queue: the worker door calls `run_task` for each SQS record.

Outcomes:
- the job already finished (a duplicate delivery, or a task of a job cancelled between two runs) → the
  message is acknowledged; the job type's closed handler, if it has one, cleans up what its runs left
  (an export's multipart upload);
- a root handler succeeds → the job is marked succeeded with its result, unless it fanned out
  sub-tasks (`DEFERRED`): then the last sub-task finishes the job (fan-in);
- a sub-task handler (collection tasks …) does its own bookkeeping;
- `PermanentJobError` → the job is marked failed with the reason, the message acknowledged
  (retrying cannot help);
- any other error → re-raised so SQS redelivers (partial batch failure). On the last delivery
  before the DLQ the job is first marked failed with the reason, so its state stays truthful.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from vkc.db.models import Job
from vkc.errors import PermanentJobError
from vkc.jobs.context import TaskContext, WorkerDeps
from vkc.jobs.outcomes import DEFERRED
from vkc.jobs.schemas import JobError, JobStatus, TaskMessage
from vkc.jobs.service import ROOT_TASK, finish_job, start_job
from vkc.settings import Priority

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    job_id: str
    status: str  # "skipped" | "succeeded" | "failed" | "fanned_out" | "task_done"


def run_task(message: TaskMessage, deps: WorkerDeps, *, receive_count: int) -> TaskOutcome:
    registry = deps.registry
    if message.task in registry.detached:
        return _run_detached(message, deps)
    if message.task != ROOT_TASK and message.task not in registry.tasks:
        raise PermanentJobError(f"Unknown task '{message.task}'.")
    with deps.sessions(expire_on_commit=False) as session:
        with session.begin():
            job = start_job(session, message.job_id, count_attempt=message.task == ROOT_TASK)
        if job is None:
            log.info("task skipped: job finished or unknown", extra={"job_id": str(message.job_id)})
            _after_close(message, deps)
            return TaskOutcome(str(message.job_id), "skipped")
        ctx = _context(job, message, deps)
        try:
            if message.task != ROOT_TASK:
                registry.tasks[message.task](ctx)
                return TaskOutcome(str(job.id), "task_done")
            handler = registry.roots.get(job.type)
            if handler is None:
                raise PermanentJobError(f"No worker knows job type '{job.type}'.")
            result = handler(ctx)
        except PermanentJobError as exc:
            with session.begin():
                finish_job(
                    session,
                    job.id,
                    JobStatus.FAILED,
                    result=exc.extra.get("result"),
                    error=JobError(code="failed", message=exc.detail),
                )
            log.warning("job failed", extra={"job_id": str(job.id), "reason": exc.detail})
            return TaskOutcome(str(job.id), "failed")
        except Exception as exc:
            if receive_count >= deps.settings.queue_max_receive_count:
                with session.begin():
                    finish_job(
                        session,
                        job.id,
                        JobStatus.FAILED,
                        error=JobError(
                            code="retries_exhausted",
                            message=f"Gave up after {receive_count} attempts: {type(exc).__name__}: {exc}"[:500],
                        ),
                    )
                log.error(
                    "job failed after its last attempt; message goes to the DLQ",
                    extra={"job_id": str(job.id)},
                )
            raise
        if result is DEFERRED:
            return TaskOutcome(str(job.id), "fanned_out")
        assert isinstance(result, dict)
        with session.begin():
            finish_job(session, job.id, JobStatus.SUCCEEDED, result=result)
        return TaskOutcome(str(job.id), "succeeded")


def _after_close(message: TaskMessage, deps: WorkerDeps) -> None:
    """Run the closed handler of a finished job's type; its errors retry like any task's."""
    with deps.sessions(expire_on_commit=False) as session:
        job = session.get(Job, message.job_id)
    if job is None or job.type not in deps.registry.closed:
        return
    deps.registry.closed[job.type](_context(job, message, deps))


def _run_detached(message: TaskMessage, deps: WorkerDeps) -> TaskOutcome:
    """Run a task that does not depend on (or change) its job's state; errors retry as usual."""
    with deps.sessions(expire_on_commit=False) as session:
        job = session.get(Job, message.job_id)
    if job is None:
        log.info("detached task skipped: its job is gone", extra={"job_id": str(message.job_id)})
        return TaskOutcome(str(message.job_id), "skipped")
    deps.registry.detached[message.task](_context(job, message, deps))
    return TaskOutcome(str(job.id), "task_done")


def _context(job: Job, message: TaskMessage, deps: WorkerDeps) -> TaskContext:
    return TaskContext(
        job_id=job.id,
        workspace_id=job.workspace_id,
        job_type=job.type,
        priority=Priority(job.priority),
        correlation_id=job.correlation_id or "",
        payload=job.payload,
        message=message,
        deps=deps,
    )
