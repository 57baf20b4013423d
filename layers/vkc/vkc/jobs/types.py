"""The catalogue of job types: which worker runs each, at which default priority, with which payload."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from vkc.analysis_store.schemas import ReanalyzePayload
from vkc.collection.schemas import CollectPayload
from vkc.communities.upload import MAX_UPLOAD_BYTES, UploadFormat
from vkc.exports.schemas import ExportRequest
from vkc.settings import Priority, WorkerKind


class JobType(StrEnum):
    PROBE = "probe"
    COMMUNITIES_IMPORT = "communities.import"
    COLLECT = "collect"
    REANALYZE = "reanalyze"
    EXPORT = "export"


class ProbePayload(BaseModel):
    """Check the dependencies a collection needs and record what was found.

    A real first job: it exercises the whole path (API → queue → worker → database) and leaves a
    useful record (latencies, queue depths, VK API reachability) for operators.
    """

    model_config = ConfigDict(extra="forbid")

    checks: list[str] = Field(
        default_factory=lambda: ["database", "redis", "queues", "vk_api"],
        description="Which dependencies to check: database, redis, queues, vk_api.",
        min_length=1,
    )


class CommunitiesImportPayload(BaseModel):
    """A bulk upload of communities (txt or csv text), resolved through VK line by line into a report."""

    model_config = ConfigDict(extra="forbid")

    content: str = Field(
        description="The uploaded text (at most 1 MB, 10,000 communities).", max_length=MAX_UPLOAD_BYTES
    )
    format: UploadFormat | None = Field(default=None, description="txt or csv; guessed when omitted.")


@dataclass(frozen=True, slots=True)
class JobSpec:
    worker: WorkerKind
    default_priority: Priority
    payload_model: type[BaseModel]


JOB_SPECS: dict[JobType, JobSpec] = {
    JobType.PROBE: JobSpec(WorkerKind.PARSE, Priority.HIGH, ProbePayload),
    JobType.COMMUNITIES_IMPORT: JobSpec(WorkerKind.PARSE, Priority.LOW, CommunitiesImportPayload),
    JobType.COLLECT: JobSpec(WorkerKind.PARSE, Priority.HIGH, CollectPayload),
    JobType.REANALYZE: JobSpec(WorkerKind.ANALYZE, Priority.LOW, ReanalyzePayload),
    JobType.EXPORT: JobSpec(WorkerKind.ANALYZE, Priority.LOW, ExportRequest),
}
