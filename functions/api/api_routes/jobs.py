"""/v1/jobs: submit work and watch it."""

from __future__ import annotations

import uuid
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from sqlalchemy.orm import Session
from vkc.db.engine import get_engine, session_scope
from vkc.jobs import service
from vkc.jobs.schemas import JobCreate, JobPage, JobStatus, JobView

from api_routes.deps import correlation_id, principal, task_queue

router = Router()


@router.post(
    "/jobs",
    summary="Submit a job",
    description="Stores the job as queued and sends it to its priority's queue. Answers 202 with a Location.",
    status_code=202,
    tags=["jobs"],
    responses={202: {"description": "Accepted", "content": {"application/json": {"model": JobView}}}},
)
def create_job(job: JobCreate) -> Response[JobView]:
    who = principal(router)
    with Session(get_engine(), expire_on_commit=False) as session:
        view = service.create_job(
            session,
            task_queue(),
            workspace_id=who.workspace_id,
            request=job,
            correlation_id=correlation_id(router),
        )
    return Response(
        status_code=202,
        content_type="application/json",
        body=view,
        headers={"Location": f"/v1/jobs/{view.id}"},
    )


@router.get("/jobs/<job_id>", summary="Get a job", tags=["jobs"])
def get_job(job_id: Annotated[uuid.UUID, Path(description="Job id")]) -> JobView:
    who = principal(router)
    with session_scope() as session:
        return service.get_job(session, who.workspace_id, job_id)


@router.get("/jobs", summary="List jobs, newest first", tags=["jobs"])
def list_jobs(
    status: Annotated[JobStatus | None, Query(description="Only jobs in this status")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> JobPage:
    who = principal(router)
    with session_scope() as session:
        return service.list_jobs(session, who.workspace_id, status=status, limit=limit, cursor=cursor)
