"""/v1/dead-letters: work that exhausted its retries, with the reason; redrive once the cause is fixed."""

from __future__ import annotations

import uuid
from functools import lru_cache

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from vkc import observability
from vkc.adapters.aws import sqs
from vkc.adapters.sqs_deadletters import SqsDeadLetterQueues
from vkc.db.engine import get_engine, session_scope
from vkc.deadletters.service import DeadLetter, RedriveResult, list_dead_letters, redrive
from vkc.settings import get_settings

from api_routes.deps import principal

router = Router()


@lru_cache(maxsize=1)
def _dlq() -> SqsDeadLetterQueues:
    settings = get_settings()
    return SqsDeadLetterQueues(settings, sqs(settings.aws_region))


class DeadLetterList(BaseModel):
    items: list[DeadLetter]


class RedriveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_id: uuid.UUID | None = Field(default=None, description="Only this job's dead letters; all when omitted.")


@router.get("/dead-letters", summary="Dead letters of this workspace, newest first, with the reason", tags=["jobs"])
def dead_letters() -> DeadLetterList:
    who = principal(router)
    with session_scope() as session:
        items = list_dead_letters(session, _dlq(), who.workspace_id)
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
    with Session(get_engine(), expire_on_commit=False) as session:
        result = redrive(session, _dlq(), who.workspace_id, job_id=body.job_id)
    observability.count(observability.DEAD_LETTERS, result.redriven, action="redriven")
    return result
