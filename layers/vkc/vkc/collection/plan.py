"""The root task of a `collect` job: check the community, then hand the walk to a harvest task."""

from __future__ import annotations

from sqlalchemy import func, update

from vkc.collection.harvest_task import HARVEST_TASK, root_task_id, send_tasks, window_of
from vkc.collection.schemas import CollectPayload
from vkc.db.models import Job
from vkc.db.models_collection import Community, MonitoringRun
from vkc.errors import PermanentJobError
from vkc.jobs.context import TaskContext
from vkc.jobs.fanout import NewTask, add_tasks
from vkc.jobs.outcomes import DEFERRED, Deferred


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
    # a re-delivered root sends again: harmless, the harvest task flips exactly once
    send_tasks(ctx, [task])
    return DEFERRED
