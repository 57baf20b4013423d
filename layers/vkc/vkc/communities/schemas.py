"""The communities API's models: what a user sends, and what a stored community looks like."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from vkc.communities.upload import MAX_UPLOAD_BYTES, UploadFormat
from vkc.jobs.spec import JobSpec
from vkc.settings import Priority, WorkerKind
from vkc.wire_types import JSON_INT

MIN_INTERVAL_MINUTES = 5
MAX_INTERVAL_MINUTES = 10_080  # one week


class CommunityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: str = Field(
        min_length=1,
        max_length=2048,
        description="What you would paste: 123, -123, club123, public123, event123, a short name, or a link "
        "on vk.com / vk.ru (m., www., with or without https://, any trailing path or query).",
        examples=["https://vk.com/apiclub", "club1", "apiclub"],
    )


class MonitoringUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    monitoring_enabled: StrictBool | None = Field(
        default=None, description="Collect on a schedule. Enabling makes the community due at once."
    )
    monitoring_interval_minutes: (
        Annotated[int, Field(ge=MIN_INTERVAL_MINUTES, le=MAX_INTERVAL_MINUTES), JSON_INT] | None
    ) = Field(default=None, description="Minutes between runs (5…10080).")
    monitoring_priority: Priority | None = Field(default=None, description="Queue the scheduled runs travel on.")


class CommunityFacts(BaseModel):
    """What VK says about a community: shown before it is added (preview) and kept once it is (view)."""

    vk_id: int = Field(description="VK's positive community id (its wall's owner_id is -vk_id).")
    screen_name: str | None
    name: str
    type: str = Field(description="group, page or event.")
    is_closed: int = Field(description="0 open, 1 closed, 2 private.")
    deactivated: str | None = Field(description="deleted or banned when VK has deactivated it.")
    members_count: int | None
    photo_url: str | None
    description: str | None
    url: str = Field(description="The community's address on VK.")
    can_collect: bool = Field(description="False for closed, private or deactivated communities.")
    cannot_collect_reason: str | None


class CommunityView(CommunityFacts):
    id: uuid.UUID
    source_input: str = Field(description="What was pasted to add it.")
    monitoring_enabled: bool
    monitoring_interval_minutes: int
    monitoring_priority: Priority
    next_monitoring_at: datetime | None
    last_collected_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CompletenessSummary(BaseModel):
    """The headline of a collection's completeness report (the full report is in the job's result)."""

    job_id: uuid.UUID = Field(description="The collection job the report comes from.")
    finished_at: datetime | None
    posts: int
    vk_comments_count: int = Field(description="Comments VK counts under the collected posts (replies included).")
    stored_comments: int
    missing: int = Field(description="Comments VK counts but the collection did not store, summed per post.")
    posts_with_differences: int
    share: float | None = Field(description="Share of VK's count that is stored (0..1); null when VK counts none.")


class CommunityListItem(CommunityView):
    last_completeness: CompletenessSummary | None = Field(
        description="Completeness of the newest succeeded collection; null when never collected."
    )


class CommunityPreview(CommunityFacts):
    """What adding an input would store, resolved through VK but not stored: shown before the user adds it."""

    existing_id: uuid.UUID | None = Field(description="The community's id when it is already in this workspace.")


class CommunityPage(BaseModel):
    items: list[CommunityListItem]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last.")


class CommunityImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(
        min_length=1,
        description="The file's text: one community per line (txt) or rows with a community column (csv). "
        "Up to 10,000 communities and 1 MB; `#` lines and blank lines are ignored; a header row is detected.",
    )
    format: UploadFormat | None = Field(default=None, description="txt or csv; guessed from the content if omitted.")
    priority: Literal["low", "normal", "high"] | None = Field(
        default=None, description="Queue for the import job; bulk uploads default to low."
    )


class CommunitiesImportPayload(BaseModel):
    """A bulk upload of communities (txt or csv text), resolved through VK line by line into a report."""

    model_config = ConfigDict(extra="forbid")

    content: str = Field(
        description="The uploaded text (at most 1 MB, 10,000 communities).", max_length=MAX_UPLOAD_BYTES
    )
    format: UploadFormat | None = Field(default=None, description="txt or csv; guessed when omitted.")


COMMUNITIES_IMPORT_JOB = JobSpec("communities.import", WorkerKind.PARSE, Priority.LOW, CommunitiesImportPayload)
