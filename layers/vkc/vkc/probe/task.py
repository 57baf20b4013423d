"""The probe job's handler: check what a collection depends on (database, Redis, queues, VK) and record it."""

from __future__ import annotations

from typing import Any

from vkc.errors import PermanentJobError
from vkc.health import CheckResult, check_database, check_queues, check_redis, check_vk_api
from vkc.jobs.context import TaskContext
from vkc.probe.schemas import ProbePayload


def run_probe(ctx: TaskContext) -> dict[str, Any]:
    payload = ProbePayload.model_validate(ctx.payload)
    deps = ctx.deps
    runners = {
        "database": lambda: check_database(deps.engine),
        "redis": lambda: check_redis(deps.redis),
        "queues": lambda: check_queues(deps.sqs, deps.settings),
        "vk_api": lambda: check_vk_api(deps.settings),
    }
    unknown = sorted(set(payload.checks) - runners.keys())
    if unknown:
        raise PermanentJobError(f"Unknown checks: {', '.join(unknown)}.")
    results: list[CheckResult] = [runners[name]() for name in payload.checks]
    failed = [r.name for r in results if not r.ok]
    summary = {"checks": [r.model_dump() for r in results], "all_ok": not failed}
    if failed:
        raise PermanentJobError(f"Dependencies not healthy: {', '.join(failed)}.", extra={"result": summary})
    return summary
