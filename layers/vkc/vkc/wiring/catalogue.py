"""The catalogue: every job type the product runs, and which function serves each task.

Job specs (worker, default priority, payload model) are declared by the features that own them; this
module only lists them. Handlers are "module:function" targets imported on a task type's first use
(`vkc.jobs.registry.LazyHandlers`), so a worker never loads what only the other worker's tasks need.
tests/unit/test_task_registry.py imports every target and checks its signature and names.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from vkc.analysis_store.schemas import REANALYZE_JOB
from vkc.collection.schemas import COLLECT_JOB
from vkc.communities.schemas import COMMUNITIES_IMPORT_JOB
from vkc.exports.schemas import EXPORT_JOB
from vkc.jobs.registry import LazyHandlers, TaskRegistry
from vkc.jobs.spec import JobSpec
from vkc.probe.schemas import PROBE_JOB
from vkc.settings import Priority

JOBS: dict[str, JobSpec] = {
    spec.name: spec for spec in (PROBE_JOB, COMMUNITIES_IMPORT_JOB, COLLECT_JOB, REANALYZE_JOB, EXPORT_JOB)
}


class JobType(StrEnum):
    """The job types a client may submit (the API's enum; a unit test keeps it equal to `JOBS`)."""

    PROBE = PROBE_JOB.name
    COMMUNITIES_IMPORT = COMMUNITIES_IMPORT_JOB.name
    COLLECT = COLLECT_JOB.name
    REANALYZE = REANALYZE_JOB.name
    EXPORT = EXPORT_JOB.name


def _job_request(spec: JobSpec) -> type[BaseModel]:
    """The body of POST /v1/jobs for one job type: its payload is that type's payload model."""
    try:
        spec.payload_model.model_validate({})
        payload: Any = (
            spec.payload_model,
            Field(default_factory=spec.payload_model, description="Type-specific parameters."),
        )
    except ValidationError:
        payload = (spec.payload_model, Field(description="Type-specific parameters."))
    name = "".join(part.title() for part in spec.name.replace(".", "_").split("_")) + "JobCreate"
    this_type: Any = Literal[spec.name]
    model: type[BaseModel] = create_model(
        name,
        __config__=ConfigDict(extra="forbid"),
        type=(this_type, Field(description="What to do.")),
        priority=(Priority | None, Field(default=None, description="Queue to use; the type's default if omitted.")),
        payload=payload,
    )
    return model


#: `POST /v1/jobs`'s body: one model per job type, told apart by `type` (the spec states each payload)
JOB_REQUEST: Any = Annotated[
    Union[tuple(_job_request(spec) for spec in JOBS.values())],  # noqa: UP007 - a Union of a runtime tuple
    Field(discriminator="type"),
]


class JobCreate(BaseModel):
    """`POST /v1/jobs`: any job type, with its type-specific payload."""

    model_config = ConfigDict(extra="forbid")

    type: JobType = Field(description="What to do.")
    priority: Priority | None = Field(default=None, description="Queue to use; the type's default if omitted.")
    payload: dict[str, Any] = Field(default_factory=dict, description="Type-specific parameters.")


REGISTRY = TaskRegistry(
    roots=LazyHandlers(
        {
            PROBE_JOB.name: "vkc.probe.task:run_probe",
            COLLECT_JOB.name: "vkc.collection.plan:start_collection",
            COMMUNITIES_IMPORT_JOB.name: "vkc.communities.importer:run_communities_import",
            REANALYZE_JOB.name: "vkc.analysis_store.reanalysis:run_reanalysis",
            EXPORT_JOB.name: "vkc.exports.task:run_export",
        }
    ),
    # Sub-task names are the constants of their modules (HARVEST_TASK, …), written out here so that
    # knowing them imports nothing; the registry test keeps the two equal.
    tasks=LazyHandlers(
        {
            "collect.harvest": "vkc.collection.harvest_task:run_harvest_task",
            "communities.import.continue": "vkc.communities.importer:continue_communities_import",
            "exports.continue": "vkc.exports.task:continue_export",
            "reanalyze.range": "vkc.analysis_store.reanalysis:run_range",
        }
    ),
    detached=LazyHandlers(
        {
            "analyze.comments": "vkc.analysis_store.task:run_analyze_task",
            "webhooks.deliver": "vkc.webhooks.delivery:run_delivery_task",
        }
    ),
    closed=LazyHandlers({EXPORT_JOB.name: "vkc.exports.task:clean_up_closed_export"}),
)
