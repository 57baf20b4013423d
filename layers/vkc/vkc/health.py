"""Dependency checks shared by `/health/ready` and the probe job. Each returns a result, never raises."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import redis
from pydantic import BaseModel
from sqlalchemy import Engine, text

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
