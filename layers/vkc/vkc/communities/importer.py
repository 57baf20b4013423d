"""The `communities.import` job: resolve an uploaded list through VK and report every line's outcome.

How it stays within a worker's time and survives retries:
- lines are resolved in batches sized to the pool's speed (a user token batches 25 resolveScreenName
  calls per execute; ids go 500 per groups.getById); each batch's inserts and the per-line checkpoint
  commit together, so a redelivered message resumes exactly where the last commit left off;
- when the Lambda's time runs short the run checkpoints, queues a continuation task for the same job
  and returns `DEFERRED`; the continuation that finishes the list also finishes the job;
- a continuation carries its run number, and only the run the checkpoint expects does work (a
  duplicate delivery of an older continuation is ignored);
- a cancelled job stops between batches; what was stored stays.

Outcomes per line: created, duplicate, invalid, not_found, not_a_community, failed (VK kept failing),
not_processed (the job gave up after `MAX_RUNS` runs without finishing).
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from vkc.communities.input import CommunityRef
from vkc.communities.resolve import Outcome, Resolution, resolve_many
from vkc.communities.schemas import COMMUNITIES_IMPORT_JOB, CommunitiesImportPayload
from vkc.communities.service import insert_community
from vkc.communities.upload import ParsedUpload, UploadInvalid, UploadLine, UploadTooLarge, parse_upload
from vkc.db.models import Job
from vkc.errors import PermanentJobError
from vkc.jobs.context import TaskContext
from vkc.jobs.outcomes import DEFERRED, Deferred
from vkc.jobs.schemas import JobStatus, TaskMessage
from vkc.jobs.service import finish_job
from vkc.vk.client import VkClient
from vkc.vk.deadline import Deadline
from vkc.vk.errors import VkNoTokenError
from vkc.vk.tokens import RATE_PER_SECOND, TokenType

log = logging.getLogger(__name__)

IMPORT_CONTINUE_TASK = "communities.import.continue"
MAX_RUNS = 40
RESERVE_S = 8.0  # left to commit, queue the continuation and report before Lambda stops the run
MIN_BATCH_S = 4.0
BATCH_SECONDS = 15.0  # aim: a batch's VK work fits in this many seconds
MIN_BATCH, MAX_BATCH = 25, 500


class LineOutcome(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    NOT_A_COMMUNITY = "not_a_community"
    FAILED = "failed"
    NOT_PROCESSED = "not_processed"


@dataclass(frozen=True, slots=True)
class LineReport:
    line: int
    input: str
    outcome: LineOutcome
    reason: str | None = None
    community_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "input": self.input,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "community_id": self.community_id,
        }


# --- checkpoint --------------------------------------------------------------------------------------
@dataclass(slots=True)
class Checkpoint:
    """What is done, kept in `jobs.progress`: `{"unit", "done", "total", "run", "lines": {n: [o, id, why]}}`."""

    run: int
    total: int
    done: dict[int, LineReport]

    @classmethod
    def load(cls, job: Job, parsed: ParsedUpload) -> Checkpoint:
        progress = job.progress or {}
        inputs = {line.line: line.input for line in parsed.lines}
        done = {
            int(n): LineReport(int(n), inputs.get(int(n), ""), LineOutcome(v[0]), v[2], v[1])
            for n, v in (progress.get("lines") or {}).items()
        }
        return cls(int(progress.get("run") or 0), len(parsed.lines), done)

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": "lines",
            "done": len(self.done),
            "total": self.total,
            "run": self.run,
            "lines": {str(n): [r.outcome.value, r.community_id, r.reason] for n, r in self.done.items()},
        }

    def save(self, session: Session, job_id: uuid.UUID) -> None:
        session.execute(update(Job).where(Job.id == job_id).values(progress=self.to_json()))


# --- the handlers --------------------------------------------------------------------------------------
def run_communities_import(ctx: TaskContext) -> dict[str, Any] | Deferred:
    """Root task: the first run; returns the report, or DEFERRED after queueing a continuation."""
    return _run(ctx, run=0)


def continue_communities_import(ctx: TaskContext) -> None:
    """Continuation task: one more run; the run that completes the list finishes the job."""
    result = _run(ctx, run=int(ctx.message.params.get("run", 0)))
    if isinstance(result, dict):
        with ctx.deps.sessions() as session, session.begin():
            finish_job(session, ctx.job_id, JobStatus.SUCCEEDED, result=result)


def _run(ctx: TaskContext, *, run: int) -> dict[str, Any] | Deferred:
    payload = CommunitiesImportPayload.model_validate(ctx.payload)
    try:
        parsed = parse_upload(payload.content, payload.format)
    except (UploadInvalid, UploadTooLarge) as exc:
        raise PermanentJobError(str(exc)) from None
    deadline = Deadline.from_lambda_ms(ctx.deps.remaining_ms(), reserve_s=RESERVE_S)
    engine = ctx.deps.engine
    with Session(engine) as session:
        job = session.get(Job, ctx.job_id)
        if job is None:
            raise PermanentJobError("The job no longer exists.")
        checkpoint = Checkpoint.load(job, parsed)
    if checkpoint.run != run:
        log.info("stale import continuation ignored", extra={"job_id": str(ctx.job_id), "run": run})
        return DEFERRED
    _record_parse_outcomes(parsed, checkpoint)
    pending = [line for line in parsed.lines if line.line not in checkpoint.done]
    if pending:
        with _open_client(ctx) as client:
            _process(ctx, client, pending, checkpoint, deadline)
    remaining = [line for line in parsed.lines if line.line not in checkpoint.done]
    if remaining:
        if _cancelled(engine, ctx.job_id):
            why = "The job was cancelled before this line was resolved."
        elif run + 1 < MAX_RUNS:
            return _continue(ctx, checkpoint)
        else:
            why = f"Not resolved after {MAX_RUNS} runs (VK too slow or no token available); upload it again."
        for line in remaining:
            checkpoint.done[line.line] = LineReport(line.line, line.input, LineOutcome.NOT_PROCESSED, why)
    with Session(engine) as session, session.begin():
        checkpoint.save(session, ctx.job_id)
    return _result(parsed, checkpoint)


def _open_client(ctx: TaskContext) -> VkClient:
    """The worker's VK client factory (the pipeline's), or one built here from the token store."""
    factory: Callable[[uuid.UUID], VkClient] | None = ctx.deps.vk_client
    if factory is None:
        raise RuntimeError("this worker was built without a VK client factory")
    return factory(ctx.workspace_id)


def _record_parse_outcomes(parsed: ParsedUpload, checkpoint: Checkpoint) -> None:
    """Lines the file alone decides: unparseable ones and repeats of an earlier line."""
    for line in parsed.lines:
        if line.line in checkpoint.done:
            continue
        if line.ref is None:
            outcome = LineOutcome(line.outcome.value) if line.outcome else LineOutcome.INVALID
            checkpoint.done[line.line] = LineReport(line.line, line.input, outcome, line.reason)
        elif line.duplicate_of is not None:
            checkpoint.done[line.line] = LineReport(
                line.line, line.input, LineOutcome.DUPLICATE, f"Repeats line {line.duplicate_of}."
            )


def batch_size(client: VkClient) -> int:
    """How many lines one batch should hold for this pool to resolve them in about BATCH_SECONDS."""
    per_second = 0
    for token in client.pool.tokens:
        if token.type is TokenType.USER:
            per_second += RATE_PER_SECOND[TokenType.USER] * 25  # resolveScreenName batched in execute
        elif token.type is not None:
            per_second += RATE_PER_SECOND[token.type]
    return max(MIN_BATCH, min(MAX_BATCH, int(per_second * BATCH_SECONDS)))


def _process(
    ctx: TaskContext,
    client: VkClient,
    pending: Sequence[UploadLine],
    checkpoint: Checkpoint,
    deadline: Deadline,
) -> None:
    size = batch_size(client)
    for start in range(0, len(pending), size):
        if deadline.remaining() < MIN_BATCH_S or _cancelled(ctx.deps.engine, ctx.job_id):
            return
        batch = pending[start : start + size]
        refs: list[CommunityRef] = [line.ref for line in batch if line.ref is not None]
        try:
            resolutions = resolve_many(client, refs, deadline=deadline)
        except VkNoTokenError:
            with ctx.deps.sessions() as session, session.begin():
                checkpoint.save(session, ctx.job_id)
            raise PermanentJobError(
                "No VK token of this workspace can resolve communities (none added, or all revoked). "
                "Add one with POST /v1/vk-tokens and upload the file again.",
                extra={"result": _result_partial(checkpoint)},
            ) from None
        created = {r.community_id: r.line for r in checkpoint.done.values() if r.outcome is LineOutcome.CREATED}
        with ctx.deps.sessions(expire_on_commit=False) as session, session.begin():
            for line, resolution in zip(batch, resolutions, strict=True):
                report = _store(session, ctx.workspace_id, line, resolution, created)
                if report is not None:
                    checkpoint.done[line.line] = report
                    if report.outcome is LineOutcome.CREATED:
                        created[report.community_id] = line.line
            checkpoint.save(session, ctx.job_id)


def _store(
    session: Session,
    workspace_id: uuid.UUID,
    line: UploadLine,
    resolution: Resolution,
    created_by_line: dict[str | None, int],
) -> LineReport | None:
    """The line's report after storing what VK found; None when the deadline cut it off (retry later)."""
    match resolution.outcome:
        case Outcome.DEFERRED:
            return None
        case Outcome.NOT_FOUND:
            return LineReport(line.line, line.input, LineOutcome.NOT_FOUND, resolution.reason)
        case Outcome.NOT_A_COMMUNITY:
            return LineReport(line.line, line.input, LineOutcome.NOT_A_COMMUNITY, resolution.reason)
        case Outcome.FAILED:
            return LineReport(line.line, line.input, LineOutcome.FAILED, resolution.reason)
    assert resolution.community is not None
    row, created = insert_community(session, workspace_id, resolution.community, source_input=line.input)
    if created:
        return LineReport(line.line, line.input, LineOutcome.CREATED, None, str(row.id))
    earlier = created_by_line.get(str(row.id))
    reason = f"Same community as line {earlier}." if earlier else f"Already in this workspace as {row.id}."
    return LineReport(line.line, line.input, LineOutcome.DUPLICATE, reason, str(row.id))


def _cancelled(engine: Engine, job_id: uuid.UUID) -> bool:
    with Session(engine) as session:
        status = session.scalar(select(Job.status).where(Job.id == job_id))
    return status is None or status == JobStatus.CANCELLED.value


def _continue(ctx: TaskContext, checkpoint: Checkpoint) -> Deferred:
    checkpoint.run += 1
    with ctx.deps.sessions() as session, session.begin():
        checkpoint.save(session, ctx.job_id)
    message = TaskMessage(
        job_id=ctx.job_id,
        task=IMPORT_CONTINUE_TASK,
        task_id=f"{ctx.job_id}:import:{checkpoint.run}",
        params={"run": checkpoint.run},
    )
    ctx.deps.queue.send(
        COMMUNITIES_IMPORT_JOB.worker,
        ctx.priority,
        message,
        correlation_id=ctx.correlation_id,
        workspace_id=str(ctx.workspace_id),
        job_type=ctx.job_type,
    )
    log.info(
        "import continues in another run",
        extra={"job_id": str(ctx.job_id), "run": checkpoint.run, "done": len(checkpoint.done)},
    )
    return DEFERRED


def import_progress(job: Job) -> dict[str, Any]:
    """For the jobs API: how far an import is (lines decided of lines in the file), from its checkpoint."""
    progress = job.progress or {}
    total = int(progress.get("total") or 0)
    done = int(progress.get("done") or 0)
    if job.status == JobStatus.SUCCEEDED.value:
        done = total
    return {
        "percent": round(100.0 * done / total, 1) if total else (100.0 if job.status == "succeeded" else 0.0),
        "lines_done": done,
        "lines_total": total,
        "runs": int(progress.get("run") or 0) + 1 if progress else 0,
    }


# --- the report ----------------------------------------------------------------------------------------
def _result(parsed: ParsedUpload, checkpoint: Checkpoint) -> dict[str, Any]:
    reports = [checkpoint.done[line.line] for line in parsed.lines if line.line in checkpoint.done]
    counts = Counter(r.outcome.value for r in reports)
    return {
        "complete": True,
        "summary": {
            "lines": len(parsed.lines),
            **{o.value: counts.get(o.value, 0) for o in LineOutcome},
            "ignored_lines": parsed.ignored,
            "format": parsed.format.value,
            "header": parsed.header,
            "runs": checkpoint.run + 1,
        },
        "lines": [r.to_json() for r in reports],
    }


def _result_partial(checkpoint: Checkpoint) -> dict[str, Any]:
    reports = sorted(checkpoint.done.values(), key=lambda r: r.line)
    counts = Counter(r.outcome.value for r in reports)
    return {
        "complete": False,
        "summary": {"lines": checkpoint.total, "done": len(reports), **dict(counts)},
        "lines": [r.to_json() for r in reports],
    }
