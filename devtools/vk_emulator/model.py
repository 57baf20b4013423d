"""The emulator's records: users, communities, posts and two-level comment threads, as VK stores them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Plant:
    """One planted keyword occurrence: `text[start:end] == form` (Python str offsets, code points)."""

    keyword: str
    form: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"keyword": self.keyword, "form": self.form, "start": self.start, "end": self.end}


@dataclass(slots=True)
class User:
    """A VK user. `deactivated` is "deleted" or "banned"; deleted users read as "DELETED"."""

    id: int
    first_name: str
    last_name: str
    screen_name: str | None = None
    sex: int = 0
    deactivated: str | None = None
    is_closed: bool = False


@dataclass(slots=True)
class Community:
    """A VK community (positive `id`; its wall's owner_id is `-id`). is_closed: 0 open, 1 closed, 2 private."""

    id: int
    name: str
    screen_name: str
    type: str = "group"
    is_closed: int = 0
    deactivated: str | None = None
    description: str = ""
    members_count: int = 0
    verified: int = 0

    @property
    def wall_open(self) -> bool:
        return self.is_closed == 0 and self.deactivated is None


@dataclass(slots=True)
class Comment:
    """A comment. Top-level ones hold their `replies` (VK threads are two levels deep).

    Replies carry `parent_id` (the thread root, VK's parents_stack) and reply_to_comment/_user (the
    direct parent). A `deleted` comment is served as a placeholder while it still has replies.
    """

    id: int
    owner_id: int
    post_id: int
    from_id: int
    date: int
    text: str
    likes: int = 0
    parent_id: int | None = None
    reply_to_user: int | None = None
    reply_to_comment: int | None = None
    deleted: bool = False
    attachments: list[dict[str, Any]] = field(default_factory=list)
    planted: list[Plant] = field(default_factory=list)
    tone: str | None = None
    replies: list[Comment] = field(default_factory=list)


@dataclass(slots=True)
class Post:
    """A wall post with its top-level comments in ascending id order and a maintained total count."""

    id: int
    owner_id: int
    from_id: int
    date: int
    text: str
    is_pinned: bool = False
    comments_closed: bool = False
    likes: int = 0
    reposts: int = 0
    views: int = 0
    attachments: list[dict[str, Any]] = field(default_factory=list)
    marked_as_ads: int = 0
    post_type: str = "post"
    signer_id: int | None = None
    comments: list[Comment] = field(default_factory=list)
    comment_total: int = 0
