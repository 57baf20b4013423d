"""Bulk upserts: exactly once, changes detected, nothing doubled when a task runs twice."""

from __future__ import annotations

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session
from vkc.collection.rows import comment_row
from vkc.collection.store import upsert_comments
from vkc.db.models_collection import Comment

from tests.support.factories import make_community, vk_comment


def _rows(ws, community, comments):
    return [
        comment_row(c, workspace_id=ws, community_id=community, owner_id=-1001, post_id=5, job_id=None)
        for c in comments
    ]


def test_second_run_of_the_same_page_changes_nothing(engine: Engine) -> None:
    ws, community = make_community(engine)
    page = [vk_comment(i, f"комментарий {i}") for i in range(1, 2501)]
    with Session(engine) as s, s.begin():
        first = upsert_comments(s, _rows(ws, community, page))
    with Session(engine) as s, s.begin():
        second = upsert_comments(s, _rows(ws, community, page))
        stored = s.scalar(select(func.count()).select_from(Comment).where(Comment.workspace_id == ws))
    assert (first.inserted, first.changed) == (2500, 0)
    assert (second.inserted, second.changed, second.touched_ids) == (0, 0, [])
    assert stored == 2500
    # not analyzed yet (the first writer died before queuing them): the repeat hands them to analysis
    assert sorted(second.unanalyzed_ids) == sorted(first.touched_ids)
    with Session(engine) as s, s.begin():
        s.execute(update(Comment).where(Comment.workspace_id == ws).values(analyzed_hash=Comment.content_hash))
    with Session(engine) as s, s.begin():
        third = upsert_comments(s, _rows(ws, community, page))
    assert (third.touched_ids, third.unanalyzed_ids) == ([], [])


def test_edited_text_and_new_likes_are_changes_only_for_those_rows(engine: Engine) -> None:
    ws, community = make_community(engine)
    with Session(engine) as s, s.begin():
        upsert_comments(s, _rows(ws, community, [vk_comment(1, "до"), vk_comment(2, "без изменений")]))
    with Session(engine) as s, s.begin():
        again = upsert_comments(
            s, _rows(ws, community, [vk_comment(1, "после"), vk_comment(2, "без изменений", likes=3)])
        )
        texts = dict(s.execute(select(Comment.comment_id, Comment.text).where(Comment.workspace_id == ws)).all())
    assert (again.inserted, again.changed) == (0, 2)
    assert texts == {1: "после", 2: "без изменений"}


def test_duplicates_inside_one_batch_are_stored_once(engine: Engine) -> None:
    ws, community = make_community(engine)
    with Session(engine) as s, s.begin():
        result = upsert_comments(s, _rows(ws, community, [vk_comment(7, "раз"), vk_comment(7, "раз")]))
    assert result.inserted == 1


def test_replies_keep_their_thread_root(engine: Engine) -> None:
    ws, community = make_community(engine)
    with Session(engine) as s, s.begin():
        upsert_comments(s, _rows(ws, community, [vk_comment(1, "корень"), vk_comment(2, "ответ", root=1)]))
        rows = s.execute(select(Comment.comment_id, Comment.root_comment_id).where(Comment.workspace_id == ws)).all()
        roots = dict(rows)
    assert roots == {1: None, 2: 1}


def test_same_comment_id_in_two_workspaces_are_two_rows(engine: Engine) -> None:
    ws_a, com_a = make_community(engine)
    ws_b, com_b = make_community(engine)
    with Session(engine) as s, s.begin():
        a = upsert_comments(s, _rows(ws_a, com_a, [vk_comment(1, "a")]))
        b = upsert_comments(s, _rows(ws_b, com_b, [vk_comment(1, "b")]))
    assert (a.inserted, b.inserted) == (1, 1)


def test_concurrent_writers_with_overlapping_authors_never_deadlock(engine: Engine) -> None:
    """Regression: two page writers upserting the same authors in opposite orders deadlocked (40P01)."""
    from concurrent.futures import ThreadPoolExecutor

    from vkc.collection.store import upsert_authors

    ws, _ = make_community(engine)
    authors = [
        {"workspace_id": str(ws), "vk_id": i, "name": f"Автор {i}", "screen_name": None, "photo_url": None,
         "deactivated": None, "is_closed": False}
        for i in range(1, 3001)
    ]  # fmt: skip

    def write(rows: list[dict]) -> None:
        for round_ in range(5):
            changed = [{**r, "name": f"{r['name']} {round_}"} for r in rows]
            with Session(engine) as s, s.begin():
                upsert_authors(s, changed)

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(write, [authors, list(reversed(authors))]))
