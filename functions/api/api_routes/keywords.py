"""/v1/keywords: the workspace's keyword rules (CRUD, categories, bulk import).

Every change that alters what matches answers with `reanalysis_job_id`: the re-analysis job that
brings stored comments up to date (joined when one is already queued).
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from sqlalchemy.orm import Session
from vkc.keywords import importer, service
from vkc.keywords.schemas import (
    CategoryList,
    ImportReport,
    KeywordCreate,
    KeywordImportRequest,
    KeywordPage,
    KeywordUpdate,
    KeywordView,
)

from api_routes.deps import correlation_id, deps, principal
from api_routes.openapi_doc import problem_response

router = Router()
log = logging.getLogger(__name__)

KeywordId = Annotated[uuid.UUID, Path(description="Keyword id")]


def _reanalyze(session: Session, workspace_id: uuid.UUID) -> uuid.UUID | None:
    """Queue (or join) the re-analysis; a queue outage must not undo a saved keyword."""
    # keyword writes only: the module also holds the worker side, which pulls in the analysis engine (cold start)
    from vkc.analysis_store.reanalysis import start_reanalysis

    try:
        return start_reanalysis(session, deps().queue(), workspace_id, correlation_id=correlation_id(router))
    except Exception:
        log.exception("could not queue the re-analysis; the next keyword change will")
        session.rollback()
        return None


@router.get(
    "/keywords/categories",
    summary="List keyword categories",
    description="Distinct categories, sorted case-insensitively, with how many keywords (and active ones) each has.",
    tags=["keywords"],
)
def list_categories() -> CategoryList:
    who = principal(router)
    with deps().transaction() as session:
        return service.list_categories(session, who.workspace_id)


@router.post(
    "/keywords/import",
    summary="Import keywords from a txt or csv upload",
    description=(
        "Send the file's text as `content` (≤ 1 MB, ≤ 10,000 keyword lines). txt: one keyword per line; csv: "
        "a header row (word/keyword/слово…, category/категория…, kind) is detected and never imported, "
        "without one column 1 is the text and column 2 the category. Blank and `#` lines are ignored. "
        "Answers at once with a report per line: created, duplicate (of an earlier line or of an existing "
        "keyword, compared case-insensitively) or invalid with the reason. 413 over 1 MB; 422 when there "
        "is nothing to import or over 10,000 lines."
    ),
    tags=["keywords"],
    responses={
        200: {"description": "The report, line by line", "content": {"application/json": {"model": ImportReport}}},
        413: problem_response("The upload is over 1 MB"),
    },
)
def import_keywords(body: KeywordImportRequest) -> ImportReport:
    who = principal(router)
    with deps().sessions() as session:
        return importer.import_keywords(session, who.workspace_id, body, on_change=_reanalyze)


@router.post(
    "/keywords",
    summary="Create a keyword",
    description=(
        "A word (matched in every form), a phrase (exact order or any order within a window), or a regular "
        "expression, with negatives that veto a match. Validated by the matching engine: an invalid regex or "
        "a text without letters is a 422 with the reason. 409 when the same text (any case) and kind already "
        "exists; the problem names existing_id. Queues a re-analysis so stored comments are matched."
    ),
    status_code=201,
    tags=["keywords"],
    responses={
        201: {"description": "Created", "content": {"application/json": {"model": KeywordView}}},
        409: problem_response("The keyword already exists"),
    },
)
def create_keyword(body: KeywordCreate) -> Response[KeywordView]:
    who = principal(router)
    with deps().sessions() as session:
        view = service.create_keyword(session, who.workspace_id, body, on_change=_reanalyze)
    return Response(
        status_code=201,
        content_type="application/json",
        body=view,
        headers={"Location": f"/v1/keywords/{view.id}"},
    )


@router.get("/keywords", summary="List keywords, newest first", tags=["keywords"])
def list_keywords(
    category: Annotated[str | None, Query(max_length=100, description="Only this category (any case)")] = None,
    active: Annotated[bool | None, Query(description="Only active (true) or inactive (false)")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of the text or category, any case")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> KeywordPage:
    who = principal(router)
    with deps().transaction() as session:
        return service.list_keywords(
            session, who.workspace_id, category=category, active=active, q=q, limit=limit, cursor=cursor
        )


@router.get("/keywords/<keyword_id>", summary="Get a keyword", tags=["keywords"])
def get_keyword(keyword_id: KeywordId) -> KeywordView:
    who = principal(router)
    with deps().transaction() as session:
        return service.get_keyword(session, who.workspace_id, keyword_id)


@router.patch(
    "/keywords/<keyword_id>",
    summary="Update a keyword",
    description=(
        "Only the fields sent change. Deactivating removes its matches at once. A change to what matches "
        "queues a re-analysis (`reanalysis_job_id`); a category change does not. 409 when the new text "
        "duplicates another keyword."
    ),
    tags=["keywords"],
    responses={
        200: {"description": "The updated keyword", "content": {"application/json": {"model": KeywordView}}},
        409: problem_response("The new text duplicates another keyword"),
    },
)
def update_keyword(keyword_id: KeywordId, body: KeywordUpdate) -> KeywordView:
    who = principal(router)
    with deps().sessions() as session:
        return service.update_keyword(session, who.workspace_id, keyword_id, body, on_change=_reanalyze)


@router.delete(
    "/keywords/<keyword_id>",
    summary="Delete a keyword and its matches",
    description="Its matches go with it and the comments' match counts follow at once.",
    status_code=204,
    tags=["keywords"],
    responses={204: {"description": "Deleted"}},
)
def delete_keyword(keyword_id: KeywordId) -> Response[None]:
    who = principal(router)
    with deps().sessions() as session:
        service.delete_keyword(session, who.workspace_id, keyword_id, on_change=_reanalyze)
    return Response(status_code=204, body=None)
