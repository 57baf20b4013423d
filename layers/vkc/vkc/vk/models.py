"""Typed views of VK's answers (API 5.199), tolerant of what VK really sends.

Unknown fields are ignored; nearly every field is optional because real answers omit them (a deleted
comment can be just `{id, date, deleted, parents_stack, thread}`). Attachments are reduced to a summary
(type → count), the likes object to its count where that is all we keep. Flags VK sends as 0/1 or
booleans both parse as `bool`. JSON integers stay Python ints (the transport never goes through float).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class VkModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class AttachmentCount(VkModel):
    type: str
    count: int


def summarize_attachments(value: Any) -> list[dict[str, Any]]:
    """`[{"type": "photo", "photo": {...}}, …]` → `[{"type": "photo", "count": n}, …]` (already summarized passes)."""
    if not value:
        return []
    if not isinstance(value, list):
        return []
    if all(isinstance(a, dict) and set(a) == {"type", "count"} for a in value):
        return value
    counts = Counter(str(a.get("type", "unknown")) for a in value if isinstance(a, dict))
    return [{"type": t, "count": n} for t, n in counts.items()]


class Counted(VkModel):
    count: int = 0


class Likes(Counted):
    can_like: bool | None = None
    user_likes: bool | None = None


class PostComments(Counted):
    can_post: bool | None = None
    can_view: bool | None = None
    groups_can_post: bool | None = None
    can_close: bool | None = None
    can_open: bool | None = None


class Thread(VkModel):
    count: int = 0
    items: list[Comment] = Field(default_factory=list)
    can_post: bool | None = None
    show_reply_button: bool | None = None
    groups_can_post: bool | None = None
    next_from: str | None = None


class Comment(VkModel):
    id: int
    from_id: int | None = None
    date: int | None = None
    text: str | None = None
    post_id: int | None = None
    owner_id: int | None = None
    parents_stack: list[int] = Field(default_factory=list)
    reply_to_user: int | None = None
    reply_to_comment: int | None = None
    thread: Thread | None = None
    likes: Likes | None = None
    attachments: list[AttachmentCount] = Field(default_factory=list)
    deleted: bool = False

    _summarize = field_validator("attachments", mode="before")(summarize_attachments)

    @property
    def root_id(self) -> int | None:
        """The top-level comment whose thread holds this one (None for top-level comments)."""
        return self.parents_stack[0] if self.parents_stack else None

    @property
    def parent_id(self) -> int | None:
        """The comment this one answers: `reply_to_comment`, else the thread root."""
        return self.reply_to_comment or self.root_id

    @property
    def likes_count(self) -> int | None:
        return self.likes.count if self.likes else None


class Post(VkModel):
    id: int
    owner_id: int
    from_id: int | None = None
    date: int | None = None
    edited: int | None = None
    text: str | None = None
    post_type: str | None = None
    is_pinned: bool = False
    marked_as_ads: bool = False
    signer_id: int | None = None
    comments: PostComments = Field(default_factory=PostComments)
    likes: Likes | None = None
    reposts: Counted | None = None
    views: Counted | None = None
    attachments: list[AttachmentCount] = Field(default_factory=list)
    copy_history: list[Post] = Field(default_factory=list)
    is_deleted: bool = False
    deleted_reason: str | None = None

    _summarize = field_validator("attachments", mode="before")(summarize_attachments)


class Profile(VkModel):
    id: int
    first_name: str | None = None
    last_name: str | None = None
    screen_name: str | None = None
    deactivated: str | None = None  # "deleted" or "banned"
    is_closed: bool | None = None
    can_access_closed: bool | None = None
    sex: int | None = None
    photo_50: str | None = None
    photo_100: str | None = None
    photo_200: str | None = None

    @property
    def is_deactivated(self) -> bool:
        return self.deactivated is not None


class Community(VkModel):
    id: int
    name: str | None = None
    screen_name: str | None = None
    is_closed: int = 0  # 0 open, 1 closed, 2 private
    type: str | None = None  # group, page, event
    deactivated: str | None = None
    verified: bool | None = None
    members_count: int | None = None
    description: str | None = None
    activity: str | None = None
    photo_50: str | None = None
    photo_100: str | None = None
    photo_200: str | None = None


class ResolvedObject(VkModel):
    type: str  # user, group, page, event, application, vk_app, community_application
    object_id: int
    group_id: int | None = None

    @property
    def is_community(self) -> bool:
        return self.type in ("group", "page", "event")


class WallPage(VkModel):
    count: int = 0
    items: list[Post] = Field(default_factory=list)
    profiles: list[Profile] = Field(default_factory=list)
    groups: list[Community] = Field(default_factory=list)


class CommentsPage(VkModel):
    count: int = 0
    current_level_count: int | None = None
    real_offset: int | None = None
    items: list[Comment] = Field(default_factory=list)
    profiles: list[Profile] = Field(default_factory=list)
    groups: list[Community] = Field(default_factory=list)
    can_post: bool | None = None
    groups_can_post: bool | None = None


Thread.model_rebuild()


def parse_groups(response: Any) -> list[Community]:
    """groups.getById: `{"groups": […], "profiles": […]}` since 5.139, a bare list before."""
    items = response.get("groups", []) if isinstance(response, dict) else response or []
    return [Community.model_validate(g) for g in items]


def parse_posts_by_id(response: Any) -> list[Post]:
    """wall.getById: `{"items": […]}` in 5.199, a bare list in old versions."""
    items = response.get("items", []) if isinstance(response, dict) else response or []
    return [Post.model_validate(p) for p in items]


def parse_resolved(response: Any) -> ResolvedObject | None:
    """utils.resolveScreenName: an object, or `[]` when the name is not found."""
    if isinstance(response, dict) and response:
        return ResolvedObject.model_validate(response)
    return None


def parse_profiles(response: Any) -> list[Profile]:
    return [Profile.model_validate(p) for p in response or []]
