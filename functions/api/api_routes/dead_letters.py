"""/v1/dead-letters: work that exhausted its retries, with the reason; redrive once the cause is fixed."""

from __future__ import annotations

import uuid

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict, Field
from vkc import observability
from vkc.deadletters.service import DeadLetter, RedriveResult, list_dead_letters, redrive

from api_routes.deps import deps, principal

router = Router()


class DeadLetterList(BaseModel):
    items: list[DeadLetter]


class RedriveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_id: uuid.UUID | None = Field(default=None, description="Only this job's dead letters; all when omitted.")


@router.get("/dead-letters", summary="Dead letters of this workspace, newest first, with the reason", tags=["jobs"])
def dead_letters() -> DeadLetterList:
    who = principal(router)
    with deps().transaction() as session:
        items = list_dead_letters(session, deps().dead_letter_queues(), who.workspace_id)
    observability.count(observability.DEAD_LETTERS, len(items), action="listed")
    return DeadLetterList(items=items)


@router.post(
    "/dead-letters/redrive",
    summary="Send dead letters back to their queues",
    description="Jobs that failed only because their retries ran out are reopened and finish normally.",
    tags=["jobs"],
)
def redrive_dead_letters(body: RedriveRequest) -> RedriveResult:
    who = principal(router)
    with deps().sessions() as session:
        result = redrive(session, deps().dead_letter_queues(), who.workspace_id, job_id=body.job_id)
    observability.count(observability.DEAD_LETTERS, result.redriven, action="redriven")
    return result
