"""Ticks scheduled functions with the event EventBridge would send, on the template's rate or on demand.

ScheduleV2 (EventBridge Scheduler) passes the schedule's `Input` as the event, with its context
attributes (`<aws.scheduler.scheduled-time>`, …) filled in; a classic `Schedule` rule sends the
"Scheduled Event" envelope. Cron expressions are only ticked on demand.
"""

from __future__ import annotations

import json
import sys
import threading
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from devtools.local_stack.template import ScheduleSpec


def schedule_event(spec: ScheduleSpec, *, region: str, when: datetime | None = None) -> dict[str, Any]:
    """The event one tick of `spec` delivers to its function."""
    now = (when or datetime.now(UTC)).replace(microsecond=0)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    schedule_arn = f"arn:aws:scheduler:{region}:123456789012:schedule/default/local-{spec.name}"
    if spec.event_type == "ScheduleV2":
        if spec.input is None:
            return {}
        text = (
            spec.input.replace("<aws.scheduler.scheduled-time>", stamp)
            .replace("<aws.scheduler.execution-id>", str(uuid.uuid4()))
            .replace("<aws.scheduler.schedule-arn>", schedule_arn)
            .replace("<aws.scheduler.attempt-number>", "1")
        )
        event: dict[str, Any] = json.loads(text)
        return event
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": stamp,
        "region": region,
        "resources": [f"arn:aws:events:{region}:123456789012:rule/local-{spec.name}"],
        "detail": json.loads(spec.input) if spec.input else {},
    }


class SchedulerTicker:
    """A thread that invokes `call(event)` every `interval` seconds (0 = on demand only)."""

    def __init__(self, spec: ScheduleSpec, call: Callable[[dict[str, Any]], Any], region: str) -> None:
        self.spec = spec
        self.call = call
        self.region = region
        self.ticks = 0
        self.last_result: Any = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"tick-{spec.function_id}", daemon=True)

    def start(self) -> None:
        if self.spec.interval_seconds > 0:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def tick(self) -> Any:
        """One tick now; ticks never overlap (Lambda would run them concurrently, but the domain dedups)."""
        with self._lock:
            self.last_result = self.call(schedule_event(self.spec, region=self.region))
            self.ticks += 1
            return self.last_result

    def _run(self) -> None:
        while not self._stop.wait(self.spec.interval_seconds):
            try:
                self.tick()
            except Exception:
                print(f"[scheduler] tick of {self.spec.function_id} failed:\n{traceback.format_exc()}", file=sys.stderr)
