"""One test per filter parameter (the predecessor ignored keyword_id), against real PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pydantic import ValidationError
from vkc.comments import query
from vkc.comments.filters import CommentFilters, PostRef
from vkc.comments.keyset import CommentSort
from vkc.comments.query import fetch_page, iter_comment_batches, iter_comments
from vkc.db.engine import session_scope

from tests.support.world import World, ts


def found(world: World, sort: CommentSort = CommentSort.DATE_DESC, **filters: Any) -> list[str]:
    with session_scope() as s:
        rows, _ = fetch_page(s, world.workspace_id, CommentFilters(**filters), sort, limit=100)
        return world.names([r.id for r in rows])


def test_no_filter_lists_the_workspace_newest_first_undated_last(world: World) -> None:
    assert found(world) == ["d", "c", "b", "a", "e"]
    assert found(world, CommentSort.DATE_ASC) == ["e", "a", "b", "c", "d"]


def test_community_id(world: World) -> None:
    assert found(world, community_id=[world.communities["c2"]]) == ["d", "e"]
    assert found(world, community_id=[world.communities["c1"], world.communities["c2"]]) == ["d", "c", "b", "a", "e"]
    assert found(world, community_id=[uuid.uuid4()]) == []


def test_post(world: World) -> None:
    assert found(world, post="-101_1") == ["b", "a"]
    assert found(world, post="wall-202_1") == ["d", "e"]
    assert found(world, post={"owner_id": -101, "post_id": 2}) == ["c"]
    assert str(PostRef.model_validate("-101_1")) == "-101_1"
    with pytest.raises(ValidationError):
        CommentFilters(post="101")


def test_keyword_id_counts_a_multi_match_comment_once(world: World) -> None:
    assert found(world, keyword_id=[world.keywords["bank"]]) == ["b", "a"]
    # a is matched three times by two keywords: still one row
    assert found(world, keyword_id=[world.keywords["bank"], world.keywords["credit"]]) == ["b", "a"]
    assert found(world, keyword_id=[world.keywords["school"]]) == ["c"]


def test_category(world: World) -> None:
    assert found(world, category=["finance"]) == ["b", "a"]
    assert found(world, category=["finance", "education"]) == ["c", "b", "a"]
    assert found(world, category=["nothing"]) == []


def test_author(world: World) -> None:
    assert found(world, author=[11]) == ["c", "a"]
    assert found(world, author=[12, 13]) == ["d", "b"]


def test_date_from_and_date_to(world: World) -> None:
    assert found(world, date_from=ts("2024-01-10T11:00:00")) == ["d", "c", "b"]
    assert found(world, date_to=ts("2024-01-10T11:00:00")) == ["a"]  # exclusive
    assert found(world, date_from="2024-01-01", date_to="2024-02-01T08:30:01Z") == ["c", "b", "a"]
    assert found(world, date_from="2024-02-01", date_to="2024-01-01") == []  # an empty range
    with pytest.raises(ValidationError):
        CommentFilters(date_from=1706745600)  # a number is not an ISO 8601 date-time


def test_sentiment(world: World) -> None:
    assert found(world, sentiment=["negative"]) == ["b", "a"]
    assert found(world, sentiment=["positive", "neutral"]) == ["d", "c"]
    with pytest.raises(ValidationError):
        CommentFilters(sentiment=["angry"])


def test_is_spam(world: World) -> None:
    assert found(world, is_spam=True) == ["d"]
    assert found(world, is_spam=False) == ["c", "b", "a", "e"]


def test_has_profanity(world: World) -> None:
    assert found(world, has_profanity=True) == ["b"]
    assert found(world, has_profanity=False) == ["d", "c", "a", "e"]


def test_has_match(world: World) -> None:
    assert found(world, has_match=True) == ["c", "b", "a"]
    assert found(world, has_match=False) == ["d", "e"]


def test_viewed(world: World) -> None:
    assert found(world, viewed=True) == ["c"]
    assert found(world, viewed=False) == ["d", "b", "a", "e"]


def test_archived(world: World) -> None:
    assert found(world, archived=True) == ["d"]
    assert found(world, archived=False) == ["c", "b", "a", "e"]


def test_language(world: World) -> None:
    assert found(world, language=["ru"]) == ["d", "c", "b", "a"]
    assert found(world, language=["en"]) == []


def test_q_full_text_in_every_word_form(world: World) -> None:
    assert found(world, q="банк") == ["b", "a"]  # "банки" is a form of "банк"
    assert found(world, q="школы") == ["c"]
    assert found(world, q='"поднял ставки"') == ["a"]
    assert found(world, q="банк -жадный") == ["b"]
    assert found(world, q="телефон or школа") == ["d", "c"]
    assert found(world, q="   ") == found(world)  # blank is no condition
    assert found(world, q="и") == []  # only a stopword: matches nothing, no error


def test_filters_combine(world: World) -> None:
    assert found(world, community_id=[world.communities["c1"]], sentiment=["negative"], has_profanity=False) == ["a"]


def test_sorts(world: World) -> None:
    assert found(world, CommentSort.LIKES_DESC) == ["c", "a", "b", "e", "d"]  # ties by id, same direction
    assert found(world, CommentSort.LIKES_ASC) == ["d", "e", "b", "a", "c"]
    assert found(world, CommentSort.MATCH_COUNT_DESC) == ["a", "c", "b", "e", "d"]
    assert found(world, CommentSort.MATCH_COUNT_ASC) == ["d", "e", "b", "c", "a"]


def test_other_workspace_never_leaks(world: World) -> None:
    with session_scope() as s:
        rows, _ = fetch_page(s, world.other_workspace_id, CommentFilters(keyword_id=[world.keywords["bank"]]))
        assert rows == []
        rows, _ = fetch_page(s, world.other_workspace_id, CommentFilters())
        assert [r.id for r in rows] == [world.other_comment]


@pytest.mark.parametrize("sort", list(CommentSort))
def test_pages_and_stream_walk_every_row_once_in_order(world: World, sort: CommentSort) -> None:
    everything = found(world, sort)
    with session_scope() as s:
        seen: list[int] = []
        cursor = None
        while True:
            rows, cursor = fetch_page(s, world.workspace_id, CommentFilters(), sort, cursor=cursor, limit=2)
            seen += [r.id for r in rows]
            if cursor is None:
                break
        assert world.names(seen) == everything
        streamed = [r.id for r in iter_comments(s, world.workspace_id, CommentFilters(), sort, batch_size=2)]
        assert world.names(streamed) == everything
        batches = list(iter_comment_batches(s, world.workspace_id, CommentFilters(), sort, batch_size=2))
        assert [len(b) for b in batches] == [2, 2, 1]


@pytest.mark.parametrize("few_hits", [4000, -1])  # the GIN-first plan and the ordered index walk
def test_full_text_pages_are_the_same_on_both_access_paths(
    world: World, few_hits: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query, "FEW_TEXT_HITS", few_hits)
    for sort in (CommentSort.DATE_DESC, CommentSort.LIKES_ASC):
        with session_scope() as s:
            seen: list[int] = []
            cursor = None
            while True:
                filters = CommentFilters(q="банк or школа or телефон")
                rows, cursor = fetch_page(s, world.workspace_id, filters, sort, cursor=cursor, limit=1)
                seen += [r.id for r in rows]
                if cursor is None:
                    break
            expected = ["d", "c", "b", "a"] if sort is CommentSort.DATE_DESC else ["d", "b", "a", "c"]
            assert world.names(seen) == expected
