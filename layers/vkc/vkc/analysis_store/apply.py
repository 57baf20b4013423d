"""Analyze stored comments and write the results: scores on `comments`, rows in `keyword_matches`.

Idempotent by construction, in one transaction per batch:
- only stale comments are analyzed: their `analyzed_hash` differs from `content_hash` (new or edited
  text) or `analyzed_rules` differs from the workspace's current rules version;
- the stale rows are locked (FOR UPDATE, in id order) so two workers never interleave on a comment;
  the second one re-reads the rows after the first commits and finds them current;
- set-based writes, a fixed handful of statements per chunk whatever its size: scores go in with one
  `UPDATE … FROM jsonb_to_recordset`, which sets no indexed column to a new value in the usual case
  (`search_vector` is generated from the text, `fingerprint` stored at ingest, `match_count` often
  unchanged), so PostgreSQL can make it a HOT update (migration 0013); matches with one statement
  that deletes the chunk's vanished matches and upserts the wanted ones by (comment, keyword, start):
  identical rows are left untouched (same ids, no write), a changed detail (snippet, end) is updated
  in place, and only rows really inserted count as new.
  So a re-run with the same rules writes no match row, and only genuinely new matches are
  published (`NewMatchesStored`), once, after the whole batch is written and before the commit;
- an analyst's correction (`*_manual`) stays the effective label: the model's label only goes to
  `*_model` while a correction hides it.

Throughput: the batch is cut into chunks; while the database writes chunk k (on this transaction's
connection, in a helper thread), this thread analyzes chunk k+1, so the engine's CPU time and the
database's time overlap (this thread yields the GIL between comments while a write is running, see
``_let_writer_run``). Duplicate texts are counted once for the whole batch before the first
chunk, from the fingerprints the collection stored (``_count_duplicates``); all chunks are written
in the one transaction. Where the function has two CPUs and the batch is large enough, a second
process analyzes the batch from the front while this one writes, and this one analyzes rows from the
end whenever it has nothing to write, with no GIL between the two (``parallel``); both paths write the
same rows, built by ``prepare``.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from vkc.analysis.analyzer import CommentAnalysis
from vkc.analysis_store import duplicates, parallel
from vkc.analysis_store.hooks import StoredMatch, notify_new_matches
from vkc.analysis_store.ruleset import ANALYZERS, AnalyzerCache, RuleSet
from vkc.db import jit
from vkc.events import NO_EVENTS, EventBus


@dataclass(frozen=True, slots=True)
class Scope:
    """Which comments of the workspace: explicit ids, or an id range [lo, hi)."""

    ids: Sequence[int] | None = None
    lo: int | None = None
    hi: int | None = None

    def where(self) -> tuple[str, dict[str, Any]]:
        if self.ids is not None:
            return "id = ANY(CAST(string_to_array(:ids, ',') AS bigint[]))", {"ids": duplicates.joined(self.ids)}
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


#: Comments per write chunk at most: small enough to overlap analysis and writes, large enough that
#: a chunk's handful of statements cost little per comment.
CHUNK = 500
#: The chunks shrink towards the batch's end (see ``chunk_sizes``) by this share of what is left ...
SHRINK = 0.45
#: ... down to this many comments (a fifth of ``CHUNK``).
FLOOR_SHARE = 5


def chunk_sizes(n: int, largest: int | None = None) -> list[int]:
    """Sizes of the write chunks of a batch of ``n`` comments: ``largest`` at most, shrinking at the end.

    Why: each chunk is written while the next one is analyzed, except the last, whose write nothing
    hides. Writing a comment costs the database about two thirds of what analyzing it costs the
    engine, so each chunk may be about half as large as the one before and its write still fits under
    the next one's analysis; the last write is then short (1,000 comments: 450, 248, 136, 100, 66
    instead of 500, 500). Chunks do not shrink below a fifth of ``largest``: each costs a few
    statements.
    """
    largest = CHUNK if largest is None else largest
    floor = largest // FLOOR_SHARE
    sizes = []
    left = n
    while left > 0:
        size = max(min(largest, math.ceil(left * SHRINK)), min(left, floor), 1)
        sizes.append(size)
        left -= size
    return sizes


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
    jit.off_for_transaction(session)
    ruleset = analyzers.get(session, workspace_id)
    head, tail = _split(scope)
    rows = _stale_rows(session, workspace_id, head, ruleset.version, force)
    rest = (lambda: _stale_rows(session, workspace_id, tail, ruleset.version, force)) if tail is not None else None
    expected = len(rows) + (len(tail.ids or ()) if tail is not None else 0)
    writer = _ChunkWriter(session, workspace_id, ruleset, source)
    child = (
        parallel.child_for(analyzers, (workspace_id, ruleset.version), ruleset, prepare)
        if parallel.wanted(expected)
        else None
    )
    if child is not None:
        rows, written = _analyze_beside(child, workspace_id, ruleset, rows, rest, writer)
    else:
        if rest is not None:
            rows = [*rows, *rest()]
        if rows:
            _count_duplicates(writer, rows)
        written = _analyze_here(ruleset, rows, writer)
    in_scope = _in_scope(session, workspace_id, scope, len(rows))
    if not rows:
        return AnalyzeCounts(in_scope, 0, 0, 0, 0)
    new = sorted((m for w in written for m in w.new), key=lambda m: (m.comment_id, m.start, str(m.keyword_id)))
    notify_new_matches(session, workspace_id, new, events)
    return AnalyzeCounts(
        in_scope, len(rows), sum(w.matches for w in written), len(new), writer.flagged + sum(w.flagged for w in written)
    )


#: A large batch's first rows are read on their own, so the analysis process starts on them while the
#: rest are read: reading (and locking) 5,000 rows takes about 35 ms, which the child would otherwise
#: spend waiting at the start of every task.
FIRST_ROWS = 500


def _split(scope: Scope) -> tuple[Scope, Scope | None]:
    """The scope's first ``FIRST_ROWS`` ids and the rest, for a batch large enough for the analysis process;
    else the scope whole. Ids are read in ascending order either way, so the row locks are taken in
    one order, as one statement would take them."""
    if scope.ids is None or not parallel.wanted(len(scope.ids)) or len(scope.ids) <= 2 * FIRST_ROWS:
        return scope, None
    ids = sorted(set(scope.ids))
    return Scope(ids=ids[:FIRST_ROWS]), Scope(ids=ids[FIRST_ROWS:])


def _stale_rows(session: Session, workspace_id: uuid.UUID, scope: Scope, version: str, force: bool) -> list[Any]:
    """The scope's comments whose analysis is missing or stale (all of them with ``force``), locked."""
    where, params = scope.where()
    return list(
        session.execute(
            text(
                f"""
                SELECT id, owner_id, post_id, text, fingerprint FROM comments
                WHERE workspace_id = :ws AND {where}
                  AND (:force OR analyzed_hash IS DISTINCT FROM content_hash OR analyzed_rules IS DISTINCT FROM :ver)
                ORDER BY id FOR UPDATE
                """  # noqa: S608 - fixed fragments
            ),
            params | {"ws": workspace_id, "ver": version, "force": force},
        ).all()
    )


def _in_scope(session: Session, workspace_id: uuid.UUID, scope: Scope, stale: int) -> int:
    """How many of the workspace's comments the scope holds. When every id of the scope came back
    stale (a collection's new comments, the usual case), that is the count, and the database is not
    asked again (about 4 µs per comment)."""
    if scope.ids is not None and stale == len(set(scope.ids)):
        return stale
    where, params = scope.where()
    count: int = session.execute(
        text(f"SELECT count(*) FROM comments WHERE workspace_id = :ws AND {where}"),  # noqa: S608 - fixed fragments
        params | {"ws": workspace_id},
    ).scalar_one()
    return count


def _count_duplicates(writer: _ChunkWriter, rows: Sequence[Any]) -> None:
    """Take the workspace's duplicate lock and count the whole batch's fingerprints once, up front.

    Why here: the collection stores each comment's fingerprint with its text, so the batch's are known
    before any analysis; one lookup for the batch replaces one per chunk on the writer's path (in the
    parallel path it runs while the child analyzes). Stored comments that now become duplicates are
    flagged at once. A comment whose analysis finds another fingerprint than the stored one (stored by
    an older engine) is counted again by its chunk (``_ChunkWriter.write``).
    """
    session, workspace_id = writer.session, writer.workspace_id
    duplicates.lock_workspace(session, workspace_id)
    writer.stored_fingerprints = {r.id: r.fingerprint for r in rows}
    found = duplicates.duplicated(
        session,
        workspace_id,
        (
            (r.id, r.owner_id, r.post_id, r.fingerprint)
            for r in rows
            if r.fingerprint is not None and duplicates.eligible(r.text)
        ),
    )
    writer.duplicated = found.fingerprints
    writer.flagged = duplicates.flag_earlier(session, found)


def _analyze_here(ruleset: RuleSet, rows: Sequence[Any], writer: _ChunkWriter) -> list[_Written]:
    """This process analyzes chunk k+1 while a helper thread writes chunk k."""
    seen: dict[str, CommentAnalysis] = {}  # the same text in a batch ("+1", spam) is analyzed once
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="analysis-writes") as pool:
        pending: list[Future[_Written]] = []
        start = 0
        for size in chunk_sizes(len(rows)):
            writing = pending[-1] if pending else None
            chunk = rows[start : start + size]
            prepared = []
            for row in chunk:
                analysis = _analyze(ruleset, seen, row.text)
                prepared.append(prepare(ruleset, row.id, row.text, analysis))
                if writing is not None:
                    writing = _let_writer_run(writing)
            pending.append(pool.submit(writer.write, chunk, prepared))
            start += size
        return [future.result() for future in pending]


def _analyze_beside(
    child: parallel.AnalysisProcess,
    workspace_id: uuid.UUID,
    ruleset: RuleSet,
    rows: list[Any],
    rest: Callable[[], list[Any]] | None,
    writer: _ChunkWriter,
) -> tuple[list[Any], list[_Written]]:
    """The analysis process analyzes the batch from the front while this one writes its chunks.

    The child starts on ``rows`` (a large batch's first ones) while this process reads the ``rest``,
    which go to the child as a second batch it starts on as soon as the first is done; then, while the
    child analyzes, this process counts all the rows' duplicates. After that, whenever no chunk is
    waiting to be written, this process takes rows back from the last batch's end
    (``parallel.Batch.claim``), analyzes and writes them itself, so neither process idles while the
    other has work left: which one is faster depends on the machine and on the database's load.
    A row the child analyzed after this process claimed it is written once, from this process's copy.
    Returns all the rows, and what was written.
    """
    key = (workspace_id, ruleset.version)
    with ExitStack() as stack:  # an error while writing stops the child (see ``AnalysisProcess``)
        sent: list[tuple[parallel.Batch, list[Any]]] = []

        def send(part: list[Any]) -> None:
            if part:
                batch = child.analyze(key, [(r.id, r.text) for r in part], parallel.chunk_sizes(len(part)))
                sent.append((stack.enter_context(closing(batch)), part))

        send(rows)
        if rest is not None:
            send(rest())  # read while the child analyzes the first part
        every = [r for _, part in sent for r in part]
        if every:
            _count_duplicates(writer, every)
        written: list[_Written] = []
        seen: dict[str, CommentAnalysis] = {}
        for n, (batch, part) in enumerate(sent):
            written += _drain(batch, part, ruleset, writer, seen, claims=n == len(sent) - 1)
    return every, written


def _drain(
    batch: parallel.Batch,
    rows: Sequence[Any],
    ruleset: RuleSet,
    writer: _ChunkWriter,
    seen: dict[str, CommentAnalysis],
    *,
    claims: bool,
) -> list[_Written]:
    """Write the batch's chunks as the child sends them; with ``claims``, analyze rows from the end
    whenever none is waiting."""
    written: list[_Written] = []
    theirs = 0  # the child's chunks so far cover rows[:theirs]
    mine = len(rows)  # this process has claimed rows[mine:]
    while True:
        if claims and not batch.ready() and (start := parallel.claim_start(theirs, mine)) is not None:
            batch.claim(start)
            own = [prepare(ruleset, r.id, r.text, _analyze(ruleset, seen, r.text)) for r in rows[start:mine]]
            written.append(writer.write(rows[start:mine], own))
            mine = start
            continue
        chunk = batch.receive()
        if chunk is None:
            break
        first, prepared = chunk
        keep = min(len(prepared), mine - first)
        if keep > 0:
            written.append(writer.write(rows[first : first + keep], prepared[:keep]))
        theirs = first + len(prepared)
    if batch.end is None or batch.end < mine:
        raise parallel.AnalysisProcessFailed(f"analysis process stopped at row {batch.end}, before {mine}")
    return written


def _let_writer_run(writing: Future[_Written]) -> Future[_Written] | None:
    """Hand the GIL to the writer thread between two comments while its chunk is being written.

    Why: the writer needs the GIL for a moment after each socket wait (a statement's send, its
    reply). Without a release it waits for the interpreter's switch interval (5 ms) each time,
    while this thread analyzes, so a chunk's writes finished only after the next chunk's analysis
    and the two barely overlapped (measured: a 56 ms write took 158 ms beside the analysis).
    ``sleep(0)`` releases the GIL at once; once the write is done the thread stops asking.
    """
    if writing.done():
        return None
    time.sleep(0)
    return writing


def _analyze(ruleset: RuleSet, seen: dict[str, CommentAnalysis], comment_text: str) -> CommentAnalysis:
    found = seen.get(comment_text)
    if found is None:
        found = seen[comment_text] = ruleset.analyzer.analyze(comment_text)
    return found


@dataclass(frozen=True, slots=True)
class _Written:
    matches: int
    new: list[StoredMatch]
    flagged: int


@dataclass(slots=True)
class _ChunkWriter:
    """Writes one analyzed chunk: scores (with the batch's duplicate signal), matches.

    The writer's Python shares the GIL with the analysis, so per comment it does only what the rows
    need: the rows come ready from ``prepare``, which resolved each rule id to its keyword once.
    """

    session: Session
    workspace_id: uuid.UUID
    ruleset: RuleSet
    source: str
    #: a keyword's id as text → its UUID (the match rows carry the text)
    uuids: dict[str, uuid.UUID] = field(default_factory=dict)
    #: the batch's duplicate count (``_count_duplicates``): its comments' stored fingerprints, those
    #: that are duplicated text, and how many stored comments it flagged
    stored_fingerprints: dict[int, str | None] = field(default_factory=dict)
    duplicated: set[str] = field(default_factory=set)
    flagged: int = 0

    def write(self, rows: Sequence[Any], prepared: list[Prepared]) -> _Written:
        """``prepared[i]`` is ``rows[i]`` (id, owner_id, post_id, text, fingerprint) made ready by ``prepare``."""
        ids = [p[0] for p in prepared]
        dup, flagged = self.duplicated, 0
        recount = [
            (r.id, r.owner_id, r.post_id, p[1])
            for r, p in zip(rows, prepared, strict=True)
            if p[1] is not None and p[1] != self.stored_fingerprints.get(p[0])
        ]
        if recount:  # fingerprints stored by an older engine: counted by what the analysis found
            found = duplicates.duplicated(self.session, self.workspace_id, recount)
            flagged = duplicates.flag_earlier(self.session, found)
            dup = dup | found.fingerprints
        scores: list[str] = []
        matches: list[str] = []
        wanted: dict[tuple[int, str, int], MatchRow] = {}
        for comment_id, fp, score, match_json, match_rows in prepared:
            scores.append(_with_duplicate(score) if fp is not None and fp in dup else score)
            if match_rows:
                matches.append(match_json)
                for m in match_rows:
                    wanted[(comment_id, m[0], m[1])] = m
        _write_scores(self.session, "[" + ",".join(scores) + "]", self.ruleset.version)
        new = _write_matches(
            self.session, self.workspace_id, ids, "[" + ",".join(matches) + "]", wanted, self.source, self.uuids
        )
        return _Written(len(wanted), new, flagged)


def _with_duplicate(score: str) -> str:
    """The score row with the duplicate signal added (the few comments whose text repeats)."""
    row = json.loads(score)
    spam = duplicates.with_duplicate(row["spam_reasons"])
    row["is_spam"] = spam.is_spam
    row["spam_reasons"] = duplicates.stored_reasons(spam)
    return _json(row)


#: JSON of the write rows: one encoder for all of them (``json.dumps`` with options builds one per
#: call, a fifth of its time), compact, UTF-8 text as is.
_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

#: A match row: (keyword id as text, start, end, matched text, lemmas, fuzzy, snippet, highlight start,
#: highlight end).
MatchRow = tuple[str, int, int, str, tuple[str, ...], bool, str, int, int]
#: One analyzed comment, ready to write, in plain values only (the analysis process pickles these):
#: (comment id, its fingerprint if it counts for duplicates else None, its score row as a JSON object
#: without the duplicate signal, its match rows as JSON objects joined by commas, its match rows).
#: The JSON is built where the comment was analyzed, so the writer only joins strings: in the parallel
#: path that work is the child's, off the writer's critical path.
Prepared = tuple[int, str | None, str, str, list[MatchRow]]


def prepare(ruleset: RuleSet, comment_id: int, comment_text: str, analysis: CommentAnalysis) -> Prepared:
    """The write rows of one comment, built wherever it was analyzed (this process or the child).

    The duplicate signal needs the database, so the writer adds it: ``duplicates.with_duplicate`` of
    the stored reasons gives what ``SpamVerdict.with_duplicates(1)`` gives (it decides by the
    reasons only, and the engine never names "duplicate" itself).
    """
    rows = _match_rows(analysis, _keywords_of(ruleset.keyword_ids))
    fp = analysis.fingerprint if duplicates.eligible(comment_text) else None
    score = _json(_score_row(comment_id, analysis, len(rows)))
    if not rows:
        return comment_id, fp, score, "", []
    objects = [
        {
            "comment_id": comment_id,
            "keyword_id": r[0],
            "start": r[1],
            "end": r[2],
            "matched_text": r[3],
            "lemmas": r[4],  # a sequence: JSON writes tuples and lists alike
            "fuzzy": r[5],
            "snippet": r[6],
            "highlight_start": r[7],
            "highlight_end": r[8],
        }
        for r in rows
    ]
    return comment_id, fp, score, _json(objects)[1:-1], rows


class _KeywordIds:
    """Rule id → the keyword's id as text (the key of a match row), or None when it is no keyword of
    the rules; each rule id is parsed once, not once per match."""

    __slots__ = ("_ids", "_seen")

    def __init__(self, keyword_ids: frozenset[uuid.UUID]) -> None:
        self._ids = keyword_ids
        self._seen: dict[Any, str | None] = {}

    def __call__(self, rule_id: Any) -> str | None:
        try:
            return self._seen[rule_id]
        except KeyError:
            keyword_id = uuid.UUID(str(rule_id))
            found = str(keyword_id) if keyword_id in self._ids else None
            self._seen[rule_id] = found
            return found


@lru_cache(maxsize=64)
def _keywords_of(keyword_ids: frozenset[uuid.UUID]) -> _KeywordIds:
    """One resolver per rule set (a frozenset keeps its hash, so the lookup is cheap)."""
    return _KeywordIds(keyword_ids)


def _match_rows(analysis: CommentAnalysis, keyword: Callable[[Any], str | None]) -> list[MatchRow]:
    """The comment's match rows, one per (keyword, start): the engine orders its matches by (start,
    end), so the shortest occurrence at a start wins."""
    rows: list[MatchRow] = []
    seen: set[tuple[str, int]] = set()
    for m in analysis.matches:
        keyword_id = keyword(m.rule_id)
        if keyword_id is None or (keyword_id, m.start) in seen:
            continue
        seen.add((keyword_id, m.start))
        rows.append(
            (
                keyword_id,
                m.start,
                m.end,
                m.matched,
                tuple(m.lemmas),
                m.fuzzy,
                m.snippet,
                m.highlight_start,
                m.highlight_end,
            )
        )
    return rows


def _score_row(comment_id: int, a: CommentAnalysis, match_count: int) -> dict[str, Any]:
    return {
        "id": comment_id,
        "sentiment": a.sentiment.label.value,
        "sentiment_score": a.sentiment.score,
        "is_spam": a.spam.is_spam,
        "spam_reasons": duplicates.stored_reasons(a.spam),
        "has_profanity": a.profanity.profanity or a.profanity.insult,
        "language": a.language,
        "fingerprint": a.fingerprint,
        "lemmas": a.lemmas,
        "match_count": match_count,
    }


def _write_scores(session: Session, rows: str, version: str) -> None:
    """``rows``: the chunk's score rows as a JSON array. ``analyzed_hash`` is the row's own
    ``content_hash``: the rows are locked since they were read, so it is the text that was analyzed."""
    session.execute(
        text(
            """
            UPDATE comments AS c SET
                analyzed_hash = c.content_hash, analyzed_rules = :ver, analyzed_at = now(),
                sentiment = coalesce(c.sentiment_manual, r.sentiment),
                sentiment_model = CASE WHEN c.sentiment_manual IS NULL THEN NULL ELSE r.sentiment END,
                sentiment_score = r.sentiment_score,
                is_spam = coalesce(c.spam_manual, r.is_spam),
                spam_model = CASE WHEN c.spam_manual IS NULL THEN NULL ELSE r.is_spam END,
                spam_reasons = r.spam_reasons,
                has_profanity = coalesce(c.profanity_manual, r.has_profanity),
                profanity_model = CASE WHEN c.profanity_manual IS NULL THEN NULL ELSE r.has_profanity END,
                language = r.language, fingerprint = r.fingerprint, lemmas = r.lemmas,
                match_count = r.match_count
            FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
                id bigint, sentiment text, sentiment_score double precision,
                is_spam boolean, spam_reasons jsonb, has_profanity boolean, language text,
                fingerprint text, lemmas text[], match_count integer)
            WHERE c.id = r.id
            """
        ),
        {"rows": rows, "ver": version},
    )


def _write_matches(
    session: Session,
    workspace_id: uuid.UUID,
    comment_ids: list[int],
    rows_json: str,
    wanted: dict[tuple[int, str, int], MatchRow],
    source: str,
    uuids: dict[str, uuid.UUID],
) -> list[StoredMatch]:
    """Delete the chunk's vanished matches and upsert the wanted ones; returns the rows inserted.

    One statement. The delete (keys not wanted) and the upsert (wanted keys) touch disjoint rows.

    The delete finds its rows by one index probe per comment (a ``LATERAL`` subquery that ``OFFSET 0``
    keeps from being flattened into a join) and deletes them by ``ctid``. Why: written as
    ``comment_id = ANY(:ids)``, a table the statistics did not know yet (a new database, a first large
    collection before autovacuum analyzed it) looked as if the chunk's ids were half its rows, and
    every chunk's delete read all of ``keyword_matches`` (measured: 10.8 ms a chunk at 45,000 matches,
    1.2 ms now; a re-analysis of 1,000,000 comments read a million rows a chunk). The ``ctid``s stay
    valid within the statement: the comments are locked by this transaction, and their matches are
    changed only here (another transaction may only delete one, with its keyword). An
    identical stored row is not written at all (the ``WHERE`` of ``DO UPDATE``), so it returns
    nothing; a changed detail updates the row in place (``xmax`` is set: not new); ``xmax = 0``
    marks a row this statement inserted. Keyword ids come back as text, the form of the rows' keys
    (``uuids`` gives their UUIDs): the driver would otherwise parse one UUID per row.
    """
    rows = session.execute(
        text(
            """
            WITH wanted AS (
                SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
                    comment_id bigint, keyword_id uuid, matched_text text, start integer, "end" integer,
                    lemmas text[], fuzzy boolean, snippet text, highlight_start integer, highlight_end integer)
            ), vanished AS (
                DELETE FROM keyword_matches AS m
                WHERE m.ctid = ANY(ARRAY(
                    SELECT s.ctid
                    FROM unnest(CAST(string_to_array(:ids, ',') AS bigint[])) AS i(id)
                    CROSS JOIN LATERAL (
                        SELECT ctid, keyword_id, start FROM keyword_matches WHERE comment_id = i.id OFFSET 0
                    ) AS s
                    WHERE NOT EXISTS (
                        SELECT 1 FROM wanted AS w
                        WHERE w.comment_id = i.id AND w.keyword_id = s.keyword_id AND w.start = s.start)
                ))
            )
            INSERT INTO keyword_matches AS m (workspace_id, comment_id, keyword_id, matched_text, start, "end",
                                              lemmas, fuzzy, snippet, highlight_start, highlight_end)
            SELECT :ws, w.comment_id, w.keyword_id, w.matched_text, w.start, w."end",
                   w.lemmas, w.fuzzy, w.snippet, w.highlight_start, w.highlight_end
            FROM wanted AS w
            ON CONFLICT (comment_id, keyword_id, start) DO UPDATE SET
                matched_text = excluded.matched_text, "end" = excluded."end", lemmas = excluded.lemmas,
                fuzzy = excluded.fuzzy, snippet = excluded.snippet,
                highlight_start = excluded.highlight_start, highlight_end = excluded.highlight_end
            WHERE (m.matched_text, m."end", m.lemmas, m.fuzzy, m.snippet, m.highlight_start, m.highlight_end)
                  IS DISTINCT FROM (excluded.matched_text, excluded."end", excluded.lemmas, excluded.fuzzy,
                                    excluded.snippet, excluded.highlight_start, excluded.highlight_end)
            RETURNING m.id, m.comment_id, CAST(m.keyword_id AS text) AS keyword_id, m.start, (m.xmax = 0) AS inserted
            """
        ),
        {
            "ws": workspace_id,
            "ids": duplicates.joined(comment_ids),
            "rows": rows_json,
        },
    ).all()
    new: list[StoredMatch] = []
    for r in rows:
        if not r.inserted:
            continue  # the same occurrence, rewritten because a detail (snippet, end) changed
        keyword_id, start, end, matched, lemmas, fuzzy, snippet, highlight_start, highlight_end = wanted[
            (r.comment_id, r.keyword_id, r.start)
        ]
        if keyword_id not in uuids:
            uuids[keyword_id] = uuid.UUID(keyword_id)
        new.append(
            StoredMatch(
                id=r.id,
                comment_id=r.comment_id,
                keyword_id=uuids[keyword_id],
                matched_text=matched,
                start=start,
                end=end,
                lemmas=lemmas,
                fuzzy=fuzzy,
                snippet=snippet,
                highlight_start=highlight_start,
                highlight_end=highlight_end,
                source=source,
            )
        )
    return new
