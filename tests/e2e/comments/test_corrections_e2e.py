"""Label corrections over HTTP through the local stack: correct, re-analyse, and find the correction
in the detail, search, stats, history and quality report; errors as problem+json; isolation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session
from vkc.analysis_store.apply import Scope, analyze_comments
from vkc.analysis_store.ruleset import AnalyzerCache
from vkc.db.engine import get_engine

from devtools.local_stack import LocalStack
from tests.support.world import World
from tests.support.world_api import world_api_fixtures

pytestmark = pytest.mark.e2e
PROBLEM = "application/problem+json"

stack, world, api, other = world_api_fixtures("k")


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def reanalyze_everything(stack: LocalStack, world: World) -> int:
    """What the analyze worker runs for a redelivered task or a re-analysis: every comment analyzed again."""
    with Session(get_engine(stack.settings)) as s, s.begin():
        counts = analyze_comments(s, world.workspace_id, Scope(lo=0, hi=2**62), analyzers=AnalyzerCache(), force=True)
    return counts.analyzed


def ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_a_correction_outlives_reanalysis_and_shows_as_manual_everywhere(
    api: httpx.Client, stack: LocalStack, world: World
) -> None:
    a, b = world.comments["a"], world.comments["b"]
    put = api.put(f"/v1/comments/{a}/labels", json={"sentiment": "positive", "is_spam": True})
    assert put.status_code == 200, put.text
    labels = put.json()
    assert labels["sentiment"] == {"value": "positive", "source": "manual", "model": "negative", "manual": "positive"}
    assert labels["is_spam"] == {"value": True, "source": "manual", "model": False, "manual": True}
    assert labels["has_profanity"]["source"] == "model"

    assert reanalyze_everything(stack, world) >= 5

    detail = api.get(f"/v1/comments/{a}").json()
    assert (detail["sentiment"], detail["sentiment_source"]) == ("positive", "manual")
    assert (detail["is_spam"], detail["is_spam_source"]) == (True, "manual")
    assert detail["has_profanity_source"] == "model"
    assert a in ids(api.get("/v1/comments", params={"sentiment": "positive"}))
    assert a not in ids(api.get("/v1/comments", params={"sentiment": "negative"}))
    assert a in ids(api.get("/v1/comments", params={"is_spam": "true"}))
    item = next(i for i in api.get("/v1/comments", params={"is_spam": "true"}).json()["items"] if i["id"] == a)
    assert item["sentiment_source"] == "manual"

    assert api.put(f"/v1/comments/{b}/labels", json={"has_profanity": False}).status_code == 200
    sentiment = api.get("/v1/stats/sentiment").json()["rows"][0]
    assert sentiment["manual"] == 1
    model_b = api.get(f"/v1/comments/{b}/labels").json()["has_profanity"]["model"]

    history = api.get(f"/v1/comments/{a}/labels").json()["history"]
    assert sorted((e["label"], e["value"], e["api_key_name"]) for e in history) == [
        ("sentiment", "positive", "default"),
        ("spam", True, "default"),
    ]
    assert all(e["api_key_id"] and e["created_at"] for e in history)
    again = api.put(f"/v1/comments/{a}/labels", json={"sentiment": "positive"})  # a retry changes nothing
    assert len(again.json()["history"]) == 2

    quality = api.get("/v1/analysis/quality").json()
    model_a = again.json()["sentiment"]["model"]  # the label the engine gave a's text
    assert quality["labels"]["sentiment"]["compared"] == 1
    assert quality["labels"]["sentiment"]["matrix"][model_a]["positive"] == 1
    assert quality["labels"]["sentiment"]["agreed"] == int(model_a == "positive")
    assert quality["labels"]["profanity"]["matrix"][str(model_b).lower()]["false"] == 1
    weekly = api.get("/v1/analysis/quality", params={"period": "week"}).json()
    assert [p["labels"] for p in weekly["periods"]] == [quality["labels"]]

    dropped = api.delete(f"/v1/comments/{a}/labels")
    assert dropped.status_code == 200, dropped.text
    assert dropped.json()["sentiment"]["source"] == "model"
    assert dropped.json()["sentiment"]["value"] == model_a
    assert api.get(f"/v1/comments/{a}").json()["is_spam_source"] == "model"
    assert api.get("/v1/analysis/quality").json()["labels"]["sentiment"]["compared"] == 0


def test_another_workspaces_comment_is_not_found(other: httpx.Client, api: httpx.Client, world: World) -> None:
    a = world.comments["a"]
    assert_problem(other.put(f"/v1/comments/{a}/labels", json={"sentiment": "neutral"}), 404)
    assert_problem(other.get(f"/v1/comments/{a}/labels"), 404)
    assert_problem(other.delete(f"/v1/comments/{a}/labels"), 404)
    assert_problem(api.put(f"/v1/comments/{world.other_comment}/labels", json={"sentiment": "neutral"}), 404)
    assert other.get("/v1/analysis/quality").json()["labels"]["sentiment"]["compared"] == 0


@pytest.mark.parametrize(
    "body",
    [{}, {"sentiment": "angry"}, {"is_spam": "yes"}, {"has_profanity": 1}, {"mood": "fine"}, ["negative"]],
)
def test_a_value_that_is_not_a_label_is_422(api: httpx.Client, world: World, body: Any) -> None:
    a = world.comments["c"]
    assert_problem(api.put(f"/v1/comments/{a}/labels", json=body), 422)
    assert api.get(f"/v1/comments/{a}/labels").json()["history"] == []


def test_quality_parameters_are_checked(api: httpx.Client) -> None:
    assert_problem(api.get("/v1/analysis/quality", params={"period": "year"}), 422)
    assert_problem(api.get("/v1/analysis/quality", params={"date_from": "2026-02-01", "date_to": "2026-01-01"}), 422)
