"""What a collection job is asked to do."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator
from sqlalchemy.orm import Session

from vkc.jobs.spec import JobSpec
from vkc.settings import Priority, WorkerKind
from vkc.wire_types import JSON_INT, IsoAwareDatetime


class CollectPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community_id: uuid.UUID = Field(description="The community to collect (an id from /v1/communities).")
    since: IsoAwareDatetime | None = Field(default=None, description="Only posts published at or after this time.")
    until: IsoAwareDatetime | None = Field(default=None, description="Only posts published at or before this time.")
    max_posts: Annotated[int, Field(ge=1, le=100_000), JSON_INT] | None = Field(
        default=None, description="At most this many newest posts."
    )
    include_threads: StrictBool = Field(default=True, description="Also fetch replies in threads (default yes).")
    origin: Literal["api", "monitoring", "retry"] = Field(default="api", description="Who started it.")

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.since and self.until and self.since > self.until:
            raise ValueError("since must not be after until")
        return self

    def unix_window(self) -> tuple[int | None, int | None]:
        def ts(value: datetime | None) -> int | None:
            return int(value.timestamp()) if value else None

        return ts(self.since), ts(self.until)


def _resume(session: Session, workspace_id: uuid.UUID, payload: dict[str, Any]) -> dict[str, Any]:
    """A retried collection resumes from its predecessor's per-post cursors (nothing is fetched twice)."""
    return {**payload, "origin": "retry"}


#: one queued or running collection per community: the database keeps it (`ONE_ACTIVE_COLLECTION`)
COLLECT_JOB = JobSpec("collect", WorkerKind.PARSE, Priority.HIGH, CollectPayload, on_retry=_resume)
