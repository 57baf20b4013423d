"""The scheduler's composition place: the periodic duties and what each is built with.

Every duty is a plain function of `now`. This module builds the queue and the session factory once per
process and lists the duties the tick runs: jobs whose root message was lost (first: a tick killed in
the monitoring duty must not keep the next one from sweeping), monitoring runs that are due, and webhook
events whose delivery message was lost, and last, jobs that finished longer ago than the retention
period (with their runs and tasks).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import redis
from sqlalchemy.orm import Session, sessionmaker

from vkc.adapters.aws import sqs
from vkc.adapters.redis_client import get_redis
from vkc.adapters.sqs_queue import SqsTaskQueue
from vkc.db.engine import get_engine
from vkc.jobs.outbox import resend_lost_jobs
from vkc.jobs.retention import delete_old_jobs
from vkc.monitoring.schedule import queue_due_monitoring
from vkc.scheduling import Duty
from vkc.settings import Settings
from vkc.webhooks.outbox import requeue_stalled_events
from vkc.wiring.catalogue import JOBS
from vkc.wiring.once import PerSettings


class SchedulerDeps:
    """What the duties share in one process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sessions: sessionmaker[Session] = sessionmaker(bind=get_engine(settings))
        self.queue = SqsTaskQueue(settings, sqs(settings.aws_region))
        self.redis: redis.Redis = get_redis(settings)

    def duties(self) -> dict[str, Duty]:
        return {
            "job_outbox": self.job_outbox,
            "monitoring": self.monitoring,
            "webhook_outbox": self.webhook_outbox,
            "retention": self.retention,
        }

    def job_outbox(self, now: datetime) -> dict[str, Any]:
        with self.sessions() as session:
            return resend_lost_jobs(session, self.queue, JOBS, now)

    def monitoring(self, now: datetime) -> dict[str, Any]:
        with self.sessions(expire_on_commit=False) as session:
            return queue_due_monitoring(session, self.queue, now)

    def webhook_outbox(self, now: datetime) -> dict[str, Any]:
        stale_after = timedelta(seconds=self.settings.webhook_requeue_after_s)
        with self.sessions() as session:
            return requeue_stalled_events(session, self.queue, now, stale_after=stale_after)

    def retention(self, now: datetime) -> dict[str, Any]:
        with self.sessions() as session:
            return delete_old_jobs(session, now, keep=timedelta(days=self.settings.job_retention_days))


#: built on the first tick of the process (nothing connects until a duty runs)
scheduler_deps = PerSettings(SchedulerDeps)
