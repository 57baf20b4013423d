"""/health/live (no dependencies) and /health/ready (database, Redis, queues, with latencies)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from vkc.adapters.aws import sqs
from vkc.adapters.redis_client import get_redis
from vkc.db.engine import get_engine
from vkc.health import check_database, check_queues, check_redis
from vkc.settings import get_settings

router = Router()


@router.get("/live", summary="Liveness: the function answers", tags=["health"])
def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="Readiness: database, Redis and queues answer",
    description="503 when any dependency is down; each check carries its latency.",
    tags=["health"],
)
def ready() -> Response[dict[str, Any]]:
    settings = get_settings()
    checks = [
        check_database(get_engine(settings)),
        check_redis(get_redis(settings)),
        check_queues(sqs(settings.aws_region), settings),
    ]
    ok = all(c.ok for c in checks)
    body = {"status": "ok" if ok else "unavailable", "checks": [c.model_dump() for c in checks]}
    return Response(status_code=200 if ok else 503, content_type="application/json", body=body)
