"""Analyze stored comments and write the results: scores on `comments`, rows in `keyword_matches`.

Idempotent by construction, in one transaction per batch:
- only stale comments are analyzed: their `analyzed_hash` differs from `content_hash` (new or edited
  text) or `analyzed_rules` differs from the workspace's current rules version;
- the stale rows are locked (FOR UPDATE, in id order) so two workers never interleave on a comment;
  the second one re-reads the rows after the first commits and finds them current;
- scores go in with one `UPDATE … FROM jsonb_to_recordset`, `search_vector` is computed by PostgreSQL;
- matches are diffed against the stored ones by (comment, keyword, start): identical rows are kept
  (same ids), changed or vanished ones deleted, new ones inserted in one statement. So a re-run with
  the same rules writes no match row, and only genuinely new matches are published (`NewMatchesStored`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from vkc.analysis.analyzer import CommentAnalysis
from vkc.analysis_store import duplicates
from vkc.analysis_store.hooks import StoredMatch, notify_new_matches
from vkc.analysis_store.ruleset import ANALYZERS, AnalyzerCache
from vkc.events import NO_EVENTS, EventBus


@dataclass(frozen=True, slots=True)
class Scope:
    """Which comments of the workspace: explicit ids, or an id range [lo, hi)."""

    ids: Sequence[int] | None = None
    lo: int | None = None
    hi: int | None = None

    def where(self) -> tuple[str, dict[str, Any]]:
        if self.ids is not None:
            return "id = ANY(:ids)", {"ids": list(self.ids)}
        return "id >= :lo AND id < :hi", {"lo": self.lo, "hi": self.hi}


@dataclass(frozen=True, slots=True)
class AnalyzeCounts:
    comments: int  # in scope
    analyzed: int  # stale, hence analyzed and written
    matches: int  # matches of the analyzed comments
    new_matches: int  # of them, not stored before
    duplicates_flagged: int  # earlier comments that got the duplicate_text reason

    def as_dict(self) -> dict[str, int]:
        return {
            "comments": self.comments,
            "comments_analyzed": self.analyzed,
            "matches": self.matches,
            "matches_new": self.new_matches,
            "duplicates_flagged": self.duplicates_flagged,
        }


_MATCH_FIELDS = ("matched_text", "end", "fuzzy", "snippet", "highlight_start", "highlight_end")


def _same(stored: Any, want: dict[str, Any]) -> bool:
    return all(getattr(stored, f) == want[f] for f in _MATCH_FIELDS) and list(stored.lemmas) == want["lemmas"]


def analyze_comments(
    session: Session,
    workspace_id: uuid.UUID,
    scope: Scope,
    *,
    analyzers: AnalyzerCache = ANALYZERS,
    source: str = "collection",
    force: bool = False,
    events: EventBus = NO_EVENTS,
) -> AnalyzeCounts:
    """Analyze the scope's stale comments (all of them with ``force``); the caller commits.

    Matches stored for the first time are published on `events` before the caller commits.
    """
    ruleset = analyzers.get(session, workspace_id)
    where, params = scope.where()
    params |= {"ws": workspace_id, "ver": ruleset.version, "force": force}
    in_scope = session.execute(
        text(f"SELECT count(*) FROM comments WHERE workspace_id = :ws AND {where}"),  # noqa: S608 - fixed fragments
        params,
    ).scalar_one()
    rows = session.execute(
        text(
            f"""
            SELECT id, owner_id, post_id, text, content_hash FROM comments
            WHERE workspace_id = :ws AND {where}
              AND (:force OR analyzed_hash IS DISTINCT FROM content_hash OR analyzed_rules IS DISTINCT FROM :ver)
            ORDER BY id FOR UPDATE
            """  # noqa: S608 - fixed fragments
        ),
        params,
    ).all()
    if not rows:
        return AnalyzeCounts(in_scope, 0, 0, 0, 0)
    results = [(row, ruleset.analyzer.analyze(row.text)) for row in rows]
    batch_ids = [row.id for row in rows]

    duplicates.lock_workspace(session, workspace_id)
    dup = duplicates.duplicated(
        session,
        workspace_id,
        ((r.id, r.owner_id, r.post_id, a.fingerprint) for r, a in results if duplicates.eligible(r.text)),
    )
    updates: list[dict[str, Any]] = []
    wanted: dict[tuple[int, str, int], dict[str, Any]] = {}
    for row, analysis in results:
        row_matches = _match_rows(row.id, analysis, ruleset.keyword_ids)
        wanted.update(row_matches)
        updates.append(_score_row(row.id, row.content_hash, row.text, analysis, len(row_matches), dup))
    _write_scores(session, updates, ruleset.version)
    flagged = duplicates.flag_earlier(session, workspace_id, dup, batch_ids)
    new = _write_matches(session, workspace_id, batch_ids, wanted, source)
    notify_new_matches(session, workspace_id, new, events)
    return AnalyzeCounts(in_scope, len(rows), len(wanted), len(new), flagged)


def _match_rows(
    comment_id: int, analysis: CommentAnalysis, keyword_ids: frozenset[uuid.UUID]
) -> dict[tuple[int, str, int], dict[str, Any]]:
    out: dict[tuple[int, str, int], dict[str, Any]] = {}
    for m in analysis.matches:
        keyword_id = uuid.UUID(str(m.rule_id))
        if keyword_id not in keyword_ids:
            continue
        key = (comment_id, str(keyword_id), m.start)
        out.setdefault(  # the engine orders by (start, end): the shortest occurrence at a start wins
            key,
            {
                "comment_id": comment_id,
                "keyword_id": str(keyword_id),
                "matched_text": m.matched,
                "start": m.start,
                "end": m.end,
                "lemmas": list(m.lemmas),
                "fuzzy": m.fuzzy,
                "snippet": m.snippet,
                "highlight_start": m.highlight_start,
                "highlight_end": m.highlight_end,
            },
        )
    return out


def _score_row(
    comment_id: int, content_hash: str, comment_text: str, a: CommentAnalysis, match_count: int, dup: set[str]
) -> dict[str, Any]:
    spam = a.spam
    if a.fingerprint in dup and duplicates.eligible(comment_text):
        spam = spam.with_duplicates(1)
    return {
        "id": comment_id,
        "content_hash": content_hash,
        "sentiment": a.sentiment.label.value,
        "sentiment_score": a.sentiment.score,
        "is_spam": spam.is_spam,
        "spam_reasons": duplicates.stored_reasons(spam),
        "has_profanity": a.profanity.profanity or a.profanity.insult,
        "language": a.language,
        "fingerprint": a.fingerprint,
        "lemmas": list(a.lemmas),
        "match_count": match_count,
    }


def _write_scores(session: Session, updates: list[dict[str, Any]], version: str) -> None:
    session.execute(
        text(
            """
            UPDATE comments AS c SET
                analyzed_hash = r.content_hash, analyzed_rules = :ver, analyzed_at = now(),
                sentiment = r.sentiment, sentiment_score = r.sentiment_score,
                is_spam = r.is_spam, spam_reasons = r.spam_reasons, has_profanity = r.has_profanity,
                language = r.language, fingerprint = r.fingerprint, lemmas = r.lemmas,
                match_count = r.match_count, search_vector = to_tsvector('russian', c.text)
            FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
                id bigint, content_hash text, sentiment text, sentiment_score double precision,
                is_spam boolean, spam_reasons jsonb, has_profanity boolean, language text,
                fingerprint text, lemmas text[], match_count integer)
            WHERE c.id = r.id
            """
        ),
        {"rows": json.dumps(updates, ensure_ascii=False), "ver": version},
    )


def _write_matches(
    session: Session,
    workspace_id: uuid.UUID,
    comment_ids: list[int],
    wanted: dict[tuple[int, str, int], dict[str, Any]],
    source: str,
) -> list[StoredMatch]:
    stored = session.execute(
        text(
            """
            SELECT id, comment_id, keyword_id, start, matched_text, "end", lemmas, fuzzy, snippet,
                   highlight_start, highlight_end
            FROM keyword_matches WHERE comment_id = ANY(:ids)
            """
        ),
        {"ids": comment_ids},
    ).all()
    old: dict[tuple[int, str, int], Any] = {(r.comment_id, str(r.keyword_id), r.start): r for r in stored}
    kept = {key for key, r in old.items() if key in wanted and _same(r, wanted[key])}
    stale_ids = [r.id for key, r in old.items() if key not in kept]
    if stale_ids:
        session.execute(text("DELETE FROM keyword_matches WHERE id = ANY(:ids)"), {"ids": stale_ids})
    to_insert = [row for key, row in wanted.items() if key not in kept]
    if not to_insert:
        return []
    inserted = session.execute(
        text(
            """
            INSERT INTO keyword_matches (workspace_id, comment_id, keyword_id, matched_text, start, "end",
                                         lemmas, fuzzy, snippet, highlight_start, highlight_end)
            SELECT :ws, r.comment_id, r.keyword_id, r.matched_text, r.start, r."end",
                   r.lemmas, r.fuzzy, r.snippet, r.highlight_start, r.highlight_end
            FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
                comment_id bigint, keyword_id uuid, matched_text text, start integer, "end" integer,
                lemmas text[], fuzzy boolean, snippet text, highlight_start integer, highlight_end integer)
            RETURNING id, comment_id, keyword_id, start
            """
        ),
        {"ws": workspace_id, "rows": json.dumps(to_insert, ensure_ascii=False)},
    ).all()
    new: list[StoredMatch] = []
    for r in inserted:
        key = (r.comment_id, str(r.keyword_id), r.start)
        if key in old:
            continue  # the same occurrence, rewritten because a detail (snippet, end) changed
        row = wanted[key]
        new.append(
            StoredMatch(
                id=r.id,
                comment_id=r.comment_id,
                keyword_id=r.keyword_id,
                matched_text=row["matched_text"],
                start=row["start"],
                end=row["end"],
                lemmas=tuple(row["lemmas"]),
                fuzzy=row["fuzzy"],
                snippet=row["snippet"],
                highlight_start=row["highlight_start"],
                highlight_end=row["highlight_end"],
                source=source,
            )
        )
    new.sort(key=lambda m: (m.comment_id, m.start, str(m.keyword_id)))
    return new
