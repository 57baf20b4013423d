"""What a statistic counts over: a workspace's comments narrowed by community, keyword and dates.

Statistics reuse the search filters (`CommentFilters` → `filter_conditions`), so "negative comments
about keyword X in March" is the same set in a chart as in the list beside it. Windows are
validated here: bounded (a statistic never scans more than it promises) and time zones are IANA
names PostgreSQL and Python both know.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement

from vkc.comments.filters import CommentFilters, filter_conditions
from vkc.errors import InvalidInput

MAX_LIMIT = 200


@dataclass(frozen=True)
class Scope:
    """Optional narrowing shared by every statistic (all None/empty = the whole workspace)."""

    community_id: list[uuid.UUID] = field(default_factory=list)
    keyword_id: list[uuid.UUID] = field(default_factory=list)
    date_from: datetime | None = None
    date_to: datetime | None = None

    def filters(self) -> CommentFilters:
        try:
            return CommentFilters(
                community_id=self.community_id,
                keyword_id=self.keyword_id,
                date_from=self.date_from,
                date_to=self.date_to,
            )
        except ValueError as exc:
            raise InvalidInput(f"The statistics scope is not valid: {exc}") from None

    def conditions(self, workspace_id: uuid.UUID) -> list[ColumnElement[bool]]:
        return filter_conditions(workspace_id, self.filters())


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def window(
    date_from: datetime | None, date_to: datetime | None, *, default: timedelta, longest: timedelta
) -> tuple[datetime, datetime]:
    """A closed-open window [from, to): defaults to the last `default` up to now; at most `longest`."""
    end = utc(date_to) if date_to is not None else datetime.now(UTC)
    start = utc(date_from) if date_from is not None else end - default
    if start >= end:
        raise InvalidInput("date_from must be before date_to.")
    if end - start > longest:
        raise InvalidInput(f"The window is longer than {longest.days} days; narrow date_from/date_to.")
    return start, end


def time_zone(name: str) -> ZoneInfo:
    """An IANA zone (Europe/Moscow, Asia/Vladivostok, UTC…); anything else is a 422."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        raise InvalidInput(f"Unknown time zone {name!r}; use an IANA name such as Europe/Moscow.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"Unknown time zone {name!r}; use an IANA name such as Europe/Moscow.") from None


def clamp_limit(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))
