"""Per-process adapters for the API (built once per container) and the caller's principal."""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.event_handler.api_gateway import Router
from vkc.adapters.aws import sqs
from vkc.adapters.sqs_queue import SqsTaskQueue
from vkc.errors import Unauthorized
from vkc.settings import get_settings
from vkc.workspaces.service import Principal


@lru_cache(maxsize=1)
def task_queue() -> SqsTaskQueue:
    settings = get_settings()
    return SqsTaskQueue(settings, sqs(settings.aws_region))


def principal(router: Router) -> Principal:
    """The authenticated caller; the auth middleware put it in the request context."""
    value = router.context.get("principal")
    if not isinstance(value, Principal):
        raise Unauthorized("An API key is required: send it in the X-Api-Key header.")
    return value


def correlation_id(router: Router) -> str:
    return str(router.context.get("request_id") or "")
