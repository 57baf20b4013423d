"""/v1/stats over HTTP through the local stack: every endpoint, workspace isolation, bad input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devtools.local_stack import LocalStack
from tests.support.world import World
from tests.support.world_api import world_api_fixtures

pytestmark = pytest.mark.e2e
PROBLEM = "application/problem+json"
WINDOW = {"date_from": "2024-01-01T00:00:00Z", "date_to": "2024-01-31T00:00:00Z"}


stack, world, api, _other = world_api_fixtures("s")


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def problem(response: httpx.Response, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


def test_totals_and_isolation(api: httpx.Client, stack: LocalStack, world: World) -> None:
    totals = ok(api.get("/v1/stats/totals"))
    assert (totals["comments"], totals["matches"], totals["matched_comments"], totals["keywords"]) == (5, 5, 3, 3)
    with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": world.other_api_key}, timeout=30) as other:
        theirs = ok(other.get("/v1/stats/totals"))
        assert (theirs["comments"], theirs["matches"]) == (1, 1)
        assert ok(other.get("/v1/stats/keywords"))[0]["matches"] == 1
        assert ok(other.get("/v1/stats/keywords", params={"keyword_id": str(world.keywords["bank"])})) == []


def test_breakdowns(api: httpx.Client, world: World) -> None:
    communities = ok(api.get("/v1/stats/communities"))
    assert [(c["name"], c["comments"], c["matches"]) for c in communities] == [
        ("Городские новости", 3, 5),
        ("Барахолка", 2, 0),
    ]
    keywords = ok(api.get("/v1/stats/keywords", params={"community_id": str(world.communities["c1"])}))
    assert [(k["text"], k["matches"], k["matched_comments"]) for k in keywords] == [
        ("банк", 3, 2),
        ("кредит", 1, 1),
        ("школа", 1, 1),
    ]
    categories = ok(api.get("/v1/stats/categories", params=WINDOW))
    assert [(c["category"], c["matches"], c["matched_comments"]) for c in categories] == [
        ("finance", 4, 2),
        ("education", 0, 0),
    ]


def test_timeline(api: httpx.Client) -> None:
    params = {"interval": "hour", "tz": "Asia/Vladivostok", "date_from": "2024-01-10T10:00:00Z"}
    body = ok(api.get("/v1/stats/timeline", params={**params, "date_to": "2024-01-10T12:00:00Z"}))
    assert body["tz"] == "Asia/Vladivostok"
    assert [(p["start"], p["comments"], p["negative"]) for p in body["points"]] == [
        ("2024-01-10T20:00:00+10:00", 1, 1),
        ("2024-01-10T21:00:00+10:00", 1, 1),
    ]
    days = ok(api.get("/v1/stats/timeline", params={"tz": "UTC", **WINDOW}))
    assert len(days["points"]) == 30
    assert sum(p["comments"] for p in days["points"]) == 2


def test_authors_lemmas_sentiment(api: httpx.Client, world: World) -> None:
    top = ok(api.get("/v1/stats/authors", params={"limit": 2}))
    assert [(a["vk_id"], a["name"], a["comments"]) for a in top] == [(11, "Иван Петров", 2), (12, "Мария Сидорова", 1)]
    lemmas = ok(api.get("/v1/stats/lemmas/top", params={**WINDOW, "limit": 1}))
    assert lemmas["items"] == [{"lemma": "банк", "count": 3}]
    trending = ok(api.get("/v1/stats/lemmas/trending", params=WINDOW))
    assert trending["items"] == []  # nothing reaches the minimum of 5 occurrences
    assert trending["baseline_from"].startswith("2023-12-02")
    overall = ok(api.get("/v1/stats/sentiment"))
    assert overall["rows"][0]["negative"] == 2
    per_keyword = ok(api.get("/v1/stats/sentiment", params={"group_by": "keyword"}))
    assert [(r["name"], r["total"]) for r in per_keyword["rows"]] == [("банк", 2), ("кредит", 1), ("школа", 1)]
    per_community = ok(api.get("/v1/stats/sentiment", params={"group_by": "community", "limit": 1}))
    assert [r["key"] for r in per_community["rows"]] == [str(world.communities["c1"])]


def test_bad_input_is_a_problem(api: httpx.Client) -> None:
    assert "Mars/Olympus" in problem(api.get("/v1/stats/timeline", params={"tz": "Mars/Olympus"}))["detail"]
    problem(api.get("/v1/stats/timeline", params={"interval": "minute"}))
    problem(
        api.get(
            "/v1/stats/timeline",
            params={"interval": "hour", "date_from": "2024-01-01", "date_to": "2024-03-01"},
        )
    )
    problem(api.get("/v1/stats/lemmas/trending", params={"date_from": "2024-01-01", "date_to": "2024-03-01"}))
    problem(api.get("/v1/stats/communities", params={"date_from": "1706745600"}))
    problem(api.get("/v1/stats/authors", params={"limit": 0}))
    problem(api.get("/v1/stats/sentiment", params={"group_by": "author"}))
    problem(api.get("/v1/stats/keywords", params={"community_id": "x"}))
    assert problem(api.get("/v1/stats/nope"), 404)["status"] == 404


def test_kpis_and_the_signed_in_workspace(api: httpx.Client, world: World) -> None:
    window = {"date_from": "2024-02-01T00:00:00Z", "date_to": "2024-03-31T00:00:00Z"}
    k = ok(api.get("/v1/stats/kpis", params=window))
    assert (k["comments"]["current"], k["comments"]["previous"]) == (2, 2)
    assert k["spam_share"] == {"current": 0.5, "previous": 0.0, "change_points": 50.0}
    assert k["previous_from"] == "2023-12-04T00:00:00Z"
    backwards = {"date_from": window["date_to"], "date_to": window["date_from"]}
    assert "before" in problem(api.get("/v1/stats/kpis", params=backwards))["detail"]
    workspace = ok(api.get("/v1/workspace"))
    assert workspace["id"] == str(world.workspace_id)
    assert workspace["name"].startswith("comments-")


def test_workspace_needs_a_valid_key(stack: LocalStack) -> None:
    with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": "vkc_not_a_key"}, timeout=30) as stranger:
        assert problem(stranger.get("/v1/workspace"), 401)["detail"] == "The API key is not valid."
