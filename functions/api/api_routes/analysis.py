"""/v1/analysis: try keyword rules and scores on texts before saving anything; the model against corrections."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from vkc.analysis_store.schemas import PreviewRequest, PreviewResponse
from vkc.corrections.quality import quality_report
from vkc.corrections.schemas import QualityPeriod, QualityReport
from vkc.errors import InvalidInput

from api_routes.deps import deps, principal
from api_routes.openapi_doc import problem_response

router = Router()


@router.post(
    "/analysis/preview",
    summary="Preview matches and scores for texts",
    description=(
        "Up to 100 texts (≤ 10,000 characters each) against ad hoc `rules` (keyword-shaped objects), saved "
        "`keyword_ids` (inactive ones too), or, when neither is given, the workspace's active keywords. "
        "Answers per text with the matches (rule, matched form, offsets, lemmas, snippet with highlight "
        "offsets) and the scores (sentiment, spam with reasons, profanity, language). Stores nothing; the "
        "cross-post duplicate spam signal needs stored comments and is not part of a preview. 422 names an "
        "invalid rule and why; 404 lists saved keyword ids not found in the workspace."
    ),
    tags=["analysis"],
    responses={
        200: {"description": "Successful Response", "content": {"application/json": {"model": PreviewResponse}}},
        404: problem_response("A saved keyword id is not in this workspace (the problem lists them)"),
    },
)
def preview_analysis(body: PreviewRequest) -> PreviewResponse:
    # the analysis engine (matcher, morphology, scorers) loads on the first preview, not at every cold start
    from vkc.analysis_store.preview import preview

    who = principal(router)
    with deps().transaction() as session:
        return preview(session, who.workspace_id, body)


@router.get(
    "/analysis/quality",
    summary="How the model agrees with the analysts' corrections",
    description=(
        "Per label (sentiment, spam, profanity), over the workspace's comments whose correction is in force: "
        "a confusion matrix of the model's current label against the corrected one, how many were compared, "
        "how many agreed (a correction that confirms the model's label agrees) and the agreement rate; "
        "corrected comments not analyzed yet are counted apart. `date_from`/`date_to` select by the date "
        "of the label's latest correction; `period` (day, week, month) adds the same figures per period."
    ),
    tags=["analysis"],
)
def get_quality(
    period: Annotated[QualityPeriod, Query(description="none, day, week or month")] = QualityPeriod.NONE,
    date_from: Annotated[datetime | None, Query(description="Corrected at or after (ISO 8601; UTC if no zone)")] = None,
    date_to: Annotated[datetime | None, Query(description="Corrected before (exclusive; ISO 8601)")] = None,
) -> QualityReport:
    who = principal(router)
    date_from, date_to = (
        d.replace(tzinfo=UTC) if d is not None and d.tzinfo is None else d for d in (date_from, date_to)
    )
    if date_from is not None and date_to is not None and date_from >= date_to:
        raise InvalidInput("date_from must be before date_to.")
    with deps().transaction() as session:
        return quality_report(session, who.workspace_id, period=period, date_from=date_from, date_to=date_to)
