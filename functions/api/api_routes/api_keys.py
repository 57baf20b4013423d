"""/v1/api-keys: the workspace's API keys. Lists show a prefix only; a new key is shown once."""

from __future__ import annotations

import uuid
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, Field
from vkc.wire_types import JSON_INT
from vkc.workspaces.service import (
    MAX_GRACE_S,
    ApiKeyCreated,
    ApiKeyView,
    create_api_key,
    list_api_keys,
    revoke_api_key,
    rotate_api_key,
)

from api_routes.deps import deps, principal
from api_routes.openapi_doc import problem_response

router = Router()

KeyId = Annotated[uuid.UUID, Path(description="The key's id (from GET /v1/api-keys), not the key")]


class ApiKeyList(BaseModel):
    items: list[ApiKeyView]


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="default", min_length=1, max_length=200, description="What the key is for.")


class ApiKeyRotate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grace_seconds: Annotated[int, Field(ge=0, le=MAX_GRACE_S), JSON_INT] = Field(
        default=0,
        description="How long the old key keeps working (0: revoked at once; at most 7 days).",
    )


@router.get("/api-keys", summary="The workspace's API keys (prefix only, never the key)", tags=["api-keys"])
def list_keys() -> ApiKeyList:
    who = principal(router)
    with deps().transaction() as session:
        return ApiKeyList(items=list_api_keys(session, who.workspace_id))


@router.post(
    "/api-keys",
    summary="Create an API key (shown once)",
    description="The response is the only time the key is shown: only its SHA-256 hash is stored.",
    status_code=201,
    tags=["api-keys"],
    responses={201: {"description": "Created", "content": {"application/json": {"model": ApiKeyCreated}}}},
)
def create_key(body: ApiKeyCreate) -> Response[ApiKeyCreated]:
    who = principal(router)
    with deps().transaction() as session:
        created = create_api_key(session, who.workspace_id, name=body.name)
    return _shown_once(created)


def _shown_once(created: ApiKeyCreated) -> Response[ApiKeyCreated]:
    """201 with the new key: the only response that ever carries it, so nothing may cache it."""
    return Response(
        status_code=201,
        content_type="application/json",
        body=created,
        headers={"Location": f"/v1/api-keys/{created.id}", "Cache-Control": "no-store"},
    )


@router.post(
    "/api-keys/<key_id>/rotate",
    summary="Rotate an API key: a new key (shown once); the old one revoked now or after a grace period",
    description=(
        "The new key has the old key's name. With `grace_seconds` the old key keeps working until then "
        "(its `revoked_at` is in the future), so clients can switch without downtime. 409 for a key that is "
        "already revoked."
    ),
    status_code=201,
    tags=["api-keys"],
    responses={
        201: {"description": "Created", "content": {"application/json": {"model": ApiKeyCreated}}},
        409: problem_response("The key is already revoked"),
    },
)
def rotate_key(key_id: KeyId, body: ApiKeyRotate | None = None) -> Response[ApiKeyCreated]:
    who = principal(router)
    with deps().transaction() as session:
        created = rotate_api_key(
            session, who.workspace_id, key_id, grace_s=body.grace_seconds if body is not None else 0
        )
    return _shown_once(created)


@router.delete(
    "/api-keys/<key_id>",
    summary="Revoke an API key (at once)",
    description=(
        "Idempotent. Revoking the key that makes the request is refused (409) unless another key of the "
        "workspace stays active, so a workspace never locks itself out."
    ),
    status_code=204,
    tags=["api-keys"],
    responses={204: {"description": "Revoked"}, 409: problem_response("It is the workspace's only active key")},
)
def revoke_key(key_id: KeyId) -> Response[None]:
    who = principal(router)
    with deps().transaction() as session:
        revoke_api_key(session, who.workspace_id, key_id, caller_key_id=who.api_key_id)
    return Response(status_code=204)
