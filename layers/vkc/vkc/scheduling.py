"""The scheduled tick: runs every periodic duty and records that it ran.

EventBridge invokes SchedulerFunction once a minute. Duties are plain functions of `now`; the
monitoring duty (queue communities that are due) plugs in here. The last tick time is kept in Redis
so health checks can tell whether the schedule is alive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import redis

log = logging.getLogger(__name__)

LAST_TICK_KEY = "vkc:scheduler:last_tick"

Duty = Callable[[datetime], dict[str, Any]]


class DutiesFailed(RuntimeError):
    """One or more duties raised; the others ran. Raised so the invocation counts as an error (alarms)."""


def tick(now: datetime, client: redis.Redis, duties: dict[str, Duty]) -> dict[str, Any]:
    """Run every duty; one that fails does not keep the others from running (they are independent)."""
    results: dict[str, Any] = {}
    failed: list[str] = []
    for name, duty in duties.items():
        try:
            results[name] = duty(now)
        except Exception:
            log.exception("scheduled duty failed", extra={"duty": name})
            failed.append(name)
    client.set(LAST_TICK_KEY, now.isoformat(), ex=24 * 3600)
    if failed:
        raise DutiesFailed(f"duties failed: {', '.join(failed)} (the others ran: {sorted(results)})")
    return {"ticked_at": now.isoformat(), "duties": results}


def last_tick(client: redis.Redis) -> str | None:
    value = client.get(LAST_TICK_KEY)
    return str(value) if value is not None else None
