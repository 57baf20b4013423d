"""Jobs that finished longer ago than the retention period are deleted with their runs and tasks;
nothing still in use is.

The sweep looks at every job of the database, so this module has a database of its own.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from vkc.db.engine import make_engine
from vkc.db.migrate import upgrade_to_head
from vkc.db.models import Job
from vkc.db.models_collection import CollectionTask, Community, MonitoringRun, SkippedObject
from vkc.db.models_webhooks import Webhook, WebhookEvent
from vkc.jobs.retention import delete_old_jobs
from vkc.settings import Settings
from vkc.wiring.scheduler import SchedulerDeps
from vkc.workspaces.service import create_workspace

from devtools.local_stack.template import load_template
from devtools.pg import create_database, drop_database
from tests.support.racing import race

KEEP = timedelta(days=30)


@pytest.fixture(scope="module")
def db(run_id: str, settings: Settings) -> Iterator[Engine]:
    name = f"vkc_t_{run_id}_r{uuid.uuid4().hex[:6]}"
    create_database(name)
    mine = settings.model_copy(update={"db_name": name})
    upgrade_to_head(mine)
    engine = make_engine(mine, pool_size=8)
    yield engine
    engine.dispose()
    drop_database(name)


@pytest.fixture(autouse=True)
def empty(db: Engine) -> None:
    with db.begin() as conn:
        conn.execute(text("DELETE FROM jobs"))


@dataclass
class World:
    workspace_id: uuid.UUID
    community_id: uuid.UUID
    webhook_id: uuid.UUID


@pytest.fixture
def world(db: Engine) -> World:
    with Session(db, expire_on_commit=False) as s:
        workspace_id = create_workspace(s, f"retention-{uuid.uuid4().hex[:6]}")[0].id
        community = Community(
            id=uuid.uuid4(), workspace_id=workspace_id, vk_id=1, name="c", type="group", source_input="c"
        )
        webhook = Webhook(
            id=uuid.uuid4(), workspace_id=workspace_id, url="https://example.org/h", secret_name="s", secret_hint="h"
        )
        s.add_all([community, webhook])
        s.commit()
    return World(workspace_id, community.id, webhook.id)


def job(
    db: Engine,
    w: World,
    *,
    status: str,
    finished_days_ago: float | None,
    collect: bool = True,
    created_days_ago: float = 0,
) -> uuid.UUID:
    """A collection (with its monitoring run, harvest task and a skipped object) or an export."""
    now = datetime.now(UTC)
    job_id = uuid.uuid4()
    with Session(db) as s:
        s.add(
            Job(
                id=job_id, workspace_id=w.workspace_id, type="collect" if collect else "export", priority="normal",
                status=status, payload={}, community_id=w.community_id if collect else None,
                created_at=now - timedelta(days=max(created_days_ago, finished_days_ago or 0)),
                finished_at=None if finished_days_ago is None else now - timedelta(days=finished_days_ago),
            )
        )  # fmt: skip
        s.flush()
        if collect:
            s.add_all(
                [
                    MonitoringRun(workspace_id=w.workspace_id, community_id=w.community_id, job_id=job_id),
                    CollectionTask(id=f"{job_id}:harvest", job_id=job_id, kind="harvest"),
                    SkippedObject(
                        workspace_id=w.workspace_id, job_id=job_id, object_type="post", object_ref="-1_1",
                        reason="comments closed",
                    ),
                ]
            )  # fmt: skip
        s.commit()
    return job_id


def event(db: Engine, w: World, job_id: uuid.UUID, status: str) -> uuid.UUID:
    event_id = uuid.uuid4()
    with Session(db) as s:
        s.add(
            WebhookEvent(
                id=event_id, workspace_id=w.workspace_id, webhook_id=w.webhook_id, type="new_matches", payload={},
                status=status, job_id=job_id,
            )
        )  # fmt: skip
        s.commit()
    return event_id


def remaining(db: Engine) -> set[uuid.UUID]:
    with Session(db) as s:
        return set(s.scalars(select(Job.id)))


def count(db: Engine, model: type, job_id: uuid.UUID) -> int:
    with Session(db) as s:
        return int(s.scalar(select(func.count()).select_from(model).where(model.job_id == job_id)) or 0)  # type: ignore[attr-defined]


def sweep(db: Engine, **kw: object) -> dict[str, object]:
    with Session(db) as s:
        return delete_old_jobs(s, datetime.now(UTC), keep=KEEP, **kw)  # type: ignore[arg-type]


def test_old_finished_jobs_go_with_their_runs_and_tasks_and_nothing_in_use_does(db: Engine, world: World) -> None:
    old = [job(db, world, status=s, finished_days_ago=31) for s in ("succeeded", "failed", "cancelled")]
    old_export = job(db, world, status="succeeded", finished_days_ago=45, collect=False)
    recent = job(db, world, status="succeeded", finished_days_ago=29)
    queued_long = job(db, world, status="queued", finished_days_ago=None, created_days_ago=60)
    running_long = job(db, world, status="running", finished_days_ago=None, created_days_ago=60, collect=False)
    delivering = job(db, world, status="succeeded", finished_days_ago=40)  # its event is still pending
    pending = event(db, world, delivering, "pending")
    delivered_by = job(db, world, status="succeeded", finished_days_ago=40)
    delivered = event(db, world, delivered_by, "delivered")

    summary = sweep(db)

    assert summary["deleted"] == 5
    assert summary["deleted_by_type"] == {"collect": 4, "export": 1}
    assert remaining(db) == {recent, queued_long, running_long, delivering}
    for gone in [*old, delivered_by]:
        assert [count(db, m, gone) for m in (MonitoringRun, CollectionTask, SkippedObject)] == [0, 0, 0]
    for kept in (recent, queued_long, delivering):
        assert [count(db, m, kept) for m in (MonitoringRun, CollectionTask, SkippedObject)] == [1, 1, 1]
    with Session(db) as s:
        assert s.get_one(WebhookEvent, delivered).job_id is None  # the delivery record stays
        assert s.get_one(WebhookEvent, pending).job_id == delivering
        assert s.get_one(Community, world.community_id) is not None
    assert old_export not in remaining(db)

    assert sweep(db)["deleted"] == 0  # idempotent


def test_a_sweep_past_its_budget_leaves_the_rest_oldest_first_to_the_next(db: Engine, world: World) -> None:
    jobs = [job(db, world, status="succeeded", finished_days_ago=100 - i) for i in range(7)]  # oldest first

    first = sweep(db, batch=3, budget_s=0)
    assert (first["deleted"], first["batches"], first["more_left"]) == (3, 1, True)
    assert remaining(db) == set(jobs[3:])

    second = sweep(db, batch=3)
    assert (second["deleted"], second["batches"], second["more_left"]) == (4, 2, False)
    assert remaining(db) == set()


def test_overlapping_sweeps_delete_each_job_once_and_leave_none(db: Engine, world: World) -> None:
    jobs = {job(db, world, status="succeeded", finished_days_ago=40) for _ in range(60)}
    keep = job(db, world, status="succeeded", finished_days_ago=1)

    outcomes = race(db, [lambda s: delete_old_jobs(s, datetime.now(UTC), keep=KEEP, batch=5) for _ in range(6)])

    assert outcomes.errors == []
    assert sum(int(o["deleted"]) for o in outcomes.results) == len(jobs)
    assert remaining(db) == {keep}


def test_a_job_held_by_another_transaction_is_skipped_not_waited_for(db: Engine, world: World) -> None:
    """A redrive reopening a failed job holds its row: the sweep passes it by and deletes the rest."""
    held, _free = (job(db, world, status="failed", finished_days_ago=40) for _ in range(2))
    with Session(db) as holder:
        holder.execute(select(Job).where(Job.id == held).with_for_update())
        done = threading.Event()
        result: dict[str, object] = {}

        def sweeping() -> None:
            result.update(sweep(db))
            done.set()

        threading.Thread(target=sweeping, daemon=True).start()
        assert done.wait(30), "the sweep waited for a row lock"
        holder.rollback()
    assert result["deleted"] == 1
    assert remaining(db) == {held}


def test_the_scheduler_runs_retention_with_the_configured_period(db: Engine, settings: Settings) -> None:
    deps = SchedulerDeps.__new__(SchedulerDeps)  # the duty needs only settings and sessions (no SQS, no Redis)
    deps.settings = settings.model_copy(update={"job_retention_days": 15})
    deps.sessions = lambda **kw: Session(db, **kw)  # type: ignore[assignment, method-assign]
    with Session(db, expire_on_commit=False) as s:
        workspace_id = create_workspace(s, f"retention-{uuid.uuid4().hex[:6]}")[0].id
        s.commit()
    w = World(workspace_id, uuid.uuid4(), uuid.uuid4())
    older = job(db, w, status="succeeded", finished_days_ago=16, collect=False)
    newer = job(db, w, status="succeeded", finished_days_ago=14, collect=False)

    assert "retention" in deps.duties()
    summary = deps.duties()["retention"](datetime.now(UTC))

    assert summary["deleted"] == 1
    assert older not in remaining(db)
    assert newer in remaining(db)


def test_the_shortest_retention_period_outlives_dead_letters_and_export_files() -> None:
    """Nothing the template keeps can still name a job the sweep may delete."""
    resources = load_template()["Resources"]
    [shortest] = [m.ge for m in Settings.model_fields["job_retention_days"].metadata if hasattr(m, "ge")]
    queues = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::SQS::Queue"]
    longest_message_days = max(q.get("MessageRetentionPeriod", 345_600) for q in queues) / 86_400
    [export_days] = [
        rule["ExpirationInDays"]
        for rule in resources["ExportsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
        if "ExpirationInDays" in rule
    ]
    assert shortest > longest_message_days  # dead letters (14 days)
    assert shortest > export_days
    with pytest.raises(ValueError, match=str(shortest)):
        Settings(job_retention_days=shortest - 1)
