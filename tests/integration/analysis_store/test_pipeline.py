"""Collection → analysis → re-analysis in-process, on the emulator's small dataset and real PostgreSQL.

The planted-keyword gate of tests/unit/analysis/test_planted_ground_truth.py, but end to end: the planted
keywords are saved keywords, comments arrive through a collection, the detached analyze tasks store
matches, and the stored matches are scored against the ground truth.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from vkc.analysis_store.reanalysis import start_reanalysis
from vkc.analysis_store.ruleset import ANALYZERS
from vkc.analysis_store.task import IDS_PER_MESSAGE
from vkc.db.models_analysis import Keyword, KeywordMatch
from vkc.db.models_collection import Comment
from vkc.jobs.runner import run_task
from vkc.jobs.schemas import JobStatus
from vkc.keywords import service
from vkc.keywords.schemas import KeywordCreate
from vkc.settings import Priority, Settings, WorkerKind

from devtools.inprocess import Harness, harness
from devtools.recording_queue import SentMessage
from devtools.vk_emulator import generate_dataset
from devtools.vk_emulator.dataset import Dataset
from devtools.vk_emulator.planted import PLANTED

MIN_RECALL = 0.98
MIN_PRECISION = 0.95


@pytest.fixture(scope="module")
def small() -> Dataset:
    return generate_dataset(preset="small", seed=42)


def _open(ds: Dataset) -> list[int]:
    return [c.id for c in ds.communities.values() if c.is_closed == 0 and c.deactivated is None]


def _no_reanalysis(session: Session, workspace_id: uuid.UUID) -> None:
    return None


def _save_planted(h: Harness) -> dict[uuid.UUID, str]:
    ids = {}
    with Session(h.engine, expire_on_commit=False) as s:
        for p in PLANTED:
            kind = "phrase" if p.is_phrase else "word"
            view = service.create_keyword(
                s, h.workspace_id, KeywordCreate(text=p.keyword, kind=kind), on_change=_no_reanalysis
            )
            ids[view.id] = p.keyword
    return ids


def _deliver(h: Harness, sent: SentMessage) -> None:
    run_task(sent.message, h.deps(), receive_count=1)


def _drain_parse_first(h: Harness) -> list[SentMessage]:
    """Run collection messages to the end; hold back analyze messages and return them."""
    held = []
    while h.queue.sent:
        sent = h.queue.sent.pop(0)
        if sent.worker is WorkerKind.ANALYZE:
            held.append(sent)
        else:
            _deliver(h, sent)
    return held


@pytest.fixture
def collected(
    engine: Engine, settings: Settings, small: Dataset
) -> Iterator[tuple[Harness, dict[uuid.UUID, str], list[uuid.UUID], list[SentMessage]]]:
    with harness(engine, settings, small) as h:
        keywords = _save_planted(h)
        jobs = [h.start(vk_id).id for vk_id in _open(small)]
        held = _drain_parse_first(h)
        yield h, keywords, jobs, held


def test_detached_analysis_after_collection_finds_planted_keywords(
    collected: tuple[Harness, dict[uuid.UUID, str], list[uuid.UUID], list[SentMessage]], small: Dataset
) -> None:
    h, keywords, jobs, held = collected
    for job_id in jobs:  # every collection finished before any analysis ran
        assert h.job(job_id).status is JobStatus.SUCCEEDED
    assert held
    assert all(m.message.task == "analyze.comments" for m in held)
    assert {m.priority for m in held} == {Priority.HIGH}  # the collection's priority
    assert all(len(m.message.params["comment_ids"]) <= IDS_PER_MESSAGE for m in held)
    ANALYZERS.clear()
    started = time.perf_counter()
    for sent in held:
        _deliver(h, sent)
    elapsed = time.perf_counter() - started
    with Session(h.engine) as s:
        total, analyzed = s.execute(
            select(func.count(), func.count().filter(Comment.analyzed_hash == Comment.content_hash)).where(
                Comment.workspace_id == h.workspace_id
            )
        ).one()
        assert total > 0
        assert analyzed == total
        stored = s.execute(
            select(Comment.owner_id, Comment.comment_id, KeywordMatch.keyword_id, KeywordMatch.start, KeywordMatch.end)
            .join(Comment, Comment.id == KeywordMatch.comment_id)
            .where(KeywordMatch.workspace_id == h.workspace_id)
        ).all()
    print(f"analysis through the DB: {total} comments in {elapsed:.2f}s = {total / elapsed:.0f} comments/s")
    got = {(r.owner_id, r.comment_id, keywords[r.keyword_id], r.start, r.end) for r in stored}
    open_owners = {-vk for vk in _open(small)}
    truth = {
        (c["owner_id"], c["comment_id"], p["keyword"], p["start"], p["end"])
        for c in small.ground_truth()["comments"]
        if c["owner_id"] in open_owners and not c["deleted"]
        for p in c["planted"]
    }
    tp, fp, fn = len(got & truth), len(got - truth), len(truth - got)
    recall, precision = tp / (tp + fn), tp / (tp + fp)
    print(f"end-to-end planted recall {recall:.4f} precision {precision:.4f} ({tp} found, {fp} extra, {fn} missed)")
    assert tp > 1000
    assert recall >= MIN_RECALL
    assert precision >= MIN_PRECISION
    # redelivering every analyze message changes nothing
    before = len(stored)
    for sent in held[:3]:
        _deliver(h, sent)
    with Session(h.engine) as s:
        assert (
            s.scalar(select(func.count()).select_from(KeywordMatch).where(KeywordMatch.workspace_id == h.workspace_id))
            == before
        )


def test_keyword_change_reanalysis_finds_old_comments(engine: Engine, settings: Settings, small: Dataset) -> None:
    with harness(engine, settings, small) as h:
        job = h.start(_open(small)[0])
        h.drain()  # collection + analysis with no keywords at all
        assert h.job(job.id).status is JobStatus.SUCCEEDED
        with Session(h.engine) as s:
            assert (
                s.scalar(
                    select(func.count()).select_from(KeywordMatch).where(KeywordMatch.workspace_id == h.workspace_id)
                )
                == 0
            )
            comments = (
                s.scalar(select(func.count()).select_from(Comment).where(Comment.workspace_id == h.workspace_id)) or 0
            )
        started_ids: list[uuid.UUID] = []

        def reanalyze(session: Session, workspace_id: uuid.UUID) -> uuid.UUID:
            started_ids.append(start_reanalysis(session, h.queue, workspace_id, correlation_id="t"))
            return started_ids[-1]

        with Session(h.engine, expire_on_commit=False) as s:
            first = service.create_keyword(s, h.workspace_id, KeywordCreate(text="квартира"), on_change=reanalyze)
            second = service.create_keyword(s, h.workspace_id, KeywordCreate(text="доставка"), on_change=reanalyze)
        assert first.reanalysis_job_id == second.reanalysis_job_id  # debounced while queued
        roots = [m for m in h.queue.sent if m.message.task == "job.run"]
        assert len(roots) == 1
        assert roots[0].worker is WorkerKind.ANALYZE
        assert roots[0].priority is Priority.LOW
        started = time.perf_counter()
        h.drain(duplicate_every=2)  # redelivered range tasks count once
        elapsed = time.perf_counter() - started
        assert first.reanalysis_job_id is not None
        done = h.job(first.reanalysis_job_id)
        assert done.status is JobStatus.SUCCEEDED, done.error
        result: dict[str, Any] = done.result or {}
        with Session(h.engine) as s:
            matches = s.scalar(
                select(func.count()).select_from(KeywordMatch).where(KeywordMatch.workspace_id == h.workspace_id)
            )
            kinds = set(
                s.scalars(
                    select(Keyword.text)
                    .join(KeywordMatch, KeywordMatch.keyword_id == Keyword.id)
                    .where(Keyword.workspace_id == h.workspace_id)
                )
            )
        print(
            f"re-analysis: {comments} comments in {elapsed:.2f}s = {comments / elapsed:.0f} comments/s,",
            f"{matches} matches",
        )
        assert result["comments"] == comments
        assert result["comments_analyzed"] == comments
        assert result["matches"] == matches == result["matches_total"] > 0
        assert result["ranges"] == -(-comments // 5000)
        assert kinds == {"квартира", "доставка"}
        # once it ran, a new change queues a new one
        with Session(h.engine, expire_on_commit=False) as s:
            third = service.create_keyword(s, h.workspace_id, KeywordCreate(text="сбербанк"), on_change=reanalyze)
        assert third.reanalysis_job_id not in (None, first.reanalysis_job_id)
        h.drain()
        assert third.reanalysis_job_id is not None
        again = h.job(third.reanalysis_job_id)
        assert again.status is JobStatus.SUCCEEDED
        assert (again.result or {})["comments_analyzed"] == comments  # rules changed: every comment is stale
