"""The root task of a `collect` job: check the community, record the harvest task, and run it.

The harvest task runs in the root's own delivery instead of being sent as a second message: a
monitoring run that finds nothing new is then one message and one invocation, not two (50,000
communities every 30 minutes is 2.4 M runs a day). The harvest task stays a row of its own, so
everything it guarantees holds: a redelivered root finds it recorded (`ON CONFLICT DO NOTHING`)
and runs it again, which either redoes the walk (it was not finished) or finds it done and re-sends
its children; continuations and waits are still messages of their own.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, update

from vkc.collection.harvest_task import HARVEST_TASK, root_task_id, run_harvest_task, window_of
from vkc.collection.schemas import CollectPayload
from vkc.db.models import Job
from vkc.db.models_collection import Community, MonitoringRun
from vkc.errors import PermanentJobError
from vkc.jobs.context import TaskContext
from vkc.jobs.fanout import NewTask, add_tasks
from vkc.jobs.outcomes import DEFERRED, Deferred
from vkc.jobs.schemas import TaskMessage


def start_collection(ctx: TaskContext) -> Deferred:
    payload = CollectPayload.model_validate(ctx.payload)
    with ctx.deps.sessions() as session, session.begin():
        community = session.get(Community, payload.community_id)
        if community is None or community.workspace_id != ctx.workspace_id:
            raise PermanentJobError("The community no longer exists.")
        if not community.can_collect:
            raise PermanentJobError(
                f"Community {community.vk_id} cannot be collected: {community.cannot_collect_reason}"
            )
        session.execute(update(Job).where(Job.id == ctx.job_id).values(community_id=community.id))
        # a monitoring run starts when its job does, not when it was queued
        session.execute(
            update(MonitoringRun)
            .where(MonitoringRun.job_id == ctx.job_id, MonitoringRun.started_at.is_(None))
            .values(started_at=func.now())
        )
        task = NewTask(root_task_id(ctx.job_id), HARVEST_TASK, {"window": window_of(payload).model_dump()})
        add_tasks(session, ctx.job_id, [task])
    # the harvest task in this delivery, as its own message would run it: the task flips exactly once
    message = TaskMessage(job_id=ctx.job_id, task=HARVEST_TASK, task_id=task.id, params=task.params)
    run_harvest_task(dataclasses.replace(ctx, message=message))
    return DEFERRED
