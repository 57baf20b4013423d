"""/v1/communities/{id}/collections and /jobs: start a collection of one community, and its history."""

from __future__ import annotations

import uuid
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from vkc.collection.history import community_jobs
from vkc.collection.schemas import COLLECT_JOB
from vkc.db.models_community import Community
from vkc.errors import NotFound
from vkc.jobs import service
from vkc.jobs.schemas import JobPage, JobStatus, JobView
from vkc.monitoring.log import MonitoringStatus, monitoring_status
from vkc.settings import Priority
from vkc.wire_types import JSON_INT, IsoAwareDatetime, IsoDatetime

from api_routes.accepted import accepted
from api_routes.deps import correlation_id, deps, principal

router = Router()


class CollectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: IsoAwareDatetime | None = Field(default=None, description="Only posts published at or after this time.")
    until: IsoAwareDatetime | None = Field(default=None, description="Only posts published at or before this time.")
    max_posts: Annotated[int, Field(ge=1, le=100_000), JSON_INT] | None = Field(
        default=None, description="At most this many newest posts."
    )
    include_threads: StrictBool = Field(default=True, description="Also fetch replies in threads (default yes).")
    priority: Priority = Field(default=Priority.HIGH, description="Collections started by hand default to high.")


@router.post(
    "/communities/<community_id>/collections",
    summary="Collect a community: every post in the window and every comment, replies included",
    description="Runs as a job (202 + Location). 409 while another collection of the community is active.",
    status_code=202,
    tags=["collections"],
    responses={202: {"description": "Accepted", "content": {"application/json": {"model": JobView}}}},
)
def start_collection(
    community_id: Annotated[uuid.UUID, Path(description="Community id")], body: CollectionRequest
) -> Response[JobView]:
    who = principal(router)
    with deps().sessions() as session:
        community = session.get(Community, community_id)
        if community is None or community.workspace_id != who.workspace_id:
            raise NotFound(f"Community {community_id} does not exist.")
        payload = body.model_dump(mode="json", exclude={"priority"}, exclude_none=True)
        payload["community_id"] = str(community_id)
        view = service.create_job(
            session,
            deps().queue(),
            COLLECT_JOB,
            workspace_id=who.workspace_id,
            payload=payload,
            priority=body.priority,
            correlation_id=correlation_id(router),
        )
    return accepted(view)


@router.get("/communities/<community_id>/jobs", summary="A community's job history, newest first", tags=["collections"])
def history(
    community_id: Annotated[uuid.UUID, Path(description="Community id")],
    status: Annotated[JobStatus | None, Query(description="Only jobs in this status")] = None,
    since: Annotated[IsoDatetime | None, Query(description="Only jobs created at or after")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> JobPage:
    who = principal(router)
    with deps().transaction() as session:
        from vkc.collection.progress import with_waits  # redis and the progress queries: this route's only

        page = community_jobs(
            session, who.workspace_id, community_id, status=status, since=since, limit=limit, cursor=cursor
        )
        return with_waits(session, page)


@router.get(
    "/communities/<community_id>/monitoring",
    summary="Monitoring status and run log",
    description="Settings, the next run, and the latest runs with when they started and finished.",
    tags=["collections"],
)
def monitoring(
    community_id: Annotated[uuid.UUID, Path(description="Community id")],
    limit: Annotated[int, Query(ge=1, le=100, description="How many runs")] = 20,
) -> MonitoringStatus:
    who = principal(router)
    with deps().transaction() as session:
        return monitoring_status(session, who.workspace_id, community_id, limit=limit)
