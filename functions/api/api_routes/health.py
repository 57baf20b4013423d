"""/health/live (no dependencies), /health/ready (database, Redis, queues, with latencies) and the
authenticated /v1/health/deep (queue depths and lags, DLQs, scheduler, the workspace's VK token pool)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import redis
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from vkc.adapters.aws import sqs
from vkc.health import (
    CheckResult,
    check_database,
    check_queues,
    check_queues_deep,
    check_redis,
    check_scheduler,
    skipped,
    timed,
)
from vkc.vk.pool import pool_status
from vkc.vk_tokens.service import list_tokens

from api_routes.deps import deps, principal

router = Router()
deep_router = Router()

CORE = ("database", "redis", "queues")


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
    settings = deps().settings
    checks = [
        check_database(deps().engine),
        check_redis(deps().redis),
        check_queues(sqs(settings.aws_region), settings),
    ]
    ok = all(c.ok for c in checks)
    body = {"status": "ok" if ok else "unavailable", "checks": [c.model_dump() for c in checks]}
    return Response(status_code=200 if ok else 503, content_type="application/json", body=body)


@deep_router.get(
    "/health/deep",
    summary="Deep health: dependencies, queues and DLQs, scheduler, this workspace's VK token pool",
    description=(
        "503 when a core dependency (database, Redis, SQS) is down; the scheduler and the token pool are "
        "reported, not judged (skipped while Redis is down). Queue ages: SQS reports the age of the oldest "
        "message to CloudWatch only and a peek would count as a receive, so each queue carries the lag of "
        "the last message a worker received from it (now - SentTimestamp). Tokens appear by id and type, "
        "never the token."
    ),
    tags=["health"],
)
def deep() -> Response[dict[str, Any]]:
    who = principal(router=deep_router)
    settings = deps().settings
    redis_client = deps().redis
    database, cache = check_database(deps().engine), check_redis(redis_client)
    # with Redis down, what lives in it is skipped at once instead of waiting out its retries
    up = redis_client if cache.ok else None
    checks = [
        database,
        cache,
        check_queues_deep(sqs(settings.aws_region), settings, up),
        check_scheduler(up, datetime.now(UTC)) if up else skipped("scheduler", "Redis is down"),
        _token_pool(who.workspace_id, up) if up else skipped("vk_token_pool", "Redis is down"),
    ]
    ok = all(c.ok for c in checks if c.name in CORE)
    body = {"status": "ok" if ok else "unavailable", "checks": [c.model_dump(mode="json") for c in checks]}
    return Response(status_code=200 if ok else 503, content_type="application/json", body=body)


def _token_pool(workspace_id: uuid.UUID, redis_client: redis.Redis) -> CheckResult:
    def run() -> dict[str, Any]:
        with deps().transaction() as session:
            views = list_tokens(session, workspace_id, redis_client=redis_client)
        breakers = {s.token_id: s for s in pool_status(redis_client, [v.token_id for v in views])} if views else {}
        tokens = [
            {
                "id": str(v.id),
                "token_id": v.token_id,
                "label": v.label,
                "type": v.type,
                "state": v.state,
                "breaker": breakers[v.token_id].breaker,
                "cooldown_until": v.cooldown_until.isoformat() if v.cooldown_until else None,
                "usage_today": v.usage_today,
                "exhausted_methods": v.exhausted_methods,
            }
            for v in views
        ]
        return {"tokens": tokens, "usable": sum(1 for t in tokens if t["state"] == "active")}

    return timed("vk_token_pool", run)
