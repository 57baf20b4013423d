"""An export's checkpoint: how far it got, kept in `jobs.progress` and moved only by compare-and-set.

It is the source of truth across invocations and redeliveries. It names the multipart upload, every
part shipped with its ETag, the keyset position of the last row those parts hold, the rows and bytes
in them, and the writer's state (the XLSX zip). A part is uploaded first and recorded second, in the
transaction that also moves the cursor: a run killed in between re-sends that part under the same
number (S3 replaces it), so no row is lost or written twice.

Who may write: one run at a time holds a lease (`owner`, `lease_until`); every save is conditional on
the `version` the run last saw, so a twin delivery that lost the race cannot move the checkpoint, and a
run that outlived its lease (another took over) stops at its next save. A save also requires the job
to be open, so a cancelled export stops at its next part.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from vkc.db.models import Job
from vkc.jobs.schemas import JobStatus

_OPEN = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


@dataclass(slots=True)
class Checkpoint:
    upload_id: str
    filename: str
    total: int  # rows the filters matched when the export started (what progress is measured against)
    version: int = 0
    runs: int = 1
    parts: list[list[Any]] = field(default_factory=list)  # [[number, etag], …]
    after: str | None = None  # `Position.encode()` of the last row in the shipped parts
    rows: int = 0
    bytes: int = 0
    writer: dict[str, Any] = field(default_factory=dict)
    complete: bool = False  # every row shipped: only CompleteMultipartUpload is left
    #: a paused run's last bytes when fewer than S3's 5 MiB part minimum: an object the next run reads back
    tail_key: str | None = None
    started: float = 0.0  # epoch seconds of the first run
    owner: str | None = None
    lease_until: float = 0.0  # epoch seconds

    def to_progress(self) -> dict[str, Any]:
        return {"unit": "rows", "done": self.rows, "total": self.total, "run": self.runs, "export": asdict(self)}

    @classmethod
    def of(cls, job: Job) -> Checkpoint | None:
        raw = (job.progress or {}).get("export")
        return cls(**raw) if raw else None


def load(session: Session, job_id: uuid.UUID) -> tuple[str, Checkpoint | None]:
    """The job's status and checkpoint, read fresh from the database."""
    job = session.execute(select(Job).where(Job.id == job_id).execution_options(populate_existing=True)).scalar_one()
    return job.status, Checkpoint.of(job)


def create(session: Session, job_id: uuid.UUID, checkpoint: Checkpoint) -> bool:
    """Store the first checkpoint; False when another run stored one first (or the job is closed)."""
    done = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(_OPEN), ~Job.progress.has_key("export"))
        .values(progress=checkpoint.to_progress())
        .returning(Job.id)
    ).first()
    return done is not None


def save(session: Session, job_id: uuid.UUID, checkpoint: Checkpoint) -> bool:
    """Write `checkpoint` as version+1 if the stored one is still the version it was read at."""
    expected = checkpoint.version
    checkpoint.version += 1
    done = session.execute(
        update(Job)
        .where(
            and_(
                Job.id == job_id,
                Job.status.in_(_OPEN),
                Job.progress["export"]["version"].as_integer() == expected,
            )
        )
        .values(progress=checkpoint.to_progress())
        .returning(Job.id)
    ).first()
    if done is None:
        checkpoint.version = expected
    return done is not None


def lease_free(checkpoint: Checkpoint, now: float | None = None) -> bool:
    now = datetime.now(UTC).timestamp() if now is None else now
    return checkpoint.owner is None or checkpoint.lease_until < now
