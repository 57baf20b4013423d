"""API shapes of webhooks and the body of what is delivered."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool
from pydantic.json_schema import SkipJsonSchema

from vkc.wire_types import NOT_NULL

MAX_KEYWORDS_PER_WEBHOOK = 500


class EventType(StrEnum):
    MATCHES_CREATED = "matches.created"
    PING = "ping"


class EventStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        max_length=2048,
        description="Where to POST events: https (http only to localhost, and not in production).",
        examples=["https://hooks.example.com/vkc"],
    )
    keyword_ids: list[uuid.UUID] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_KEYWORDS_PER_WEBHOOK,
        description="Only matches of these keywords; null (the default) for every keyword of the workspace.",
    )
    description: str | None = Field(default=None, max_length=500)
    active: StrictBool = Field(default=True, description="Inactive webhooks get no new events.")


class WebhookUpdate(BaseModel):
    """Only the fields sent change; `keyword_ids: null` means every keyword."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[Annotated[str, Field(max_length=2048)] | SkipJsonSchema[None], NOT_NULL] = None
    keyword_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=MAX_KEYWORDS_PER_WEBHOOK)
    description: str | None = Field(default=None, max_length=500)
    active: Annotated[StrictBool | SkipJsonSchema[None], NOT_NULL] = None


class WebhookView(BaseModel):
    id: uuid.UUID
    url: str
    description: str | None
    keyword_ids: list[uuid.UUID] | None = Field(description="null: every keyword.")
    active: bool
    secret_hint: str = Field(description="The signing secret's prefix and last 4 characters.")
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookView):
    secret: str = Field(
        description=(
            "The signing secret, shown only in this response: verify `X-Vkc-Signature` = "
            '`sha256=` + hex HMAC-SHA256(secret, `<X-Vkc-Timestamp>` + "." + raw body).'
        )
    )


class WebhookList(BaseModel):
    items: list[WebhookView]


class DeliveryView(BaseModel):
    """One HTTP attempt. `event_status` is the event's outcome so far (pending while retries remain)."""

    id: int
    event_id: uuid.UUID
    event_type: EventType
    event_status: EventStatus
    attempt: int = Field(description="Attempt number within the event (1 = first).")
    round: int = Field(description="Queue delivery the attempt belongs to (quick retries share a round).")
    ok: bool
    status_code: int | None = Field(description="The receiver's HTTP status; null when no response came.")
    duration_ms: int
    error: str | None
    created_at: datetime


class DeliveryPage(BaseModel):
    items: list[DeliveryView]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last.")


class MatchedKeyword(BaseModel):
    id: uuid.UUID
    text: str
    category: str | None


class MatchedComment(BaseModel):
    id: int = Field(description="The comment's id in this API.")
    vk_comment_id: int
    owner_id: int
    post_id: int
    from_id: int | None
    date: datetime | None
    text: str
    url: str = Field(description="The comment on vk.com.")
    community_id: uuid.UUID
    community_name: str | None


class MatchItem(BaseModel):
    keyword: MatchedKeyword
    matched_text: str
    start: int
    end: int
    snippet: str
    comment: MatchedComment


class EventBody(BaseModel):
    """What is POSTed. Retries of one event send this body unchanged (same `id`)."""

    id: uuid.UUID
    type: EventType
    created_at: datetime
    workspace_id: uuid.UUID
    webhook_id: uuid.UUID
    data: dict[str, Any]
