"""The one-active-collection migration upgrades a database where the old race had left duplicates."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from vkc.db.engine import make_engine
from vkc.settings import Settings

from tests.support.migrations import insert_workspace_and_community, migrate_to, migration_revisions, scratch

__all__ = ["scratch"]  # the fixture


def test_duplicates_are_cancelled_and_collections_name_their_community(scratch: Settings) -> None:
    this, before = migration_revisions("_one_active_collection.py")
    migrate_to(scratch, before)
    ws, community = uuid.uuid4(), uuid.uuid4()
    oldest, newer, finished = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    engine = make_engine(scratch)
    try:
        with engine.begin() as conn:
            insert_workspace_and_community(conn, ws, community)
            for job_id, status, age in [(oldest, "running", 3), (newer, "queued", 2), (finished, "succeeded", 1)]:
                conn.execute(
                    text(
                        "INSERT INTO jobs (id, workspace_id, type, priority, status, payload, attempts, created_at) "
                        "VALUES (:id, :ws, 'collect', 'high', :status, CAST(:payload AS jsonb), 0, "
                        "now() - make_interval(mins => :age))"
                    ),
                    {
                        "id": job_id,
                        "ws": ws,
                        "status": status,
                        "payload": f'{{"community_id": "{community}"}}',
                        "age": age,
                    },
                )
            conn.execute(
                text(
                    "INSERT INTO monitoring_runs (id, workspace_id, community_id, job_id) "
                    "VALUES (gen_random_uuid(), :ws, :c, :job)"
                ),
                {"ws": ws, "c": community, "job": newer},
            )

        migrate_to(scratch, this)

        with engine.connect() as conn:
            rows = {
                r.id: r
                for r in conn.execute(
                    text("SELECT id, status, community_id, error FROM jobs WHERE workspace_id = :ws"), {"ws": ws}
                )
            }
            run = conn.execute(
                text("SELECT outcome, finished_at FROM monitoring_runs WHERE job_id = :j"), {"j": newer}
            ).one()
    finally:
        engine.dispose()
    assert {r.community_id for r in rows.values()} == {community}
    assert (rows[oldest].status, rows[newer].status, rows[finished].status) == ("running", "cancelled", "succeeded")
    assert rows[newer].error["code"] == "duplicate_collection"
    assert run.outcome == "cancelled"
    assert run.finished_at is not None
