"""Accept a bulk upload: check it as a file now (size, lines, anything to import), resolve it in a job.

Why check before queueing: a 2 MB file or one with only comments is the caller's mistake and deserves
an immediate 413/422, not a failed job minutes later. The content travels in the job's payload (≤ 1 MB);
the worker (`vkc.communities.importer`) parses it again and resolves it through VK.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from vkc.communities.errors import PayloadTooLarge
from vkc.communities.schemas import COMMUNITIES_IMPORT_JOB, CommunityImportRequest
from vkc.communities.upload import UploadInvalid, UploadTooLarge, parse_upload
from vkc.errors import InvalidInput
from vkc.jobs.ports import TaskQueue
from vkc.jobs.schemas import JobView
from vkc.jobs.service import create_job
from vkc.settings import Priority


def start_import(
    session: Session,
    queue: TaskQueue,
    *,
    workspace_id: uuid.UUID,
    request: CommunityImportRequest,
    correlation_id: str,
) -> JobView:
    """Validate the upload and create a `communities.import` job (low priority unless asked otherwise)."""
    try:
        parsed = parse_upload(request.content, request.format)
    except UploadTooLarge as exc:
        raise PayloadTooLarge(str(exc)) from None
    except UploadInvalid as exc:
        raise InvalidInput(str(exc)) from None
    return create_job(
        session,
        queue,
        COMMUNITIES_IMPORT_JOB,
        workspace_id=workspace_id,
        payload={"content": request.content, "format": parsed.format.value},
        priority=Priority(request.priority) if request.priority else None,
        correlation_id=correlation_id,
    )
