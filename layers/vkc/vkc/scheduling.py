"""The scheduled tick: runs every periodic duty and records that it ran.

EventBridge invokes SchedulerFunction once a minute. Duties are plain functions of `now`; the
monitoring duty (queue communities that are due) plugs in here. The last tick time is kept in Redis
so health checks can tell whether the schedule is alive.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import redis

LAST_TICK_KEY = "vkc:scheduler:last_tick"

Duty = Callable[[datetime], dict[str, Any]]


def tick(now: datetime, client: redis.Redis, duties: dict[str, Duty]) -> dict[str, Any]:
    results = {name: duty(now) for name, duty in duties.items()}
    client.set(LAST_TICK_KEY, now.isoformat(), ex=24 * 3600)
    return {"ticked_at": now.isoformat(), "duties": results}


def last_tick(client: redis.Redis) -> str | None:
    value = client.get(LAST_TICK_KEY)
    return str(value) if value is not None else None
