"""/v1/analysis: try keyword rules and scores on texts before saving anything."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from vkc.analysis_store.schemas import PreviewRequest, PreviewResponse

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
