"""Dependency checks shared by `/health/ready` and the probe job. Each returns a result, never raises."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import redis
from pydantic import BaseModel
from sqlalchemy import Engine, text

from vkc.scheduling import last_tick
from vkc.settings import Priority, Settings, WorkerKind

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class CheckResult(BaseModel):
    name: str
    ok: bool
    latency_ms: float
    detail: dict[str, Any] | str | None = None


def _timed(name: str, fn: Callable[[], dict[str, Any] | str | None]) -> CheckResult:
    started = time.perf_counter()
    try:
        detail = fn()
        ok = True
    except Exception as exc:  # a check reports failures; it must not raise
        detail, ok = f"{type(exc).__name__}: {exc}"[:300], False
    return CheckResult(name=name, ok=ok, latency_ms=round((time.perf_counter() - started) * 1000, 2), detail=detail)


timed = _timed  # for checks defined beside their route


def check_database(engine: Engine) -> CheckResult:
    def run() -> dict[str, Any]:
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar_one()
        return {"server_version": str(version)}

    return _timed("database", run)


def check_redis(client: redis.Redis) -> CheckResult:
    def run() -> None:
        if not client.ping():
            raise RuntimeError("PING was not answered")

    return _timed("redis", run)


def check_queues(client: SQSClient, settings: Settings) -> CheckResult:
    """Every queue reachable; the detail has each queue's visible and in-flight depth."""

    def run() -> dict[str, Any]:
        depths: dict[str, Any] = {}
        for worker in WorkerKind:
            for priority in Priority:
                attrs = client.get_queue_attributes(
                    QueueUrl=settings.queue_url(worker, priority),
                    AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                )["Attributes"]
                depths[f"{worker.value}-{priority.value}"] = {
                    "visible": int(attrs.get("ApproximateNumberOfMessages", 0)),
                    "in_flight": int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0)),
                }
        return depths

    return _timed("queues", run)


def check_vk_api(settings: Settings, *, timeout_s: float = 3.0) -> CheckResult:
    """VK answers a call without a token with error 5: that proves the API is reachable and speaking VK."""
    # only the probe job checks VK: the API and the workers' queue-lag record need not load httpx (cold start)
    import httpx

    def run() -> dict[str, Any]:
        response = httpx.post(
            f"{settings.vk_api_url.rstrip('/')}/utils.resolveScreenName",
            data={"screen_name": "apiclub", "v": settings.vk_api_version},
            timeout=timeout_s,
        )
        response.raise_for_status()
        body = response.json()
        code = body.get("error", {}).get("error_code") if isinstance(body, dict) else None
        if code != 5 and "response" not in body:
            raise RuntimeError(f"unexpected answer from the VK API (error {code})")
        return {"url": settings.vk_api_url, "http_status": response.status_code}

    return _timed("vk_api", run)


# --- deep health (/v1/health/deep) ------------------------------------------------------------------

QUEUE_LAG_KEY = "vkc:obs:queue_lag:{queue}"
QUEUE_LAG_TTL_S = 7 * 24 * 3600
AGE_NOTE = (
    "SQS publishes ApproximateAgeOfOldestMessage to CloudWatch only, and peeking a work queue would count "
    "as a receive (toward its DLQ), so no queue is peeked. last_received_lag_ms is the age (now - "
    "SentTimestamp) of the last message a worker received from that queue, recorded by the worker."
)
_dlq_urls: dict[str, str] = {}


def record_queue_lag(client: redis.Redis, queue: str, lag_ms: float, now: datetime) -> None:
    """Called by the worker door per record: the age of the message it just received."""
    client.set(
        QUEUE_LAG_KEY.format(queue=queue),
        json.dumps({"lag_ms": round(lag_ms, 1), "at": now.isoformat()}),
        ex=QUEUE_LAG_TTL_S,
    )


def _last_lag(client: redis.Redis, queue: str) -> dict[str, Any]:
    raw = client.get(QUEUE_LAG_KEY.format(queue=queue))
    if raw is None:
        return {"last_received_lag_ms": None, "last_received_at": None}
    value = json.loads(raw)
    return {"last_received_lag_ms": value.get("lag_ms"), "last_received_at": value.get("at")}


def dlq_url(client: SQSClient, source_url: str) -> str:
    """A work queue's DLQ, from its RedrivePolicy (as `vkc.adapters.sqs_deadletters` finds it)."""
    if source_url not in _dlq_urls:
        attrs = client.get_queue_attributes(QueueUrl=source_url, AttributeNames=["RedrivePolicy"])["Attributes"]
        name = json.loads(attrs["RedrivePolicy"])["deadLetterTargetArn"].rsplit(":", 1)[-1]
        _dlq_urls[source_url] = client.get_queue_url(QueueName=name)["QueueUrl"]
    return _dlq_urls[source_url]


def _depth(client: SQSClient, url: str) -> dict[str, int]:
    attrs = client.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return {
        "visible": int(attrs.get("ApproximateNumberOfMessages", 0)),
        "in_flight": int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0)),
        "delayed": int(attrs.get("ApproximateNumberOfMessagesDelayed", 0)),
    }


def check_queues_deep(client: SQSClient, settings: Settings, redis_client: redis.Redis | None) -> CheckResult:
    """Each work queue's depth and last receive lag (None without Redis), and its DLQ's depth."""

    def run() -> dict[str, Any]:
        queues: dict[str, Any] = {}
        for worker in WorkerKind:
            for priority in Priority:
                name = f"{worker.value}-{priority.value}"
                url = settings.queue_url(worker, priority)
                lag: dict[str, Any] = {"last_received_lag_ms": None, "last_received_at": None}
                if redis_client is not None:
                    with contextlib.suppress(Exception):  # Redis has its own check; depths still count
                        lag = _last_lag(redis_client, name)
                dlq = _depth(client, dlq_url(client, url))
                queues[name] = {**_depth(client, url), **lag, "dead_letters": dlq["visible"] + dlq["in_flight"]}
        return {"queues": queues, "age": AGE_NOTE}

    return _timed("queues", run)


def skipped(name: str, reason: str) -> CheckResult:
    """A check that could not run because what it reads is down (reported, never slow)."""
    return CheckResult(name=name, ok=False, latency_ms=0.0, detail=f"skipped: {reason}")


def check_scheduler(redis_client: redis.Redis, now: datetime) -> CheckResult:
    """When the scheduler last ticked (EventBridge, once a minute); informative, not a core dependency."""

    def run() -> dict[str, Any]:
        raw = last_tick(redis_client)
        if raw is None:
            return {"last_tick": None, "age_s": None}
        at = datetime.fromisoformat(raw)
        return {"last_tick": raw, "age_s": round((now - at).total_seconds(), 1)}

    return _timed("scheduler", run)
