"""/v1/comments: search with filters and a keyset cursor, count, detail, and moderation.

Static paths (`/comments/count`, `/comments/bulk`) are registered before `/comments/<comment_id>`,
and the id is an integer, so a word is never taken for an id (predecessor defect 3); a test
checks route resolution.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import ValidationError
from vkc.comments import detail, moderation, search
from vkc.comments.filters import (
    MAX_QUERY,
    MAX_VALUES,
    POST_PATTERN,
    CommentFilters,
    FilterText,
    Sentiment,
    VkIdParam,
)
from vkc.comments.keyset import CommentSort
from vkc.comments.query import DEFAULT_PAGE, MAX_PAGE
from vkc.comments.schemas import (
    BulkModeration,
    BulkResult,
    CommentCount,
    CommentDetail,
    CommentPage,
    CommentView,
    ModerationSet,
)
from vkc.corrections import service as corrections
from vkc.corrections.schemas import CommentLabels, LabelsUpdate
from vkc.errors import InvalidInput
from vkc.wire_types import MAX_SAFE_INTEGER, IsoDatetime

from api_routes.deps import deps, principal
from api_routes.problems import validation_errors

router = Router()

CommentId = Annotated[int, Path(ge=1, le=MAX_SAFE_INTEGER, description="Comment id (`id` in search results)")]
CommunityIds = Annotated[
    list[uuid.UUID] | None, Query(max_length=MAX_VALUES, description="Community id; repeat for several")
]
PostParam = Annotated[
    str | None, Query(pattern=POST_PATTERN, description="A post, as in VK links: -123_456 or wall-123_456")
]
KeywordIds = Annotated[
    list[uuid.UUID] | None,
    Query(max_length=MAX_VALUES, description="Matched by this keyword; repeat for any of several"),
]
Categories = Annotated[
    list[FilterText] | None,
    Query(max_length=MAX_VALUES, description="Matched by a keyword of this category; repeatable"),
]
Authors = Annotated[
    list[VkIdParam] | None, Query(max_length=MAX_VALUES, description="Author's VK id (from_id); repeatable")
]
DateFrom = Annotated[IsoDatetime | None, Query(description="Written at or after (ISO 8601; UTC if no zone)")]
DateTo = Annotated[
    IsoDatetime | None,
    Query(description="Written before (exclusive; ISO 8601; UTC if no zone); at or before date_from selects nothing"),
]
Sentiments = Annotated[
    list[Sentiment] | None, Query(max_length=3, description="positive, neutral or negative; repeatable")
]
Flag = Annotated[bool | None, Query()]
Languages = Annotated[
    list[FilterText] | None,
    Query(max_length=MAX_VALUES, description="Detected language code (ru, en…); repeatable"),
]
TextQuery = Annotated[
    str | None,
    Query(
        max_length=MAX_QUERY,
        description='Full-text search in every Russian word form: words, "a phrase", -excluded, a or b',
    ),
]


def _filters(**values: Any) -> CommentFilters:
    """Query parameters → CommentFilters; cross-field errors (date order, post spelling) are 422 problems."""
    try:
        return CommentFilters.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        raise InvalidInput(
            "The filters are not valid; see errors.", extra={"errors": validation_errors(exc.errors())}
        ) from None


@router.get(
    "/comments",
    summary="Search comments",
    description=(
        "Filters combine with AND; a repeated parameter (or comma-separated values) means any of them. "
        "Keyword and category filters never repeat a comment matched several times. Sorted by `sort` with "
        "ties broken by id; pages follow `next_cursor` and stay stable while comments are added. "
        "422 for a cursor that is not valid or belongs to another sort."
    ),
    tags=["comments"],
)
def list_comments(
    community_id: CommunityIds = None,
    post: PostParam = None,
    keyword_id: KeywordIds = None,
    category: Categories = None,
    author: Authors = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    sentiment: Sentiments = None,
    is_spam: Flag = None,
    has_profanity: Flag = None,
    has_match: Annotated[bool | None, Query(description="Matched by at least one keyword (true) or none")] = None,
    viewed: Annotated[bool | None, Query(description="Marked viewed (true) or not (false)")] = None,
    archived: Annotated[bool | None, Query(description="Archived (true) or not (false)")] = None,
    language: Languages = None,
    q: TextQuery = None,
    sort: Annotated[CommentSort, Query(description="Order of the results")] = CommentSort.DATE_DESC,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size")] = DEFAULT_PAGE,
    cursor: Annotated[str | None, Query(max_length=400, description="next_cursor of the previous page")] = None,
) -> CommentPage:
    who = principal(router)
    filters = _filters(**{k: v for k, v in locals().items() if k not in {"sort", "limit", "cursor", "who"}})
    with deps().transaction() as session:
        return search.search_comments(session, who.workspace_id, filters, sort, cursor=cursor, limit=limit)


@router.get(
    "/comments/count",
    summary="Count comments",
    description="How many comments the same filters as GET /v1/comments select (an SQL COUNT).",
    tags=["comments"],
)
def count_comments(
    community_id: CommunityIds = None,
    post: PostParam = None,
    keyword_id: KeywordIds = None,
    category: Categories = None,
    author: Authors = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    sentiment: Sentiments = None,
    is_spam: Flag = None,
    has_profanity: Flag = None,
    has_match: Flag = None,
    viewed: Flag = None,
    archived: Flag = None,
    language: Languages = None,
    q: TextQuery = None,
) -> CommentCount:
    who = principal(router)
    filters = _filters(**{k: v for k, v in locals().items() if k != "who"})
    with deps().transaction() as session:
        return CommentCount(count=search.count_comments(session, who.workspace_id, filters))


@router.post(
    "/comments/bulk",
    summary="Mark viewed / archived every comment a filter selects",
    description=(
        "One database statement sets or clears the flags of every comment the filters select (the same "
        "filters as GET /v1/comments, lists as JSON arrays; {} selects the whole workspace). Answers how "
        "many comments changed; comments already in the wanted state are not counted."
    ),
    tags=["comments"],
)
def bulk_moderate(body: BulkModeration) -> BulkResult:
    who = principal(router)
    with deps().transaction() as session:
        return BulkResult(changed=moderation.bulk_set_flags(session, who.workspace_id, body))


@router.get("/comments/<comment_id>", summary="Get a comment with its matches and thread", tags=["comments"])
def get_comment(comment_id: CommentId) -> CommentDetail:
    who = principal(router)
    with deps().transaction() as session:
        return detail.get_comment(session, who.workspace_id, comment_id)


def _flag(comment_id: int, **flags: bool) -> CommentView:
    who = principal(router)
    with deps().transaction() as session:
        return moderation.set_flags(session, who.workspace_id, comment_id, ModerationSet(**flags))


@router.post(
    "/comments/<comment_id>/viewed",
    summary="Mark a comment viewed",
    description="Idempotent: marking again keeps the first viewed_at.",
    tags=["comments"],
)
def mark_viewed(comment_id: CommentId) -> CommentView:
    return _flag(comment_id, viewed=True)


@router.delete("/comments/<comment_id>/viewed", summary="Mark a comment not viewed", tags=["comments"])
def unmark_viewed(comment_id: CommentId) -> CommentView:
    return _flag(comment_id, viewed=False)


@router.post(
    "/comments/<comment_id>/archived",
    summary="Archive a comment",
    description="Idempotent: archiving again keeps the first archived_at. Archiving does not mark viewed.",
    tags=["comments"],
)
def archive(comment_id: CommentId) -> CommentView:
    return _flag(comment_id, archived=True)


@router.delete("/comments/<comment_id>/archived", summary="Restore an archived comment", tags=["comments"])
def unarchive(comment_id: CommentId) -> CommentView:
    return _flag(comment_id, archived=False)


@router.get(
    "/comments/<comment_id>/labels",
    summary="A comment's labels, their source and the corrections history",
    description=(
        "Per label (sentiment, is_spam, has_profanity): the effective value, its source (manual when an "
        "analyst's correction is in force, model otherwise), the model's own label and the correction; then "
        "the corrections made, newest first, with the API key that made each and when."
    ),
    tags=["comments"],
)
def get_labels(comment_id: CommentId) -> CommentLabels:
    who = principal(router)
    with deps().transaction() as session:
        return corrections.comment_labels(session, who.workspace_id, comment_id)


@router.put(
    "/comments/<comment_id>/labels",
    summary="Correct a comment's sentiment, spam or profanity label",
    description=(
        "Only the labels sent change; a label sent as null drops its correction (the model's label is in "
        "force again). A correction outlives every re-analysis, becomes the label that search filters, "
        "statistics and exports use, and is audited (API key and time). Sending the correction already in "
        "force changes nothing. 422 for a value that is not a label (sentiment: positive, neutral or "
        "negative; flags: true or false)."
    ),
    tags=["comments"],
)
def put_labels(comment_id: CommentId, body: LabelsUpdate) -> CommentLabels:
    who = principal(router)
    with deps().transaction() as session:
        return corrections.correct_labels(session, who, comment_id, body)


@router.delete(
    "/comments/<comment_id>/labels",
    summary="Drop every correction of a comment",
    description="The model's labels are in force again; each dropped correction is audited.",
    tags=["comments"],
)
def delete_labels(comment_id: CommentId) -> CommentLabels:
    who = principal(router)
    with deps().transaction() as session:
        return corrections.remove_corrections(session, who, comment_id)
