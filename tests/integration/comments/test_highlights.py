"""List rows carry their matches' offsets, so a screen can mark the matched forms without a detail call."""

from __future__ import annotations

from vkc.comments.filters import CommentFilters
from vkc.comments.search import search_comments
from vkc.db.engine import session_scope

from tests.support.world import World


def test_each_row_has_its_matches_in_text_order(world: World) -> None:
    with session_scope() as s:
        page = search_comments(s, world.workspace_id, CommentFilters())
    by_name = dict(zip(world.names([c.id for c in page.items]), page.items, strict=True))
    a = by_name["a"]
    assert [(h.keyword_text, a.text[h.start : h.end]) for h in a.highlights] == [
        ("банк", "Банк"),
        ("кредит", "кредиту"),
        ("банк", "банк"),
    ]
    assert [h.keyword_id for h in a.highlights] == [world.keywords[k] for k in ("bank", "credit", "bank")]
    b = by_name["b"]
    assert [b.text[h.start : h.end] for h in b.highlights] == ["банки"]
    assert by_name["d"].highlights == []
    assert by_name["e"].highlights == []


def test_the_other_workspaces_matches_never_show(world: World) -> None:
    with session_scope() as s:
        page = search_comments(s, world.other_workspace_id, CommentFilters())
    assert [len(c.highlights) for c in page.items] == [1]
