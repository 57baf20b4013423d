"""/v1/workspace: the workspace the presented key belongs to (what a client shows after sign-in)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from vkc.workspaces.service import WorkspaceView, workspace_view

from api_routes.deps import deps, principal

router = Router()


@router.get("/workspace", summary="The signed-in key's workspace", tags=["workspace"])
def get_workspace() -> WorkspaceView:
    who = principal(router)
    with deps().transaction() as session:
        return workspace_view(session, who.workspace_id)
