"""What a route needs besides its input: the process's dependencies and the caller's principal.

The dependencies are built in the API's composition place (`vkc.wiring.api`), once per container.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from vkc.errors import Unauthorized
from vkc.wiring.api import ApiDeps, api_deps
from vkc.workspaces.service import Principal


def deps() -> ApiDeps:
    return api_deps()


def principal(router: Router) -> Principal:
    """The authenticated caller; the auth middleware put it in the request context."""
    value = router.context.get("principal")
    if not isinstance(value, Principal):
        raise Unauthorized("An API key is required: send it in the X-Api-Key header.")
    return value


def correlation_id(router: Router) -> str:
    return str(router.context.get("request_id") or "")
