"""/v1/jobs: submit work, watch it, cancel or retry it, and read statistics and failures."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from sqlalchemy.orm import Session
from vkc.collection.progress import collection_progress, with_waits
from vkc.collection.schemas import COLLECT_JOB
from vkc.db.models import Job
from vkc.jobs import control, service
from vkc.jobs.schemas import FailureSummary, JobPage, JobStats, JobStatus, JobView
from vkc.wire_types import IsoDatetime
from vkc.wiring.catalogue import JOB_REQUEST, JOBS, JobCreate

from api_routes.accepted import accepted
from api_routes.deps import correlation_id, deps, principal
from api_routes.openapi_doc import problem_response

router = Router()


#: One request model per job type, told apart by `type`: the spec states each type's payload, and a
#: payload that doesn't fit its type is refused before anything else reads it.
if TYPE_CHECKING:
    JobRequest = JobCreate
else:
    JobRequest = Annotated[JOB_REQUEST, Body(description="The job: its type, and that type's payload")]


def with_progress(session: Session, view: JobView) -> JobView:
    if view.type != COLLECT_JOB.name:
        return view
    job = session.get(Job, view.id)
    if job is None:
        return view
    return view.model_copy(update={"progress": collection_progress(session, job, deps().redis)})


@router.post(
    "/jobs",
    summary="Submit a job",
    description="Stores the job as queued and sends it to its priority's queue. Answers 202 with a Location.",
    status_code=202,
    tags=["jobs"],
    responses={
        202: {"description": "Accepted", "content": {"application/json": {"model": JobView}}},
        404: problem_response("The payload's community_id names no community of this workspace"),
        409: problem_response(
            "A collection of this community is already queued or running, or a request with this "
            "Idempotency-Key is still in progress"
        ),
    },
)
def create_job(body: JobRequest) -> Response[JobView]:
    who = principal(router)
    job = JobCreate.model_validate(body.model_dump(mode="json"))
    with deps().sessions() as session:
        view = service.create_job(
            session,
            deps().queue(),
            JOBS[job.type],
            workspace_id=who.workspace_id,
            payload=job.payload,
            priority=job.priority,
            correlation_id=correlation_id(router),
        )
    return accepted(view)


@router.get("/jobs/stats", summary="Job counts by type and status, and run durations", tags=["jobs"])
def job_stats(
    since: Annotated[IsoDatetime | None, Query(description="Jobs created at or after")] = None,
    until: Annotated[IsoDatetime | None, Query(description="Jobs created before")] = None,
) -> JobStats:
    who = principal(router)
    with deps().transaction() as session:
        return control.job_stats(session, who.workspace_id, since=since, until=until)


@router.get(
    "/jobs/failures",
    summary="What went wrong: skipped objects and failed jobs grouped by reason, and per day",
    tags=["jobs"],
    responses={
        200: {"description": "Successful Response", "content": {"application/json": {"model": FailureSummary}}},
        404: problem_response("job_id names no job of this workspace"),
    },
)
def failures(
    since: Annotated[IsoDatetime | None, Query(description="Only since this time")] = None,
    job_id: Annotated[uuid.UUID | None, Query(description="Only this job")] = None,
) -> FailureSummary:
    who = principal(router)
    with deps().transaction() as session:
        return control.failure_summary(session, who.workspace_id, since=since, job_id=job_id)


@router.get("/jobs/<job_id>", summary="Get a job, with live progress for collections", tags=["jobs"])
def get_job(job_id: Annotated[uuid.UUID, Path(description="Job id")]) -> JobView:
    who = principal(router)
    with deps().transaction() as session:
        return with_progress(session, service.get_job(session, who.workspace_id, job_id))


@router.post(
    "/jobs/<job_id>/cancel",
    summary="Cancel a job",
    description="No new tasks start; running tasks stop at their next check. What is stored stays. 409 if finished.",
    tags=["jobs"],
)
def cancel_job(job_id: Annotated[uuid.UUID, Path(description="Job id")]) -> JobView:
    who = principal(router)
    with deps().sessions() as session:
        return control.cancel_job(session, who.workspace_id, job_id)


@router.post(
    "/jobs/<job_id>/retry",
    summary="Retry a failed or cancelled job",
    description="Starts a new job with the same request; a collection resumes from the saved cursors.",
    status_code=202,
    tags=["jobs"],
    responses={202: {"description": "Accepted", "content": {"application/json": {"model": JobView}}}},
)
def retry_job(job_id: Annotated[uuid.UUID, Path(description="Job id")]) -> Response[JobView]:
    who = principal(router)
    with deps().sessions() as session:
        view = control.retry_job(
            session, deps().queue(), JOBS, who.workspace_id, job_id, correlation_id=correlation_id(router)
        )
    return accepted(view)


@router.get("/jobs", summary="List jobs, newest first", tags=["jobs"])
def list_jobs(
    status: Annotated[JobStatus | None, Query(description="Only jobs in this status")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> JobPage:
    who = principal(router)
    with deps().transaction() as session:
        page = service.list_jobs(session, who.workspace_id, status=status, limit=limit, cursor=cursor)
        return with_waits(session, page)
