"""Analyzing stored comments: scores and matches written once, idempotently, scoped to the workspace."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from vkc.analysis_store.hooks import StoredMatch
from vkc.db.models_collection import Comment

from tests.integration.analysis_store.conftest import Space


def _scores(space: Space, ids: list[int]) -> list[tuple[Any, ...]]:
    with Session(space.engine) as s:
        return [
            tuple(r)
            for r in s.execute(
                select(
                    Comment.id,
                    Comment.sentiment,
                    Comment.sentiment_score,
                    Comment.is_spam,
                    Comment.spam_reasons,
                    Comment.has_profanity,
                    Comment.language,
                    Comment.fingerprint,
                    Comment.lemmas,
                    Comment.match_count,
                    Comment.analyzed_hash,
                    Comment.analyzed_rules,
                    text("search_vector::text"),
                )
                .where(Comment.id.in_(ids))
                .order_by(Comment.id)
            )
        ]


def test_scores_matches_and_search_vector_are_written(space: Space) -> None:
    kw = space.keyword("квартира", category="жильё")
    ids = space.comments("Сдаю квартиру у метро, отличная квартира!", "Ужасная доставка, всё сломано", "")
    counts = space.analyze(ids)
    assert (counts.comments, counts.analyzed, counts.matches) == (3, 3, 2)
    first, second, empty = (space.row(i) for i in ids)
    assert first.match_count == 2
    assert second.match_count == 0
    assert empty.match_count == 0
    assert first.analyzed_hash == first.content_hash
    assert first.analyzed_rules
    assert len(first.analyzed_rules) == 32
    assert first.language == "ru"
    assert second.sentiment == "negative"
    assert (second.sentiment_score or 0) < 0
    assert first.fingerprint
    assert first.lemmas
    assert "квартира" in first.lemmas
    with Session(space.engine) as s:
        hit = s.execute(
            text("SELECT id FROM comments WHERE search_vector @@ to_tsquery('russian', 'квартирами')")
        ).scalars()
        assert ids[0] in set(hit)
    found = space.matches()
    assert [(m[1], m[2], m[5]) for m in found] == [(ids[0], kw.id, "квартиру"), (ids[0], kw.id, "квартира")]
    for _, comment_id, _, start, end, matched in found:
        assert space.row(comment_id).text[start:end] == matched


def test_rerun_changes_nothing_and_forced_rerun_keeps_the_same_rows(space: Space) -> None:
    space.keyword("доставка")
    space.keyword("сдать квартиру", kind="phrase")
    ids = space.comments("Доставку ждали неделю, квартиру сдать не смогли", "квартира сдаётся, доставка бесплатно")
    space.analyze(ids)
    matches, scores = space.matches(), _scores(space, ids)
    assert len(matches) == 3
    again = space.analyze(ids)
    assert again.analyzed == 0
    assert again.comments == 2
    forced = space.analyze(ids, force=True)
    assert forced.analyzed == 2
    assert forced.new_matches == 0
    assert space.matches() == matches  # same rows, same ids: nothing deleted and re-inserted
    assert _scores(space, ids) == scores


def test_a_new_keyword_finds_old_comments(space: Space) -> None:
    ids = space.comments("Где ближайший Сбербанк?", "в сбербанке очередь")
    assert space.analyze(ids).matches == 0
    assert space.analyze(ids).analyzed == 0
    kw = space.keyword("сбербанк")
    counts = space.analyze(ids)
    assert (counts.analyzed, counts.matches, counts.new_matches) == (2, 2, 2)
    assert {m[2] for m in space.matches()} == {kw.id}


def test_an_edited_comment_is_analyzed_again(space: Space) -> None:
    space.keyword("квартира")
    [cid] = space.comments("ничего интересного")
    space.analyze([cid])
    space.edit(cid, "продаю квартиру")
    counts = space.analyze([cid])
    assert (counts.analyzed, counts.matches) == (1, 1)
    assert space.row(cid).match_count == 1


def test_another_workspaces_comments_are_ignored(space: Space, engine: Any) -> None:
    from tests.support.factories import make_community

    other = Space(engine, *make_community(engine, vk_id=2002))
    other.keyword("квартира")
    [foreign] = other.comments("квартира")
    counts = space.analyze([foreign])
    assert (counts.comments, counts.analyzed) == (0, 0)
    assert other.row(foreign).analyzed_hash is None


def test_the_scope_counts_the_workspaces_comments_once_whatever_the_ids_repeat_or_belong_to(
    space: Space, engine: Any
) -> None:
    from tests.support.factories import make_community

    other = Space(engine, *make_community(engine, vk_id=2003))
    [foreign] = other.comments("чужой комментарий")
    first, second, third = space.comments("раз", "два", "три")
    space.analyze([first])
    counts = space.analyze([second, third, second, foreign])  # stale ones repeated, another workspace's
    assert (counts.comments, counts.analyzed) == (2, 2)
    counts = space.analyze([first, second, third, third, foreign])  # current ones among them
    assert (counts.comments, counts.analyzed) == (3, 0)
    space.edit(first, "раз, но другой")
    counts = space.analyze([first, second, first])
    assert (counts.comments, counts.analyzed) == (2, 1)


def test_same_text_under_three_posts_is_duplicate_spam(space: Space) -> None:
    spam = "Заработок без вложений, пиши в лс! Подробности в лс"
    a = space.comments(spam, post=1)
    b = space.comments(spam.upper(), post=2)
    space.analyze(a + b)
    assert "duplicate_text" not in (space.row(a[0]).spam_reasons or [])  # two occurrences: not yet
    c = space.comments(spam + " 💰", post=3)
    space.analyze(c)
    for cid in a + b + c:  # the earlier two are flagged too
        row = space.row(cid)
        assert "duplicate_text" in (row.spam_reasons or []), cid
        assert row.is_spam
    same_post = space.comments(*["Отличная статья, спасибо автору за труд"] * 3, post=7)
    short = (
        space.comments("Спасибо!", post=8) + space.comments("Спасибо!", post=9) + space.comments("Спасибо!", post=10)
    )
    space.analyze(same_post + short)
    for cid in same_post + short:
        assert "duplicate_text" not in (space.row(cid).spam_reasons or []), cid


def test_duplicates_count_by_the_analysis_fingerprint_when_the_stored_one_is_stale(space: Space) -> None:
    """A batch is counted up front by the fingerprints the collection stored; a comment stored without
    one, or with one an older engine computed, is counted by what the analysis finds."""
    spam = "Розыгрыш iPhone среди подписчиков, переходи по ссылке в профиле"
    stored = space.comments(spam, post=1) + space.comments(spam, post=2)
    space.analyze(stored)
    missing = space.comments(spam, post=3, fingerprint=False)
    stale = space.comments(spam, post=4)
    with Session(space.engine) as s, s.begin():
        s.execute(text("UPDATE comments SET fingerprint = '00000000deadbeef' WHERE id = :id"), {"id": stale[0]})
    counts = space.analyze(missing + stale)
    assert counts.duplicates_flagged == 2  # the two stored earlier
    for cid in stored + missing + stale:
        row = space.row(cid)
        assert "duplicate_text" in (row.spam_reasons or []), cid
        assert row.fingerprint == space.row(stored[0]).fingerprint  # the analysis stores its own


def test_new_matches_reach_the_hook_once(space: Space, hooks: list[Any]) -> None:
    seen: list[tuple[uuid.UUID, list[StoredMatch]]] = []
    hooks.append(lambda session, ws, matches: seen.append((ws, matches)))
    kw = space.keyword("доставка")
    ids = space.comments("доставка опоздала", "быстрая доставка")
    space.analyze(ids)
    assert len(seen) == 1
    ws, matches = seen[0]
    assert ws == space.workspace_id
    assert [(m.comment_id, m.keyword_id, m.matched_text, m.source) for m in matches] == [
        (ids[0], kw.id, "доставка", "collection"),
        (ids[1], kw.id, "доставка", "collection"),
    ]
    assert {m.id for m in matches} == {m[0] for m in space.matches()}
    space.analyze(ids, force=True)
    assert len(seen) == 1  # nothing new


def test_a_failing_hook_rolls_the_batch_back(space: Space, hooks: list[Any]) -> None:
    def boom(*_: Any) -> None:
        raise RuntimeError("outbox down")

    hooks.append(boom)
    space.keyword("доставка")
    ids = space.comments("доставка опоздала")
    with pytest.raises(RuntimeError):
        space.analyze(ids)
    assert space.matches() == []
    assert space.row(ids[0]).analyzed_hash is None
    hooks.remove(boom)
    assert space.analyze(ids).matches == 1


def test_deleting_a_keyword_takes_its_matches_and_counts(space: Space) -> None:
    from vkc.keywords import service

    kw = space.keyword("доставка")
    keep = space.keyword("курьер")
    ids = space.comments("доставка и курьер опоздали")
    space.analyze(ids)
    assert space.row(ids[0]).match_count == 2
    with Session(space.engine) as s:
        service.delete_keyword(s, space.workspace_id, kw.id, on_change=lambda *_: None)
    assert [m[2] for m in space.matches()] == [keep.id]
    assert space.row(ids[0]).match_count == 1


def test_a_batch_written_in_chunks_counts_across_chunks_and_notifies_once(
    space: Space, hooks: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from vkc.analysis_store import apply

    monkeypatch.setattr(apply, "CHUNK", 2)  # five comments: three chunks, written while the next is analyzed
    seen: list[list[StoredMatch]] = []
    hooks.append(lambda session, ws, matches: seen.append(matches))
    kw = space.keyword("доставка")
    spam = "Заработок без вложений, пиши в лс! Подробности в лс"
    ids = space.comments("доставка опоздала", spam, post=1) + space.comments(spam, "быстрая доставка", spam, post=2)
    counts = space.analyze(ids)
    assert (counts.analyzed, counts.matches, counts.new_matches) == (5, 2, 2)
    assert len(seen) == 1  # one call for the whole batch, in comment order
    assert [(m.comment_id, m.keyword_id) for m in seen[0]] == [(ids[0], kw.id), (ids[3], kw.id)]
    for cid in (ids[1], ids[2], ids[4]):  # the first copy was written before the third was analyzed
        assert "duplicate_text" in (space.row(cid).spam_reasons or []), cid
    matches = space.matches()
    again = space.analyze(ids, force=True)  # a redelivery: the same rows, nothing new
    assert (again.analyzed, again.new_matches) == (5, 0)
    assert space.matches() == matches
    assert len(seen) == 1


def test_the_analysis_transaction_runs_without_jit_and_leaves_the_session_as_it_was(
    space: Space, hooks: list[Any]
) -> None:
    """LLVM compilation cost the duplicate lookup 7-10 ms whenever its estimate passed jit_above_cost."""
    during: list[str] = []
    hooks.append(lambda session, ws, matches: during.append(session.execute(text("SHOW jit")).scalar_one()))
    space.keyword("доставка")
    with Session(space.engine) as s:
        default = s.execute(text("SHOW jit")).scalar_one()
    space.analyze(space.comments("доставка опоздала"))
    assert during == ["off"]
    with Session(space.engine) as s:
        assert s.execute(text("SHOW jit")).scalar_one() == default  # SET LOCAL: this transaction only
