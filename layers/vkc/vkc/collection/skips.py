"""Record what VK would not give us, once per job and object."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from vkc.db.models_collection import SkippedObject
from vkc.vk.harvest import Skipped


def skipped_ref(item: Skipped) -> tuple[str, str]:
    if item.comment_id is not None:
        return "thread", f"{item.owner_id}_{item.post_id}_{item.comment_id}"
    if item.post_id is not None:
        return "post", f"{item.owner_id}_{item.post_id}"
    return "wall", str(item.owner_id)


def record_skips(
    session: Session,
    *,
    workspace_id: uuid.UUID,
    job_id: uuid.UUID,
    skipped: Iterable[Skipped],
    failed: Iterable[tuple[str, str, str]] = (),
) -> None:
    """`skipped` carry VK's code; `failed` are (object_type, object_ref, reason) that no retry fixed."""
    rows = []
    for item in skipped:
        kind, ref = skipped_ref(item)
        rows.append(
            {
                "workspace_id": workspace_id,
                "job_id": job_id,
                "object_type": kind,
                "object_ref": ref,
                "error_code": item.code,
                "reason": item.reason,
            }
        )
    for kind, ref, reason in failed:
        rows.append(
            {
                "workspace_id": workspace_id,
                "job_id": job_id,
                "object_type": kind,
                "object_ref": ref,
                "error_code": None,
                "reason": reason,
            }
        )
    if rows:
        session.execute(
            pg_insert(SkippedObject)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["job_id", "object_type", "object_ref"])
        )
