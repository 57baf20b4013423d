"""/v1/communities: add (resolved through VK), list, read, update monitoring, delete, bulk import."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from sqlalchemy.orm import Session
from vkc.communities import service
from vkc.communities.schemas import (
    CommunityCreate,
    CommunityImportRequest,
    CommunityPage,
    CommunityPreview,
    CommunityView,
    MonitoringUpdate,
)
from vkc.jobs.schemas import JobView

from api_routes.cached import cached
from api_routes.deps import correlation_id, deps, principal
from api_routes.openapi_doc import problem_response

if TYPE_CHECKING:
    from vkc.vk.client import VkClient

router = Router()


CommunityId = Annotated[uuid.UUID, Path(description="Community id")]


def _client_factory(session: Session, workspace_id: uuid.UUID) -> Callable[[], AbstractContextManager[VkClient]]:
    # the VK client and httpx load when a community is added, not with the other routes (cold start)
    from vkc.vk_tokens.clients import workspace_client

    settings = deps().settings
    return lambda: workspace_client(
        session,
        workspace_id,
        settings=settings,
        redis_client=deps().redis,
        secrets=deps().secrets(),
    )


@router.post(
    "/communities",
    summary="Add a community",
    description=(
        "Accepts what you would paste (123, -123, club123, public123, event123, a short name, or a vk.com / "
        "vk.ru link), resolves it through VK with the workspace's tokens and stores name, short name, type, "
        "closed flag, members, photo and description. Closed, private or deactivated communities are stored "
        "with can_collect=false and the reason. 404 when VK knows no such community (the problem echoes the "
        "input); 422 for input that names no community or names a user; 409 when the community is already "
        "in the workspace (the problem names existing_id) or the workspace has no usable VK token."
    ),
    status_code=201,
    tags=["communities"],
    responses={
        201: {"description": "Created", "content": {"application/json": {"model": CommunityView}}},
        404: problem_response("VK knows no such community"),
        409: problem_response("Already in this workspace, or no usable VK token"),
        502: problem_response("VK answered with an unexpected error"),
    },
)
def create_community(body: CommunityCreate) -> Response[CommunityView]:
    who = principal(router)
    with deps().transaction() as session:
        view = service.create_community(
            session, who.workspace_id, body.input, open_client=_client_factory(session, who.workspace_id)
        )
    return Response(
        status_code=201,
        content_type="application/json",
        body=view,
        headers={"Location": f"/v1/communities/{view.id}"},
    )


@router.post(
    "/communities/resolve",
    summary="Resolve a community through VK without adding it",
    description=(
        "Takes the same input as POST /v1/communities and answers what adding it would store (name, photo, "
        "members, closed or deactivated, whether it can be collected and why not), plus `existing_id` when the "
        "community is already in the workspace. Nothing is stored. The same problems as adding: 404 when VK "
        "knows no such community, 422 for input that names no community or names a user, 409 when the "
        "workspace has no usable VK token."
    ),
    tags=["communities"],
    responses={
        200: {
            "description": "What adding it would store",
            "content": {"application/json": {"model": CommunityPreview}},
        },
        409: problem_response("The workspace has no usable VK token"),
        502: problem_response("VK answered with an unexpected error"),
    },
)
def resolve_community(body: CommunityCreate) -> CommunityPreview:
    who = principal(router)
    with deps().transaction() as session:
        return service.preview_community(
            session, who.workspace_id, body.input, open_client=_client_factory(session, who.workspace_id)
        )


@router.post(
    "/communities/import",
    summary="Import communities from a txt or csv upload",
    description=(
        "Send the file's text as `content` (≤ 1 MB, ≤ 10,000 communities; `#` comment lines and blank lines "
        "are ignored; a csv header row is detected and its url/link/screen_name/id column used). Answers 202 "
        "with a `communities.import` job (low priority by default); its result reports every line: created, "
        "duplicate, invalid, not_found, not_a_community, failed or not_processed, with the reason and the "
        "community id. 413 over 1 MB; 422 when nothing can be imported or over 10,000 lines."
    ),
    status_code=202,
    tags=["communities"],
    responses={
        202: {"description": "Accepted", "content": {"application/json": {"model": JobView}}},
        413: problem_response("The upload is over 1 MB"),
    },
)
def import_communities(body: CommunityImportRequest) -> Response[JobView]:
    # the upload parser and the job service load with the first import, not with the listing (cold start)
    from vkc.communities import bulk

    who = principal(router)
    with deps().sessions() as session:
        view = bulk.start_import(
            session,
            deps().queue(),
            workspace_id=who.workspace_id,
            request=body,
            correlation_id=correlation_id(router),
        )
    return Response(
        status_code=202,
        content_type="application/json",
        body=view,
        headers={"Location": f"/v1/jobs/{view.id}"},
    )


@router.get("/communities", summary="List communities, newest first", tags=["communities"])
def list_communities(
    q: Annotated[
        str | None,
        Query(max_length=200, description="Part of the name or short name, any case"),
    ] = None,
    can_collect: Annotated[bool | None, Query(description="Only collectable (true) or not (false)")] = None,
    monitoring_enabled: Annotated[bool | None, Query(description="Only with monitoring on (true) or off")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> CommunityPage:
    who = principal(router)
    with deps().transaction() as session:
        return service.list_communities(
            session,
            who.workspace_id,
            q=q,
            can_collect=can_collect,
            monitoring_enabled=monitoring_enabled,
            limit=limit,
            cursor=cursor,
        )


@router.get("/communities/<community_id>", summary="Get a community", tags=["communities"])
def get_community(community_id: CommunityId) -> CommunityView:
    who = principal(router)

    def load() -> CommunityView:
        with deps().transaction() as session:
            return service.get_community(session, who.workspace_id, community_id)

    ttl = deps().settings.cache_community_ttl_s
    return cached(who.workspace_id, f"community:{community_id}", {}, CommunityView, ttl, load)


@router.patch(
    "/communities/<community_id>",
    summary="Update a community's monitoring settings",
    description=(
        "Any of monitoring_enabled, monitoring_interval_minutes (5…10080) and monitoring_priority "
        "(high, normal, low). Enabling makes the community due at once (next_monitoring_at = now); "
        "disabling unschedules it. 422 when enabling a community that cannot be collected."
    ),
    tags=["communities"],
)
def update_community(community_id: CommunityId, body: MonitoringUpdate) -> CommunityView:
    who = principal(router)
    with deps().transaction() as session:
        return service.update_monitoring(session, who.workspace_id, community_id, body)


@router.delete(
    "/communities/<community_id>",
    summary="Delete a community and everything collected from it",
    description=(
        "Deletes the community together with its stored posts, comments (replies included) and monitoring "
        "runs: the database cascades the delete through their foreign keys. Jobs that ran on it stay in the "
        "job history. 409 while a job on it is queued or running (cancel it first)."
    ),
    status_code=204,
    tags=["communities"],
    responses={
        204: {"description": "Deleted"},
        409: problem_response("A job on this community is queued or running"),
    },
)
def delete_community(community_id: CommunityId) -> Response[None]:
    who = principal(router)
    with deps().transaction() as session:
        service.delete_community(session, who.workspace_id, community_id)
    return Response(status_code=204, body=None)
