"""/v1/comments over HTTP through the local stack: filters, pages, detail, moderation, isolation, errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from vkc.db.engine import get_engine

from devtools.local_stack import LocalStack
from tests.support.world import World
from tests.support.world_api import world_api_fixtures

pytestmark = pytest.mark.e2e
PROBLEM = "application/problem+json"


stack, world, api, other = world_api_fixtures("m")


def names(world: World, response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return world.names([item["id"] for item in response.json()["items"]])


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def test_every_filter_over_http(api: httpx.Client, world: World) -> None:
    c1, c2 = world.communities["c1"], world.communities["c2"]
    bank, credit = world.keywords["bank"], world.keywords["credit"]
    cases: list[tuple[Any, list[str]]] = [
        ({}, ["d", "c", "b", "a", "e"]),
        ({"community_id": str(c2)}, ["d", "e"]),
        ([("community_id", str(c1)), ("community_id", str(c2))], ["d", "c", "b", "a", "e"]),
        ({"community_id": f"{c1},{c2}"}, ["d", "c", "b", "a", "e"]),
        ({"post": "-101_1"}, ["b", "a"]),
        ([("keyword_id", str(bank)), ("keyword_id", str(credit))], ["b", "a"]),
        ({"category": "education"}, ["c"]),
        ({"author": "11"}, ["c", "a"]),
        ({"date_from": "2024-01-10T11:00:00Z", "date_to": "2024-03-01"}, ["c", "b"]),
        ({"sentiment": "negative"}, ["b", "a"]),
        ({"is_spam": "true"}, ["d"]),
        ({"has_profanity": "true"}, ["b"]),
        ({"has_match": "false"}, ["d", "e"]),
        ({"viewed": "true"}, ["c"]),
        ({"archived": "true"}, ["d"]),
        ({"language": "ru", "has_match": "true"}, ["c", "b", "a"]),
        ({"q": "банки, ставка"}, ["a"]),  # a comma inside q stays in q
        ({"sort": "likes_desc"}, ["c", "a", "b", "e", "d"]),
        ({"sort": "match_count_desc", "limit": "2"}, ["a", "c"]),
    ]
    for params, expected in cases:
        assert names(world, api.get("/v1/comments", params=params)) == expected, params


def test_items_carry_author_keywords_and_link(api: httpx.Client, world: World) -> None:
    items = api.get("/v1/comments", params={"post": "-101_1"}).json()["items"]
    b, a = items
    assert a["author"] == {
        "vk_id": 11,
        "name": "Иван Петров",
        "screen_name": "id11",
        "photo_url": None,
        "url": "https://vk.com/id11",
    }
    assert [(k["text"], k["matches"]) for k in a["keywords"]] == [("банк", 2), ("кредит", 1)]
    assert a["url"] == "https://vk.com/wall-101_1?reply=1"
    assert b["url"] == "https://vk.com/wall-101_1?reply=2&thread=1"


def test_pages_are_stable_while_comments_arrive(api: httpx.Client, world: World, stack: LocalStack) -> None:
    first = api.get("/v1/comments", params={"limit": 2}).json()
    assert world.names([i["id"] for i in first["items"]]) == ["d", "c"]
    # a newer comment arrives between pages: the next page continues where the first ended
    from sqlalchemy import text

    with get_engine(stack.settings).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO comments (workspace_id, community_id, owner_id, post_id, comment_id, text, date, "
                "content_hash, attachments, is_deleted, match_count) VALUES (:w, :c, -202, 1, 99, 'новый', "
                "'2030-01-01', 'x', '[]', false, 0)"
            ),
            {"w": world.workspace_id, "c": world.communities["c2"]},
        )
    try:
        seen = [i["id"] for i in first["items"]]
        cursor = first["next_cursor"]
        while cursor:
            page = api.get("/v1/comments", params={"limit": 2, "cursor": cursor}).json()
            seen += [i["id"] for i in page["items"]]
            cursor = page["next_cursor"]
        assert world.names(seen) == ["d", "c", "b", "a", "e"]
    finally:
        with get_engine(stack.settings).begin() as conn:
            conn.execute(
                text("DELETE FROM comments WHERE workspace_id = :w AND comment_id = 99"), {"w": world.workspace_id}
            )


def test_count(api: httpx.Client) -> None:
    assert api.get("/v1/comments/count").json() == {"count": 5}
    assert api.get("/v1/comments/count", params={"category": "finance"}).json() == {"count": 2}


def test_bad_input_is_a_problem(api: httpx.Client) -> None:
    assert_problem(api.get("/v1/comments", params={"cursor": "not-a-cursor"}), 422)
    cursor = api.get("/v1/comments", params={"limit": 1}).json()["next_cursor"]
    body = assert_problem(api.get("/v1/comments", params={"cursor": cursor, "sort": "likes_desc"}), 422)
    assert "sort=date_desc" in body["detail"]
    assert_problem(api.get("/v1/comments", params={"limit": 101}), 422)
    assert_problem(api.get("/v1/comments", params={"limit": 0}), 422)
    assert_problem(api.get("/v1/comments", params={"sort": "random"}), 422)
    assert_problem(api.get("/v1/comments", params={"community_id": "nope"}), 422)
    assert_problem(api.get("/v1/comments", params={"sentiment": "angry"}), 422)
    assert_problem(api.get("/v1/comments", params={"date_from": "yesterday"}), 422)
    inverted = api.get("/v1/comments", params={"date_from": "2024-02-01", "date_to": "2024-01-01"})
    assert inverted.status_code == 200  # an empty range: nothing is in it
    assert inverted.json()["items"] == []
    assert_problem(api.get("/v1/comments", params={"post": "club1"}), 422)
    assert_problem(api.get("/v1/comments", params={"q": "x" * 300}), 422)
    assert_problem(api.get("/v1/comments/abc"), 422)
    assert_problem(api.post("/v1/comments/bulk", json={"filters": {}, "set": {}}), 422)
    assert_problem(api.post("/v1/comments/bulk", json={"filters": {"nope": 1}, "set": {"viewed": True}}), 422)


def test_routes_are_not_taken_for_ids(api: httpx.Client) -> None:
    assert api.get("/v1/comments/count").status_code == 200
    # /comments/bulk is a path of its own (POST), not a comment id: GET there is a 405, as the gateway says
    bulk = api.get("/v1/comments/bulk")
    assert_problem(bulk, 405)
    assert bulk.headers["allow"] == "POST"
    assert_problem(api.get("/v1/comments/abc"), 422)
    assert api.post("/v1/comments/bulk", json={"filters": {"post": "-1_1"}, "set": {"viewed": True}}).json() == {
        "changed": 0
    }
    assert_problem(api.post("/v1/comments/count"), 405)


def test_detail_with_matches_thread_post_community(api: httpx.Client, world: World) -> None:
    response = api.get(f"/v1/comments/{world.comments['a']}")
    assert response.status_code == 200, response.text
    a = response.json()
    assert [(m["keyword_text"], m["matched_text"], m["start"], m["end"]) for m in a["matches"]] == [
        ("банк", "Банк", 0, 4),
        ("кредит", "кредиту", 28, 35),
        ("банк", "банк", 37, 41),
    ]
    assert a["matches"][0]["category"] == "finance"
    assert a["thread"]["root"]["id"] == world.comments["a"]
    assert [r["id"] for r in a["thread"]["replies"]] == [world.comments["b"]]
    assert a["thread"]["replies_total"] == 1
    assert a["post"]["url"] == "https://vk.com/wall-101_1"
    assert a["community"]["name"] == "Городские новости"
    assert a["url"] == "https://vk.com/wall-101_1?reply=1"
    b = api.get(f"/v1/comments/{world.comments['b']}").json()
    assert b["thread"]["root"]["id"] == world.comments["a"]
    assert b["thread"]["root"]["author_name"] == "Иван Петров"
    assert b["url"] == "https://vk.com/wall-101_1?reply=2&thread=1"


def test_another_workspace_gets_404(api: httpx.Client, other: httpx.Client, world: World) -> None:
    mine = world.comments["a"]
    assert_problem(other.get(f"/v1/comments/{mine}"), 404)
    assert_problem(other.post(f"/v1/comments/{mine}/viewed"), 404)
    assert_problem(other.delete(f"/v1/comments/{mine}/archived"), 404)
    assert_problem(api.get(f"/v1/comments/{world.other_comment}"), 404)
    assert_problem(api.get("/v1/comments/999999999"), 404)
    # other's bulk over "everything" touches only its own comment
    assert other.post("/v1/comments/bulk", json={"filters": {}, "set": {"viewed": True}}).json() == {"changed": 1}
    assert api.get(f"/v1/comments/{mine}").json()["viewed_at"] is None


def test_moderation_one_by_one(api: httpx.Client, world: World) -> None:
    b = world.comments["b"]
    first = api.post(f"/v1/comments/{b}/viewed")
    assert first.status_code == 200, first.text
    assert first.json()["viewed_at"] is not None
    again = api.post(f"/v1/comments/{b}/viewed").json()
    assert again["viewed_at"] == first.json()["viewed_at"]  # idempotent: keeps the first time
    archived = api.post(f"/v1/comments/{b}/archived").json()
    assert archived["archived_at"] is not None
    assert archived["viewed_at"] is not None
    assert world.comments["b"] in [
        i["id"] for i in api.get("/v1/comments", params={"archived": "true"}).json()["items"]
    ]
    assert api.delete(f"/v1/comments/{b}/archived").json()["archived_at"] is None
    assert api.delete(f"/v1/comments/{b}/viewed").json()["viewed_at"] is None


def test_bulk_moderation_by_filter(api: httpx.Client, world: World) -> None:
    body = {"filters": {"keyword_id": [str(world.keywords["bank"])]}, "set": {"viewed": True}}
    assert api.post("/v1/comments/bulk", json=body).json() == {"changed": 2}  # a (3 matches) and b: once each
    assert api.post("/v1/comments/bulk", json=body).json() == {"changed": 0}
    assert names(world, api.get("/v1/comments", params={"viewed": "true"})) == ["c", "b", "a"]
    both = {"filters": {"community_id": [str(world.communities["c1"])]}, "set": {"viewed": False, "archived": True}}
    assert api.post("/v1/comments/bulk", json=both).json() == {"changed": 3}
    assert names(world, api.get("/v1/comments", params={"archived": "true"})) == ["d", "c", "b", "a"]
    undo = {"filters": {"community_id": [str(world.communities["c1"])]}, "set": {"archived": False}}
    assert api.post("/v1/comments/bulk", json=undo).json() == {"changed": 3}
    restore = {"filters": {"post": "-101_2"}, "set": {"viewed": True}}
    assert api.post("/v1/comments/bulk", json=restore).json() == {"changed": 1}
