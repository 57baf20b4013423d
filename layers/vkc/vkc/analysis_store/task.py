"""The detached `analyze.comments` task, and how the collection queues it.

Contract: message `{job_id, task: "analyze.comments", task_id, params: {"comment_ids": [int, …]}}` on
an analyze queue (≤ 5,000 ids per message, as sent and as accepted). The comments are read in the
job's workspace only; ids of other workspaces are ignored. The task is detached: it runs whether the
job that stored the comments is still running or long finished, and never changes that job.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from vkc import observability
from vkc.analysis_store.hooks import STORING_JOB_KEY
from vkc.cache import invalidate_workspace_reads
from vkc.jobs.context import TaskContext
from vkc.jobs.schemas import TaskMessage
from vkc.settings import WorkerKind

log = logging.getLogger(__name__)

ANALYZE_TASK = "analyze.comments"
#: Comments per message, each analyzed in one transaction. Why 5,000, not 1,000: each task pays a fixed
#: part (its reads, the analysis process's fill at the start and drain at the end, the commit), so
#: larger tasks analyze more comments per second (interleaved bench pairs: 1,000 → 2,500 ids +12 %,
#: 2,500 → 5,000 +8 %, 7 of 8 pairs each). A workspace's analyses are serialized anyway (the duplicate
#: lock), so fewer, larger messages also keep fewer workers waiting on that lock. The cost: a task holds
#: its rows for about a second, and a failed one analyzes 5,000 again. A batch of 10 messages is at most
#: 50,000 comments, well within the worker's 60 s at the in-process rate (about 3,000/s).
IDS_PER_MESSAGE = 5_000
MAX_IDS = 5_000


def queue_analysis(ctx: TaskContext, comment_ids: Sequence[int]) -> int:
    """Send analyze messages for these comments at the job's priority; returns the number of messages."""
    ids = sorted(set(comment_ids))
    chunks = [ids[i : i + IDS_PER_MESSAGE] for i in range(0, len(ids), IDS_PER_MESSAGE)]
    for n, chunk in enumerate(chunks):
        ctx.deps.queue.send(
            WorkerKind.ANALYZE,
            ctx.priority,
            TaskMessage(
                job_id=ctx.job_id,
                task=ANALYZE_TASK,
                task_id=f"{ctx.message.task_id}.a{n}",
                params={"comment_ids": chunk},
            ),
            correlation_id=ctx.correlation_id,
            workspace_id=str(ctx.workspace_id),
            job_type=ctx.job_type,
        )
    return len(chunks)


def run_analyze_task(ctx: TaskContext) -> None:
    # the engine loads in the worker that analyzes, not in the parse worker that only queues (cold start)
    from vkc.analysis_store.apply import Scope, analyze_comments

    ids = ctx.message.params.get("comment_ids")
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        log.error("analyze task without a list of comment ids; dropped", extra={"task_id": ctx.message.task_id})
        return
    if len(ids) > MAX_IDS:
        log.error("analyze task with %d ids (limit %d); dropped", len(ids), MAX_IDS)
        return
    with ctx.deps.sessions() as session, session.begin():
        session.info[STORING_JOB_KEY] = (ctx.job_id, ctx.correlation_id)  # alerts go out under this job
        counts = analyze_comments(
            session, ctx.workspace_id, Scope(ids=ids), source="collection", events=ctx.deps.events
        )
    observability.count(observability.COMMENTS_ANALYZED, counts.analyzed)
    if counts.analyzed:  # scores and matches changed: the API's cached statistics are stale
        invalidate_workspace_reads(ctx.deps.settings, ctx.deps.redis, ctx.workspace_id)
    log.info("comments analyzed", extra={"task_id": ctx.message.task_id, **counts.as_dict()})
