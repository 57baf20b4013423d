"""Fan-out and fan-in of a job's tasks, exactly once.

A task row flips from `pending` to `done` once; only the transaction that flips it advances the job's
`tasks_done`. Children are inserted (and `tasks_total` raised) in the same transaction as their parent's
flip, so `tasks_done == tasks_total` is true exactly once: when the last task of the job finishes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from vkc.db.models import Job
from vkc.db.models_collection import CollectionTask


@dataclass(frozen=True, slots=True)
class NewTask:
    id: str
    kind: str
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class FanIn:
    tasks_done: int
    tasks_total: int

    @property
    def last(self) -> bool:
        return self.tasks_done >= self.tasks_total


def add_tasks(session: Session, job_id: uuid.UUID, tasks: list[NewTask]) -> int:
    """Insert tasks not already there and count them into the job's total; returns how many were new."""
    if not tasks:
        return 0
    inserted = session.execute(
        pg_insert(CollectionTask)
        .values(
            [{"id": t.id, "job_id": job_id, "kind": t.kind, "params": t.params, "status": "pending"} for t in tasks]
        )
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(CollectionTask.id)
    ).all()
    if inserted:
        session.execute(update(Job).where(Job.id == job_id).values(tasks_total=Job.tasks_total + len(inserted)))
    return len(inserted)


def complete_task(
    session: Session, job_id: uuid.UUID, task_id: str, *, counts: dict[str, Any], status: str = "done"
) -> FanIn | None:
    """Flip the task; None when it was already finished (a duplicate delivery)."""
    flipped = session.execute(
        update(CollectionTask)
        .where(CollectionTask.id == task_id, CollectionTask.status == "pending")
        .values(status=status, counts=counts, finished_at=func.now(), attempts=CollectionTask.attempts + 1)
        .returning(CollectionTask.id)
    ).first()
    if flipped is None:
        return None
    row = session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(tasks_done=Job.tasks_done + 1)
        .returning(Job.tasks_done, Job.tasks_total)
    ).one()
    return FanIn(tasks_done=row.tasks_done, tasks_total=row.tasks_total)


def pending_children(session: Session, parent_id: str) -> list[NewTask]:
    """Children of a finished task still pending: re-sent when the parent's message comes again,
    in case the first delivery committed but died before sending them."""
    rows = session.scalars(
        select(CollectionTask).where(CollectionTask.id.like(f"{parent_id}.%"), CollectionTask.status == "pending")
    ).all()
    return [NewTask(r.id, r.kind, r.params) for r in rows if r.id.count(".") == parent_id.count(".") + 1]


def job_unfinished_with_all_tasks_done(session: Session, job_id: uuid.UUID) -> bool:
    """True when every task of the job is finished but the job is still queued or running."""
    row = session.execute(select(Job.status, Job.tasks_done, Job.tasks_total).where(Job.id == job_id)).first()
    return row is not None and row.status in ("queued", "running") and row.tasks_done >= row.tasks_total


def task_totals(session: Session, job_id: uuid.UUID) -> dict[str, int]:
    """Sum of the numeric counts every finished task recorded (exact: each task counts once)."""
    totals: dict[str, int] = {}
    for counts in session.scalars(
        select(CollectionTask.counts).where(CollectionTask.job_id == job_id, CollectionTask.status != "pending")
    ):
        for key, value in counts.items():
            if isinstance(value, int):
                totals[key] = totals.get(key, 0) + value
    return totals
