"""Analysis in a second process: the same rows as in-process, and a dead child fails the batch cleanly.

A batch of ``parallel.MIN_BATCH`` comments or more goes to the forked analysis process when
``ANALYSIS_PROCESSES`` allows it (2 forces it here, 1 forbids it).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from vkc.analysis_store import apply, parallel
from vkc.analysis_store.hooks import StoredMatch
from vkc.settings import get_settings

from tests.integration.analysis_store.conftest import Space
from tests.support.factories import make_community

# A corpus with what every write path handles: keyword hits (several per comment, phrases), spam,
# profanity, the same long text under several posts (duplicate counting, earlier duplicates flagged),
# short repeated texts (never duplicates), empty texts.
_TEXTS = [
    "Сдаю квартиру у метро, отличная квартира! Пишите в личку",
    "Ужасная доставка, курьер опоздал на три часа, всё сломано",
    "Заработок без вложений от 5000 в день, пиши в лс https://bit.ly/xyz",
    "спасибо!",
    "+1",
    "Отличный банк, четвёртый раз блокируют карту без причины 👍",
    "какая же ты с*ка, блин, достали уже",
    "",
    "Подскажите, где в районе нормальная доставка продуктов? Квартиру только сняли",
    "Ремонт квартир под ключ, звоните 8-900-123-45-67, недорого",
]
_KEYWORDS = ["квартира", "доставка", "банк", "ремонт"]
BATCH = 2 * parallel.MIN_BATCH


def _corpus(n: int = BATCH) -> list[tuple[str, int]]:
    """(text, post) pairs: the texts repeat under different posts, some with a number that varies."""
    out = []
    for i in range(n):
        base = _TEXTS[i % len(_TEXTS)]
        varied = base if i % 3 else (f"{base} №{i}" if base else base)
        out.append((varied, 1 + i % 7))
    return out


def _fill(space: Space, corpus: list[tuple[str, int]]) -> list[int]:
    for kw in _KEYWORDS:
        space.keyword(kw)
    space.keyword("сдать квартиру", kind="phrase")
    return [space.comments(t, post=p)[0] for t, p in corpus]


@pytest.fixture
def processes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Set ``ANALYSIS_PROCESSES`` for the test; the analysis process is stopped before and after."""

    def use(n: int) -> None:
        monkeypatch.setenv("ANALYSIS_PROCESSES", str(n))
        get_settings.cache_clear()

    parallel.stop()
    yield use
    parallel.stop()
    monkeypatch.delenv("ANALYSIS_PROCESSES", raising=False)
    get_settings.cache_clear()


def _stored(space: Space, ids: list[int]) -> list[tuple[Any, ...]]:
    """Every analysis column of the comments (in id order) and their matches by keyword text."""
    with Session(space.engine) as s:
        scores = s.execute(
            text(
                """
                SELECT sentiment, sentiment_score, is_spam, spam_reasons, has_profanity, language, fingerprint,
                       lemmas, match_count, analyzed_hash = content_hash, search_vector::text,
                       (SELECT coalesce(jsonb_agg(jsonb_build_array(k.text, m.matched_text, m.start, m."end",
                                                  m.lemmas, m.fuzzy, m.snippet, m.highlight_start, m.highlight_end)
                                      ORDER BY m.start, k.text), '[]')
                        FROM keyword_matches AS m JOIN keywords AS k ON k.id = m.keyword_id
                        WHERE m.comment_id = c.id)
                FROM comments AS c WHERE c.id = ANY(:ids) ORDER BY c.id
                """
            ),
            {"ids": ids},
        ).all()
    return [tuple(r) for r in scores]


def _wait_dead(pid: int) -> None:
    """Until the killed child has ended, without reaping it (the kill is asynchronous, and a process
    whose main thread is already a zombie is not ended while its other thread still exits)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not die")


def _gone(pid: int) -> bool:
    """Neither running nor a zombie: the process was reaped."""
    return not os.path.exists(f"/proc/{pid}")


@pytest.mark.parametrize("head", [None, 200], ids=["one-batch", "read-in-two"])
def test_both_paths_store_identical_rows(
    engine: Engine, processes: Any, monkeypatch: pytest.MonkeyPatch, head: int | None
) -> None:
    """With ``head``, the batch is read in two (its first 200 rows, then the rest), and the child gets
    them as two batches: the second one queued while it analyzes the first."""
    if head is not None:
        monkeypatch.setattr(apply, "FIRST_ROWS", head)
    sent: list[int] = []
    analyze = parallel.AnalysisProcess.analyze

    def noting(self: parallel.AnalysisProcess, key: Any, rows: Any, sizes: Any) -> parallel.Batch:
        sent.append(len(rows))
        return analyze(self, key, rows, sizes)

    monkeypatch.setattr(parallel.AnalysisProcess, "analyze", noting)
    corpus = _corpus()
    here = Space(engine, *make_community(engine))
    beside = Space(engine, *make_community(engine))
    late = "Розыгрыш iPhone среди подписчиков, переходи по ссылке в профиле"
    corpus[BATCH // 2] = (late, 5)  # its third copy: the two stored earlier get flagged by the batch
    for space in (here, beside):
        space.analyze(space.comments(late, post=1) + space.comments(late, post=2))
    here_ids, beside_ids = _fill(here, corpus), _fill(beside, corpus)

    processes(1)
    here_counts = here.analyze(here_ids)
    assert parallel.child_pid() is None  # in-process
    processes(2)
    beside_counts = beside.analyze(beside_ids)
    assert parallel.child_pid() is not None  # the analysis process did it
    assert sent == ([BATCH] if head is None else [head, BATCH - head])

    assert here_counts == beside_counts
    assert here_counts.analyzed == BATCH
    assert here_counts.matches > BATCH // 2
    assert here_counts.duplicates_flagged == 2
    here_rows, beside_rows = _stored(here, here_ids), _stored(beside, beside_ids)
    assert here_rows == beside_rows
    assert any("duplicate_text" in (r[3] or []) for r in beside_rows)
    assert any(r[2] for r in beside_rows)
    assert any(r[4] for r in beside_rows)

    # an edited text and a forced re-analysis: the same again on both paths
    for space, ids in ((here, here_ids), (beside, beside_ids)):
        space.edit(ids[0], "Продаю квартиру, доставка мебели бесплатно")
    processes(1)
    here_again = here.analyze(here_ids, force=True)
    processes(2)
    beside_again = beside.analyze(beside_ids, force=True)
    assert here_again == beside_again
    assert _stored(here, here_ids) == _stored(beside, beside_ids)


def test_a_small_batch_stays_in_process(space: Space, processes: Any) -> None:
    processes(2)
    ids = _fill(space, _corpus(parallel.MIN_BATCH - 1))
    assert space.analyze(ids).analyzed == parallel.MIN_BATCH - 1
    assert parallel.child_pid() is None


def test_a_process_with_other_threads_does_not_fork(space: Space, processes: Any) -> None:
    processes(2)
    ids = _fill(space, _corpus())
    release = threading.Event()
    other = threading.Thread(target=release.wait, name="someone-else")
    other.start()
    try:
        assert space.analyze(ids).analyzed == BATCH  # in-process: a fork could inherit a held lock
    finally:
        release.set()
        other.join()
    assert parallel.child_pid() is None


GATE_ROW = 150  # in the child's second chunk (rows 100-299 of 600)


@pytest.mark.parametrize("check_every", [parallel.CHECK_EVERY, 10**6], ids=["claims-read-often", "claims-overrun"])
def test_a_lagging_child_leaves_rows_to_the_parent_and_every_row_is_stored_once(
    engine: Engine, processes: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, check_every: int
) -> None:
    """The child stops at row 150 until the parent has claimed rows 200 and on (a file is the gate);
    the parent writes the child's chunks and its own, each row once, the same rows as in-process. With
    claims read only at a chunk's start, the child analyzes rows 200-299 too, after the parent claimed
    them: the parent's copy is the one written."""
    corpus = _corpus()
    gate_text = "Квартира у парка, доставка ключей курьером — здесь анализ ждёт, пока родитель заберёт хвост"
    corpus[GATE_ROW] = (gate_text, 3)
    here = Space(engine, *make_community(engine))
    beside = Space(engine, *make_community(engine))
    here_ids, beside_ids = _fill(here, corpus), _fill(beside, corpus)
    processes(1)
    here.analyze(here_ids)

    processes(2)
    monkeypatch.setattr(parallel, "CHECK_EVERY", check_every)  # the fork inherits it
    with Session(beside.engine) as s:
        ruleset = beside.cache.get(s, beside.workspace_id)
    analyze = ruleset.analyzer.analyze
    parent = os.getpid()
    gate = tmp_path / "claimed"

    def waits_in_child(comment_text: str) -> Any:
        if comment_text == gate_text and os.getpid() != parent:
            deadline = time.monotonic() + 10
            while not gate.exists() and time.monotonic() < deadline:
                time.sleep(0.005)
        return analyze(comment_text)

    monkeypatch.setattr(ruleset.analyzer, "analyze", waits_in_child)
    prepare = apply.prepare
    in_parent: list[int] = []  # rows (comment ids) the parent analyzed

    def noting(ruleset: Any, comment_id: int, comment_text: str, analysis: Any) -> Any:
        if os.getpid() == parent:
            in_parent.append(comment_id)
        return prepare(ruleset, comment_id, comment_text, analysis)

    monkeypatch.setattr(apply, "prepare", noting)
    written: list[int] = []
    write = apply._ChunkWriter.write

    def counting(self: apply._ChunkWriter, rows: Any, prepared: Any) -> Any:
        assert [r.id for r in rows] == [p[0] for p in prepared]
        written.append(len(prepared))
        return write(self, rows, prepared)

    monkeypatch.setattr(apply._ChunkWriter, "write", counting)
    claims: list[int] = []
    child_chunks: list[tuple[int, int]] = []
    claim, receive = parallel.Batch.claim, parallel.Batch.receive

    def noting_claim(self: parallel.Batch, start: int) -> None:
        claims.append(start)
        claim(self, start)
        if start <= 2 * parallel.FIRST:
            gate.touch()

    def noting_receive(self: parallel.Batch) -> Any:
        chunk = receive(self)
        if chunk is not None:
            child_chunks.append((chunk[0], chunk[0] + len(chunk[1])))
        return chunk

    monkeypatch.setattr(parallel.Batch, "claim", noting_claim)
    monkeypatch.setattr(parallel.Batch, "receive", noting_receive)
    claim_start = parallel.claim_start
    # no claim before the child's first chunk is in, so the sequence below does not depend on timing
    monkeypatch.setattr(parallel, "claim_start", lambda done, start: claim_start(done, start) if done else None)
    counts = beside.analyze(beside_ids)

    assert parallel.child_pid() is not None
    assert claims == [500, 400, 300, 200]  # while nothing was ready, down to one claim above the child
    assert counts.analyzed == sum(written) == BATCH  # every row written, none twice
    assert sorted(in_parent) == beside_ids[200:]
    overrun = 300 if check_every > BATCH else 200
    assert child_chunks == [(0, 100), (100, overrun)]  # the child's rows past 200 were not written
    assert _stored(here, here_ids) == _stored(beside, beside_ids)
    assert len(beside.matches()) == counts.matches == counts.new_matches


def test_a_killed_child_fails_the_batch_and_the_retry_stores_every_comment_once(
    space: Space, processes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    processes(2)
    monkeypatch.setattr(parallel, "CLAIM", 0)  # the parent takes no rows back: the child meets the marker
    corpus = _corpus()
    marker = BATCH - 20  # in the last chunk: earlier chunks are already written when the child dies
    corpus[marker] = ("Сдаю квартиру, доставка бесплатно — на этом тексте процесс анализа умрёт", 1)
    ids = _fill(space, corpus)
    heard: list[StoredMatch] = []
    space.hooks.append(lambda _s, _ws, matches: heard.extend(matches))

    with Session(space.engine) as s:
        ruleset = space.cache.get(s, space.workspace_id)
    analyze = ruleset.analyzer.analyze
    parent = os.getpid()

    def dies_on_marker(comment_text: str) -> Any:
        if "процесс анализа умрёт" in comment_text:
            if os.getpid() == parent:
                raise AssertionError("analyzed in-process: the test expects the analysis process")
            os.kill(os.getpid(), signal.SIGKILL)
        return analyze(comment_text)

    monkeypatch.setattr(ruleset.analyzer, "analyze", dies_on_marker)  # the fork inherits it
    written: list[int] = []
    write = apply._ChunkWriter.write

    def counting(self: apply._ChunkWriter, rows: Any, prepared: Any) -> Any:
        written.append(len(prepared))
        return write(self, rows, prepared)

    monkeypatch.setattr(apply._ChunkWriter, "write", counting)

    with pytest.raises(parallel.AnalysisProcessFailed, match="killed by signal 9"):
        space.analyze(ids)
    dead = parallel.child_pid()
    assert dead is None  # the parent dropped it ...
    assert written
    assert sum(written) < BATCH
    with Session(space.engine) as s:  # ... and the rollback left nothing of it
        assert (
            s.execute(
                text("SELECT count(*) FROM comments WHERE id = ANY(:ids) AND analyzed_hash IS NOT NULL"), {"ids": ids}
            ).scalar_one()
            == 0
        )
        assert (
            s.execute(
                text("SELECT count(*) FROM keyword_matches WHERE comment_id = ANY(:ids)"), {"ids": ids}
            ).scalar_one()
            == 0
        )
    assert heard == []

    monkeypatch.setattr(ruleset.analyzer, "analyze", analyze)  # the retry's fresh fork analyzes normally
    counts = space.analyze(ids)
    assert counts.analyzed == BATCH
    assert counts.new_matches == counts.matches > 0
    stored = space.matches()
    assert len(stored) == counts.matches
    assert len({(m[1], m[2], m[3]) for m in stored}) == len(stored)  # every match once
    assert sorted(m.id for m in heard) == sorted(m[0] for m in stored)  # published once each
    with Session(space.engine) as s:
        assert (
            s.execute(
                text("SELECT count(*) FROM comments WHERE id = ANY(:ids) AND analyzed_hash = content_hash"),
                {"ids": ids},
            ).scalar_one()
            == BATCH
        )

    again = space.analyze(ids)  # the at-least-once redelivery of the retried message: nothing to do
    assert (again.analyzed, again.new_matches) == (0, 0)
    assert len(space.matches()) == len(stored)


def test_no_zombies_a_child_dead_between_batches_is_replaced_and_every_child_is_reaped(
    space: Space, processes: Any
) -> None:
    processes(2)
    ids = _fill(space, _corpus())
    first_half, second_half = ids[: BATCH // 2], ids[BATCH // 2 :]
    space.analyze(first_half)
    first = parallel.child_pid()
    assert first is not None

    os.kill(first, signal.SIGKILL)  # dies while idle (out of memory, say)
    _wait_dead(first)
    counts = space.analyze(second_half)  # noticed before use: a new child, the batch succeeds
    assert counts.analyzed == len(second_half)
    second = parallel.child_pid()
    assert second is not None
    assert second != first
    assert _gone(first)

    space.keyword("метро")  # new rules: the child lacks them, a fresh fork replaces it
    space.analyze(ids)
    third = parallel.child_pid()
    assert third is not None
    assert third not in (first, second)
    assert _gone(second)

    parallel.stop()
    assert parallel.child_pid() is None
    assert _gone(third)


def test_chunk_sizes_cover_the_batch_short_at_both_ends() -> None:
    for n in (1, 199, 200, 201, 700, 1000, 1001, 5000):
        sizes = parallel.chunk_sizes(n)
        assert sum(sizes) == n
        assert max(sizes) <= parallel.CHUNK
        if n > 2 * parallel.FIRST:
            assert sizes[0] == sizes[-1] == parallel.FIRST


def test_an_engine_error_in_the_child_fails_the_batch_and_names_it(
    space: Space, processes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    processes(2)
    monkeypatch.setattr(parallel, "CLAIM", 0)  # the parent takes no rows back: the child meets the marker
    corpus = _corpus()
    corpus[BATCH // 2] = ("на этом тексте движок ошибается", 1)
    ids = _fill(space, corpus)
    with Session(space.engine) as s:
        ruleset = space.cache.get(s, space.workspace_id)
    analyze = ruleset.analyzer.analyze

    def fails_on_marker(comment_text: str) -> Any:
        if "движок ошибается" in comment_text:
            raise ValueError("engine bug")
        return analyze(comment_text)

    monkeypatch.setattr(ruleset.analyzer, "analyze", fails_on_marker)
    with pytest.raises(parallel.AnalysisProcessFailed, match="ValueError: engine bug"):
        space.analyze(ids)
    assert parallel.child_pid() is None
    assert space.matches() == []
    monkeypatch.setattr(ruleset.analyzer, "analyze", analyze)
    assert space.analyze(ids).analyzed == BATCH


def test_an_engine_error_in_the_parents_share_fails_the_batch_and_stops_the_child(
    space: Space, processes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    processes(2)
    corpus = _corpus()
    corpus[-1] = ("на этом тексте движок ошибается у родителя", 1)  # the parent's first claim holds it
    ids = _fill(space, corpus)
    with Session(space.engine) as s:
        ruleset = space.cache.get(s, space.workspace_id)
    analyze = ruleset.analyzer.analyze
    parent = os.getpid()

    def slow_child_failing_parent(comment_text: str) -> Any:
        if os.getpid() != parent:
            time.sleep(0.005)  # the first chunk takes 0.5 s: the parent claims from the end meanwhile
        elif "движок ошибается" in comment_text:
            raise ValueError("engine bug in the parent")
        return analyze(comment_text)

    monkeypatch.setattr(ruleset.analyzer, "analyze", slow_child_failing_parent)
    with pytest.raises(ValueError, match="engine bug in the parent"):
        space.analyze(ids)
    assert parallel.child_pid() is None  # abandoned half-way: killed and reaped
    assert space.matches() == []
    monkeypatch.setattr(ruleset.analyzer, "analyze", analyze)
    assert space.analyze(ids).analyzed == BATCH


def test_a_write_error_stops_the_child_so_no_stale_result_reaches_the_next_batch(
    space: Space, processes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    processes(2)
    ids = _fill(space, _corpus())
    write = apply._ChunkWriter.write
    calls: list[int] = []

    def fails_second(self: apply._ChunkWriter, rows: Any, prepared: Any) -> Any:
        calls.append(len(prepared))
        if len(calls) == 2:
            raise RuntimeError("database gone")
        return write(self, rows, prepared)

    monkeypatch.setattr(apply._ChunkWriter, "write", fails_second)
    space.analyze(ids[:10])  # warm the analyzer cache in-process (small batch)
    calls.clear()
    with pytest.raises(RuntimeError, match="database gone"):
        space.analyze(ids)
    assert parallel.child_pid() is None  # abandoned half-way: killed and reaped
    monkeypatch.setattr(apply._ChunkWriter, "write", write)
    counts = space.analyze(ids)
    assert counts.analyzed == BATCH - 10
    with Session(space.engine) as s:
        assert (
            s.execute(
                text("SELECT count(*) FROM comments WHERE id = ANY(:ids) AND analyzed_hash = content_hash"),
                {"ids": ids},
            ).scalar_one()
            == BATCH
        )
