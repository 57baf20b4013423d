"""Spam signal "the same text across posts", decided from fingerprints stored in the workspace.

A fingerprint counts as duplicated text when at least ``MIN_OCCURRENCES`` analyzed comments of the
workspace share it and they sit under at least two different posts. Short texts ("спасибо!", "+1")
repeat innocently and are never counted. Only analyzed comments count (`analyzed_hash` set): the
collection stores a fingerprint with the text (`vkc.collection.store`), before the analysis. Callers
hold the workspace's duplicate lock (see ``lock_workspace``) so two concurrent batches cannot both
miss a threshold they cross together.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from vkc.analysis.spam import SpamVerdict

REASON = "duplicate_text"
ENGINE_REASON = "duplicate"  # what ``SpamVerdict.with_duplicates`` appends
MIN_OCCURRENCES = 3
MIN_CHARS = 20


def joined(ids: Iterable[int]) -> str:
    """Ids as one comma-separated text parameter (``string_to_array`` in SQL).

    The driver encodes a Python list element by element in Python; a batch's 1,000 ids or
    fingerprints cost more that way than the query itself. Fingerprints (hex) join the same way.
    """
    return ",".join(map(str, ids))


def keys(workspace_id: uuid.UUID, fingerprints: Iterable[str]) -> str:
    """The lookup keys of ``ix_comments_fingerprint_key`` (``fingerprint || workspace_id::text``), joined.

    Why one key: with the workspace as a column of its own, a workspace the planner's statistics do
    not know yet looked small, and the lookup scanned all of it through a search index (migration 0014).
    """
    suffix = str(workspace_id)  # uuid::text: lower-case, hyphenated, as PostgreSQL writes it
    return ",".join(fp + suffix for fp in fingerprints)


def eligible(comment_text: str) -> bool:
    return len(comment_text.strip()) >= MIN_CHARS


def stored_reasons(verdict: SpamVerdict) -> list[str]:
    """The engine's reasons as stored: its "duplicate" is spelled ``duplicate_text`` in the database."""
    return [REASON if r == ENGINE_REASON else r for r in verdict.reasons]


def with_duplicate(reasons: Sequence[str]) -> SpamVerdict:
    """Re-score stored reasons plus the duplicate signal through the engine's own weights."""
    engine = tuple(r for r in reasons if r not in (REASON, ENGINE_REASON))
    return SpamVerdict(is_spam=False, score=0.0, reasons=engine).with_duplicates(1)


@dataclass(slots=True)
class _Seen:
    """Comments with one fingerprint: how many, and whether they sit under two posts or more."""

    post: tuple[int, int]  # the first one's (owner_id, post_id)
    count: int = 1
    many_posts: bool = False

    def add(self, post: tuple[int, int], count: int = 1) -> None:
        self.count += count
        if post != self.post:
            self.many_posts = True


def lock_workspace(session: Session, workspace_id: uuid.UUID) -> None:
    """Serialize duplicate counting per workspace until the transaction ends."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended('vkc.duplicates:' || :ws, 0))"),
        {"ws": str(workspace_id)},
    )


@dataclass(frozen=True, slots=True)
class Duplicates:
    """What a batch's lookup found: its fingerprints that are duplicated text, and the stored comments
    with those fingerprints that do not carry the reason yet (``flag_earlier`` adds it)."""

    fingerprints: set[str]
    earlier: list[int]


def duplicated(
    session: Session,
    workspace_id: uuid.UUID,
    batch: Iterable[tuple[int, int, int, str]],  # (comment id, owner_id, post_id, fingerprint)
) -> Duplicates:
    """The batch's fingerprints that reach the threshold, counting the batch and stored comments.

    One statement that probes ``ix_comments_fingerprint_key`` once per fingerprint (a lateral
    aggregate, which the planner cannot turn into a scan of the workspace whatever its statistics say
    about it), so the work follows the batch. The batch's own ids are only checked on the rows found.
    Two distinct posts are all the rule needs, so the smallest and largest (owner, post) stand for
    "the posts" (no sort of every post).
    """
    seen: dict[str, _Seen] = {}
    ids: list[int] = []
    for comment_id, owner_id, post_id, fp in batch:
        ids.append(comment_id)
        entry = seen.get(fp)
        if entry is None:
            seen[fp] = _Seen((owner_id, post_id))
        else:
            entry.add((owner_id, post_id))
    if not seen:
        return Duplicates(set(), [])
    rows = session.execute(
        text(
            """
            SELECT s.* FROM unnest(string_to_array(:keys, ',')) AS k(key)
            CROSS JOIN LATERAL (
                SELECT min(c.fingerprint) AS fingerprint, count(*) AS n,
                       min(ARRAY[c.owner_id, c.post_id]) AS first_post,
                       max(ARRAY[c.owner_id, c.post_id]) AS last_post,
                       array_agg(c.id) FILTER (WHERE NOT coalesce(c.spam_reasons, '[]'::jsonb) ? :reason) AS unflagged
                FROM comments AS c
                WHERE (c.fingerprint || c.workspace_id::text) = k.key
                  AND c.analyzed_hash IS NOT NULL
                  AND NOT (c.id = ANY(CAST(string_to_array(:ids, ',') AS bigint[])))
            ) AS s
            WHERE s.n > 0
            """
        ),
        {"keys": keys(workspace_id, seen), "ids": joined(ids), "reason": REASON},
    ).all()
    unflagged: dict[str, list[int]] = {}
    for row in rows:
        entry = seen[row.fingerprint]
        entry.add((int(row.first_post[0]), int(row.first_post[1])), row.n)
        entry.add((int(row.last_post[0]), int(row.last_post[1])), 0)
        unflagged[row.fingerprint] = row.unflagged or []
    found = {fp for fp, e in seen.items() if e.count >= MIN_OCCURRENCES and e.many_posts}
    return Duplicates(found, sorted(i for fp in found for i in unflagged.get(fp, ())))


def flag_earlier(session: Session, found: Duplicates) -> int:
    """Add the reason to the stored comments ``duplicated`` found (``found.earlier``); returns how many.

    By id: the caller holds the workspace lock since the lookup, so no other analysis has stored a
    comment with these fingerprints in between. Rows another transaction holds right now (an
    analyst's correction) are skipped (SKIP LOCKED), and a row that got the reason meanwhile is left
    alone. An analyst's spam correction stays the effective label (``is_spam``); the model's verdict
    goes to ``spam_model`` while the correction hides it.
    """
    if not found.earlier:
        return 0
    rows = session.execute(
        text(
            """
            SELECT c.id, c.spam_reasons FROM comments AS c
            WHERE c.id = ANY(CAST(string_to_array(:ids, ',') AS bigint[]))
              AND NOT coalesce(c.spam_reasons, '[]'::jsonb) ? :reason
            ORDER BY c.id FOR UPDATE SKIP LOCKED
            """
        ),
        {"ids": joined(found.earlier), "reason": REASON},
    ).all()
    if not rows:
        return 0
    updates = []
    for row in rows:
        verdict = with_duplicate(row.spam_reasons or [])
        updates.append({"id": row.id, "is_spam": verdict.is_spam, "spam_reasons": stored_reasons(verdict)})
    session.execute(
        text(
            """
            UPDATE comments AS c SET
                is_spam = coalesce(c.spam_manual, r.is_spam),
                spam_model = CASE WHEN c.spam_manual IS NULL THEN NULL ELSE r.is_spam END,
                spam_reasons = r.spam_reasons
            FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(id bigint, is_spam boolean, spam_reasons jsonb)
            WHERE c.id = r.id
            """
        ),
        {"rows": json.dumps(updates, ensure_ascii=False)},
    )
    return len(updates)
