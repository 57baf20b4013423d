"""Bulk upserts of posts, comments and authors.

Each batch is ONE statement: the rows travel as a single JSON parameter that PostgreSQL unpacks with
`jsonb_to_recordset`, so a thousand comments cost one round trip (pg8000 has no fast executemany).
`ON CONFLICT … DO UPDATE … WHERE content_hash differs` makes a repeated task a no-op, and
`RETURNING (xmax = 0)` tells inserted rows from changed ones, so only new or changed comments (and
unchanged ones never analyzed) are handed to analysis.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, text
from sqlalchemy.orm import Session

BATCH = 2000

_COMMENT_COLS = {
    "workspace_id": "uuid",
    "community_id": "uuid",
    "owner_id": "bigint",
    "post_id": "bigint",
    "comment_id": "bigint",
    "from_id": "bigint",
    "date": "timestamptz",
    "text": "text",
    "root_comment_id": "bigint",
    "reply_to_comment": "bigint",
    "reply_to_user": "bigint",
    "thread_count": "integer",
    "likes_count": "integer",
    "attachments": "jsonb",
    "is_deleted": "boolean",
    "content_hash": "text",
    "first_seen_job_id": "uuid",
}
# on a change, everything but identity and first-seen facts is refreshed
_COMMENT_UPDATE = [c for c in _COMMENT_COLS if c not in ("workspace_id", "owner_id", "comment_id", "first_seen_job_id")]

_POST_COLS = {
    "workspace_id": "uuid",
    "community_id": "uuid",
    "owner_id": "bigint",
    "post_id": "bigint",
    "from_id": "bigint",
    "date": "timestamptz",
    "text": "text",
    "is_pinned": "boolean",
    "post_type": "text",
    "marked_as_ads": "boolean",
    "comments_count": "integer",
    "comments_closed": "boolean",
    "likes_count": "integer",
    "reposts_count": "integer",
    "views_count": "integer",
    "attachments": "jsonb",
    "content_hash": "text",
}
_POST_UPDATE = [c for c in _POST_COLS if c not in ("workspace_id", "owner_id", "post_id")]

_AUTHOR_COLS = {
    "workspace_id": "uuid",
    "vk_id": "bigint",
    "name": "text",
    "screen_name": "text",
    "photo_url": "text",
    "deactivated": "text",
    "is_closed": "boolean",
}


def _upsert_sql(table: str, cols: dict[str, str], key: Sequence[str], update: Sequence[str], where: str) -> str:
    names = ", ".join(cols)
    record = ", ".join(f"{c} {t}" for c, t in cols.items())
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in update)
    # built once at import from the constant column maps above; no user input reaches this string
    return (
        f"INSERT INTO {table} ({names}) SELECT {names} FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({record}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}, updated_at = now() WHERE {where} "
    )


_COMMENTS_SQL = text(
    _upsert_sql(
        "comments",
        _COMMENT_COLS,
        ["workspace_id", "owner_id", "comment_id"],
        _COMMENT_UPDATE,
        "comments.content_hash <> EXCLUDED.content_hash "
        "OR comments.thread_count IS DISTINCT FROM EXCLUDED.thread_count "
        "OR comments.likes_count IS DISTINCT FROM EXCLUDED.likes_count",
    )
    + "RETURNING id, (xmax = 0) AS inserted, (content_hash) AS content_hash"
)
_POSTS_SQL = text(
    _upsert_sql(
        "posts",
        _POST_COLS,
        ["workspace_id", "owner_id", "post_id"],
        _POST_UPDATE,
        "posts.content_hash <> EXCLUDED.content_hash OR posts.comments_count <> EXCLUDED.comments_count "
        "OR posts.likes_count IS DISTINCT FROM EXCLUDED.likes_count "
        "OR posts.views_count IS DISTINCT FROM EXCLUDED.views_count "
        "OR posts.is_pinned <> EXCLUDED.is_pinned",
    )
    + "RETURNING post_id, (xmax = 0) AS inserted"
)
_AUTHORS_SQL = text(
    _upsert_sql(
        "authors",
        _AUTHOR_COLS,
        ["workspace_id", "vk_id"],
        [c for c in _AUTHOR_COLS if c not in ("workspace_id", "vk_id")],
        "(authors.name, authors.screen_name, authors.photo_url, authors.deactivated, authors.is_closed) "
        "IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.screen_name, EXCLUDED.photo_url, EXCLUDED.deactivated, "
        "EXCLUDED.is_closed)",
    )
)


# Comments a page brought again unchanged whose analysis is missing or stale. A delivery that wrote
# them and died before queuing their analysis leaves exactly these; its redelivery fetches the same
# pages (cursors advance only with the task), finds them unchanged, and queues them from here.
_UNANALYZED_SQL = text(
    "SELECT c.id FROM comments c "
    "JOIN jsonb_to_recordset(CAST(:keys AS jsonb)) AS k(workspace_id uuid, owner_id bigint, comment_id bigint) "
    "ON c.workspace_id = k.workspace_id AND c.owner_id = k.owner_id AND c.comment_id = k.comment_id "
    "WHERE c.analyzed_hash IS DISTINCT FROM c.content_hash"
)


@dataclass
class UpsertResult:
    inserted: int = 0
    changed: int = 0
    # database ids of comments that are new or whose content changed: these go to analysis
    touched_ids: list[int] = field(default_factory=list)
    # unchanged comments whose analysis is missing or stale (see _UNANALYZED_SQL): these go too
    unanalyzed_ids: list[int] = field(default_factory=list)

    @property
    def to_analyze(self) -> list[int]:
        return self.touched_ids + self.unanalyzed_ids


def _chunks(rows: Sequence[dict[str, Any]], size: int = BATCH) -> list[Sequence[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _dedupe(rows: Sequence[dict[str, Any]], key: Sequence[str]) -> list[dict[str, Any]]:
    """One row per key (ON CONFLICT cannot touch a row twice in a statement), in key order.

    Key order matters: writers running side by side (two page writers, concurrent Lambdas) upsert
    overlapping authors; taking row locks in the same order everywhere means they can never deadlock.
    """
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        seen[tuple(row[k] for k in key)] = row
    return [seen[k] for k in sorted(seen)]


def upsert_comments(session: Session, rows: Sequence[dict[str, Any]]) -> UpsertResult:
    result = UpsertResult()
    unique = _dedupe(rows, ("workspace_id", "owner_id", "comment_id"))
    for chunk in _chunks(unique):
        written: set[int] = set()
        for row in session.execute(_COMMENTS_SQL, {"rows": json.dumps(chunk, ensure_ascii=False)}):
            result.touched_ids.append(row.id)
            written.add(row.id)
            if row.inserted:
                result.inserted += 1
            else:
                result.changed += 1
        if len(written) < len(chunk):  # some came again unchanged (a rescan, or a redelivered task)
            keys = [{k: r[k] for k in ("workspace_id", "owner_id", "comment_id")} for r in chunk]
            found = session.scalars(_UNANALYZED_SQL, {"keys": json.dumps(keys)})
            result.unanalyzed_ids += [i for i in found if i not in written]
    return result


def upsert_posts(session: Session, rows: Sequence[dict[str, Any]]) -> UpsertResult:
    result = UpsertResult()
    for chunk in _chunks(_dedupe(rows, ("workspace_id", "owner_id", "post_id"))):
        for row in session.execute(_POSTS_SQL, {"rows": json.dumps(chunk, ensure_ascii=False)}):
            if row.inserted:
                result.inserted += 1
            else:
                result.changed += 1
    return result


def upsert_authors(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    count = 0
    for chunk in _chunks(_dedupe(rows, ("workspace_id", "vk_id"))):
        result = session.execute(_AUTHORS_SQL, {"rows": json.dumps(chunk, ensure_ascii=False)})
        count += cast(CursorResult[Any], result).rowcount or 0
    return count
