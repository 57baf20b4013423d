"""/v1/vk-tokens: the workspace's pool of VK tokens. A token goes in once and only its hint comes out."""

from __future__ import annotations

import uuid
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from vkc.vk_tokens import service
from vkc.vk_tokens.schemas import VkTokenCreate, VkTokenList, VkTokenView

from api_routes.deps import deps, principal
from api_routes.openapi_doc import problem_response

router = Router()


TokenRowId = Annotated[uuid.UUID, Path(description="The token's id in this API (not the token)")]


@router.post(
    "/vk-tokens",
    summary="Add a VK token to the workspace's pool",
    description=(
        "Tests the token with VK (at most two calls) to learn its type (user, service or community) and "
        "refuses it with the reason when VK does (error 5: invalid or expired; 17: validation required) "
        "with 422. The token is stored encrypted in the secret store and never returned: responses carry "
        "a hint (first and last 4 characters). 409 when the token is already in the pool."
    ),
    status_code=201,
    tags=["vk-tokens"],
    responses={
        201: {"description": "Created", "content": {"application/json": {"model": VkTokenView}}},
        409: problem_response("The token is already in the pool"),
    },
)
def add_token(body: VkTokenCreate) -> Response[VkTokenView]:
    # httpx and the VK transport load when a token is added, not with the other routes (cold start)

    who = principal(router)
    settings = deps().settings
    with deps().transaction() as session:
        view = service.add_token(
            session,
            who.workspace_id,
            body,
            settings=settings,
            redis_client=deps().redis,
            secrets=deps().secrets(),
            transport=deps().vk_transport(),
        )
    return Response(
        status_code=201,
        content_type="application/json",
        body=view,
        headers={"Location": f"/v1/vk-tokens/{view.id}"},
    )


@router.get(
    "/vk-tokens",
    summary="List the workspace's VK tokens",
    description="Type, state (active, cooling_down, revoked), label, hint and today's usage per VK method.",
    tags=["vk-tokens"],
)
def list_tokens() -> VkTokenList:
    who = principal(router)
    with deps().transaction() as session:
        return VkTokenList(items=service.list_tokens(session, who.workspace_id, redis_client=deps().redis))


@router.get("/vk-tokens/<token_id>", summary="Get one VK token's state and usage", tags=["vk-tokens"])
def get_token(token_id: TokenRowId) -> VkTokenView:
    who = principal(router)
    with deps().transaction() as session:
        return service.get_token(session, who.workspace_id, token_id, redis_client=deps().redis)


@router.delete(
    "/vk-tokens/<token_id>",
    summary="Remove a VK token",
    description="Removes it from the pool and deletes its secret; collections stop using it at once.",
    status_code=204,
    tags=["vk-tokens"],
    responses={204: {"description": "Deleted"}},
)
def delete_token(token_id: TokenRowId) -> Response[None]:
    who = principal(router)
    with deps().transaction() as session:
        service.delete_token(session, who.workspace_id, token_id, secrets=deps().secrets())
    return Response(status_code=204, body=None)
