"""Sort orders over comments and their opaque keyset cursors.

Every order is (key, id) in one direction, and `id` is unique, so the order is total: a cursor
names one position that stays valid while comments are added, re-analyzed or moderated (an
offset would shift). Nullable columns are sorted by a never-null key (a comment without a date
sorts as the oldest, without likes as 0): a row comparison on a null would drop rows from every
later page. The keys are written exactly as the indexes in `vkc.db.models_search` declare them,
with literal constants, so PostgreSQL walks an index in order and stops after one page.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Integer, UnaryExpression, func, literal, literal_column, tuple_

from vkc.db.models_collection import Comment
from vkc.errors import InvalidInput
from vkc.jobs.cursor import pack, unpack

#: A comment VK gave no date sorts as the oldest.
NO_DATE: ColumnElement[datetime] = literal_column("'-infinity'::timestamptz", DateTime(timezone=True))
NO_LIKES: ColumnElement[int] = literal_column("0", Integer)


class CommentSort(StrEnum):
    DATE_DESC = "date_desc"
    DATE_ASC = "date_asc"
    LIKES_DESC = "likes_desc"
    LIKES_ASC = "likes_asc"
    MATCH_COUNT_DESC = "match_count_desc"
    MATCH_COUNT_ASC = "match_count_asc"

    @property
    def field(self) -> str:
        return self.value.rsplit("_", 1)[0]

    @property
    def descending(self) -> bool:
        return self.value.endswith("_desc")


def date_key() -> ColumnElement[datetime]:
    return func.coalesce(Comment.date, NO_DATE)


def likes_key() -> ColumnElement[int]:
    return func.coalesce(Comment.likes_count, NO_LIKES)


def sort_key(sort: CommentSort) -> ColumnElement[Any]:
    if sort.field == "date":
        return date_key()
    if sort.field == "likes":
        return likes_key()
    match_count: ColumnElement[int] = Comment.match_count.expression
    return match_count


def order_by(
    sort: CommentSort, key: ColumnElement[Any] | None = None, row_id: ColumnElement[int] | None = None
) -> list[UnaryExpression[Any]]:
    """ORDER BY of `sort`; `key`/`row_id` stand in for the comments columns when ordering a derived table."""
    k = sort_key(sort) if key is None else key
    i: ColumnElement[int] = Comment.id.expression if row_id is None else row_id
    if sort.descending:
        return [k.desc(), i.desc()]
    return [k.asc(), i.asc()]


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page ended: the last row's sort key (None = no date) and id."""

    sort: CommentSort
    key: datetime | int | None
    id: int

    @classmethod
    def of(cls, sort: CommentSort, row: Comment) -> Position:
        key: datetime | int | None
        if sort.field == "date":
            key = row.date
        elif sort.field == "likes":
            key = row.likes_count or 0
        else:
            key = row.match_count
        return cls(sort, key, row.id)

    def after(
        self, key: ColumnElement[Any] | None = None, row_id: ColumnElement[int] | None = None
    ) -> ColumnElement[bool]:
        """Rows strictly after this position in its order (`key`/`row_id` as in `order_by`)."""
        if self.sort.field == "date":
            value: ColumnElement[Any] = NO_DATE if self.key is None else literal(self.key, DateTime(timezone=True))
        else:
            value = literal(self.key, Integer)
        left = tuple_(sort_key(self.sort) if key is None else key, Comment.id if row_id is None else row_id)
        right = tuple_(value, literal(self.id, Comment.id.type))
        return left < right if self.sort.descending else left > right

    def encode(self) -> str:
        key = self.key.isoformat() if isinstance(self.key, datetime) else self.key
        return pack({"s": self.sort.value, "k": key, "i": self.id})

    @classmethod
    def decode(cls, cursor: str, sort: CommentSort) -> Position:
        """The position `cursor` names; InvalidInput (422) for anything else, or for another sort's cursor."""
        try:
            raw = unpack(cursor)
            cursor_sort = CommentSort(raw["s"])
            row_id = raw["i"]
            key = raw["k"]
            if not isinstance(row_id, int) or isinstance(row_id, bool):
                raise TypeError("id")
            parsed: datetime | int | None
            if cursor_sort.field == "date":
                parsed = None if key is None else datetime.fromisoformat(key)
                if parsed is not None and parsed.tzinfo is None:
                    raise ValueError("naive date")
            elif isinstance(key, int) and not isinstance(key, bool):
                parsed = key
            else:
                raise TypeError("key")
        except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidInput("The cursor is not valid; use next_cursor from a previous page.") from exc
        if cursor_sort is not sort:
            raise InvalidInput(
                f"The cursor belongs to sort={cursor_sort.value}; send the same sort or start without a cursor."
            )
        return cls(sort, parsed, row_id)
