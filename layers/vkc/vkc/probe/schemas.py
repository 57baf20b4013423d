"""The probe job's request: which dependencies to check."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vkc.jobs.spec import JobSpec
from vkc.settings import Priority, WorkerKind


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


PROBE_JOB = JobSpec("probe", WorkerKind.PARSE, Priority.HIGH, ProbePayload)
