"""/v1/exports: write the comments a search selects to CSV, XLSX or JSONL, then download them."""

from __future__ import annotations

import uuid
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from vkc.exports import service
from vkc.exports.schemas import ExportRequest
from vkc.exports.view import ExportView

from api_routes.deps import correlation_id, deps, principal

router = Router()


@router.post(
    "/exports",
    summary="Export the comments a search selects",
    description=(
        "Queues an `export` job on the low-priority queue and answers 202 with its Location. The worker walks "
        "the matching comments in keyset order and streams them to S3 (multipart, 8 MiB parts), over as many "
        "worker runs as it takes (no size cap): CSV as UTF-8 with a BOM so Excel shows Cyrillic (cells that "
        "would start a formula get a leading apostrophe), XLSX (a new sheet every 1,048,576 rows, header "
        "included; Zip64 past 4 GiB), or JSONL (one JSON object per line). Poll GET /v1/exports/{id} for the "
        "progress (`rows_done` of `rows_expected`), the status and a download URL."
    ),
    status_code=202,
    tags=["exports"],
    responses={202: {"description": "Accepted", "content": {"application/json": {"model": ExportView}}}},
)
def create_export(body: ExportRequest) -> Response[ExportView]:
    who = principal(router)
    with deps().sessions() as session:
        view = service.create_export(
            session, deps().queue(), who.workspace_id, body, correlation_id=correlation_id(router)
        )
    return Response(
        status_code=202,
        content_type="application/json",
        body=view,
        headers={"Location": f"/v1/exports/{view.id}"},
    )


@router.get(
    "/exports/<export_id>",
    summary="An export's status and download URL",
    description=(
        "Rows, size and format once it succeeded, with a presigned GET URL valid for 1 hour, made anew on every "
        "request while the file exists (files are deleted after 7 days: `expired` is then true). The export's "
        "job is also visible as /v1/jobs/{id}."
    ),
    tags=["exports"],
)
def get_export(export_id: Annotated[uuid.UUID, Path(description="The export's id (its job id)")]) -> ExportView:
    who = principal(router)
    with deps().transaction() as session:
        return service.get_export(session, who.workspace_id, export_id, store=deps().object_store())
