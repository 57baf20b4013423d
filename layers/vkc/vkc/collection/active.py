"""One active collection per community: the check users see as a 409, and how a retried collection resumes."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from vkc.errors import Conflict
from vkc.jobs.queries import active_job_on_community

COLLECT = "collect"


def ensure_no_active_collection(session: Session, workspace_id: uuid.UUID, community_id: str) -> None:
    active = active_job_on_community(session, workspace_id, community_id, job_type=COLLECT)
    if active is not None:
        raise Conflict(
            f"A collection of this community is already active: job {active}.", extra={"job_id": str(active)}
        )


def prepare_retry(session: Session, workspace_id: uuid.UUID, payload: dict[str, Any]) -> dict[str, Any]:
    """A retried collection resumes from its predecessor's cursors, unless another one is already active."""
    ensure_no_active_collection(session, workspace_id, str(payload["community_id"]))
    return {**payload, "origin": "retry"}
