"""/v1/keywords and /v1/analysis/preview over HTTP through the local stack (API adapter, SQS, workers)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devtools.local_stack import LocalStack

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(run_id=f"k{uuid.uuid4().hex[:7]}", auto_schedule=False, emulator=False) as s:
        yield s


@pytest.fixture(scope="module")
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": stack.api_key}, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def other(stack: LocalStack) -> Iterator[httpx.Client]:
    """A second workspace with its own key."""
    from vkc.db.engine import session_scope
    from vkc.workspaces.service import create_workspace

    with session_scope(stack.settings) as session:
        _, key = create_workspace(session, f"other-{uuid.uuid4().hex[:6]}")
    with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": key}, timeout=30) as client:
        yield client


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def _wait(api: httpx.Client, job_id: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = api.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {api.get(f'/v1/jobs/{job_id}').text}")


def _seed_comments(stack: LocalStack, texts: list[str]) -> None:
    """Stored comments (as a collection would leave them) in the stack's workspace."""
    import hashlib

    from vkc.db.engine import session_scope
    from vkc.db.models_collection import Comment, Community

    workspace_id = uuid.UUID(stack.workspace_id)
    with session_scope(stack.settings) as session:
        community = Community(
            id=uuid.uuid4(), workspace_id=workspace_id, vk_id=777, name="e2e", type="group", source_input="777"
        )
        session.add(community)
        session.flush()
        for n, text in enumerate(texts, start=1):
            session.add(
                Comment(
                    workspace_id=workspace_id,
                    community_id=community.id,
                    owner_id=-777,
                    post_id=1,
                    comment_id=n,
                    text=text,
                    content_hash=hashlib.sha256(text.encode()).hexdigest(),
                )
            )


def test_keyword_lifecycle_and_reanalysis(stack: LocalStack, api: httpx.Client, other: httpx.Client) -> None:
    _seed_comments(stack, ["Сдаю квартиру рядом с метро", "квартиры в центре дорогие", "доставка опоздала"])
    created = api.post("/v1/keywords", json={"text": "Квартира", "category": "жильё"})
    assert created.status_code == 201, created.text
    kw = created.json()
    assert created.headers["location"] == f"/v1/keywords/{kw['id']}"
    assert (kw["kind"], kw["whole_word"], kw["active"]) == ("word", True, True)
    assert kw["reanalysis_job_id"]
    stack.drain(timeout=60)
    job = _wait(api, kw["reanalysis_job_id"])
    assert job["status"] == "succeeded", job
    assert job["type"] == "reanalyze"
    assert job["priority"] == "low"
    assert job["result"]["comments_analyzed"] == 3
    assert job["result"]["matches_total"] == 2  # old comments found by a new keyword

    duplicate = _problem(api.post("/v1/keywords", json={"text": "КВАРТИРА"}), 409)
    assert duplicate["existing_id"] == kw["id"]
    assert api.get(f"/v1/keywords/{kw['id']}").json()["text"] == "Квартира"
    _problem(other.get(f"/v1/keywords/{kw['id']}"), 404)
    _problem(other.patch(f"/v1/keywords/{kw['id']}", json={"active": False}), 404)
    _problem(other.delete(f"/v1/keywords/{kw['id']}"), 404)
    assert other.get("/v1/keywords").json()["items"] == []

    patched = api.patch(f"/v1/keywords/{kw['id']}", json={"negatives": ["центр"], "category": "недвижимость"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["negatives"] == ["центр"]
    assert patched.json()["reanalysis_job_id"]
    stack.drain(timeout=60)
    assert _wait(api, patched.json()["reanalysis_job_id"])["result"]["matches_total"] == 1  # vetoed by "центр"

    assert api.delete(f"/v1/keywords/{kw['id']}").status_code == 204
    _problem(api.get(f"/v1/keywords/{kw['id']}"), 404)
    _problem(api.delete(f"/v1/keywords/{kw['id']}"), 404)
    stack.drain(timeout=60)


def test_categories_route_is_not_an_id(api: httpx.Client) -> None:
    for text, category in (("доставка", "Сервис"), ("курьер", "сервис"), ("банкомат", "Банки"), ("оператор", None)):
        assert api.post("/v1/keywords", json={"text": text, "category": category}).status_code == 201
    response = api.get("/v1/keywords/categories")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [c["category"] for c in body["items"]] == ["Банки", "Сервис", "сервис"]
    assert body["uncategorized"] >= 1
    _problem(api.get("/v1/keywords/not-a-uuid"), 422)


def test_list_filters_and_paging(api: httpx.Client) -> None:
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/v1/keywords", params=params).json()
        seen += [k["id"] for k in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) >= 4
    by_category = api.get("/v1/keywords", params={"category": "СЕРВИС"}).json()["items"]
    assert sorted(k["text"] for k in by_category) == ["доставка", "курьер"]
    assert [k["text"] for k in api.get("/v1/keywords", params={"q": "банк"}).json()["items"]] == ["банкомат"]
    assert api.get("/v1/keywords", params={"active": "false"}).json()["items"] == []
    _problem(api.get("/v1/keywords", params={"limit": 101}), 422)
    _problem(api.get("/v1/keywords", params={"cursor": "garbage"}), 422)


def test_bad_input_is_a_problem(api: httpx.Client) -> None:
    bad_regex = _problem(api.post("/v1/keywords", json={"text": "(квартир", "kind": "regex"}), 422)
    assert "invalid regular expression" in bad_regex["reason"]
    _problem(api.post("/v1/keywords", json={"text": "!!!"}), 422)
    _problem(api.post("/v1/keywords", json={"text": "квартира", "unknown": 1}), 422)
    _problem(api.post("/v1/keywords", json={"text": ""}), 422)
    _problem(api.post("/v1/keywords", json={"text": "слово", "window": 0}), 422)


def test_import_report(api: httpx.Client) -> None:
    content = "слово,категория\nСбербанк,банки\nсбербанк,банки\nдоставка,\n!!!,\nгорячая вода,жкх\n"
    response = api.post("/v1/keywords/import", json={"content": content, "format": "csv"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["header"] == ["слово", "категория"]
    assert [(ln["line"], ln["outcome"]) for ln in report["lines"]] == [
        (2, "created"),
        (3, "duplicate"),
        (4, "duplicate"),  # "доставка" exists already
        (5, "invalid"),
        (6, "created"),
    ]
    assert report["reanalysis_job_id"]
    texts = {k["text"]: k for k in api.get("/v1/keywords", params={"limit": 100}).json()["items"]}
    assert texts["горячая вода"]["kind"] == "phrase"
    assert "слово" not in texts
    too_big = _problem(api.post("/v1/keywords/import", json={"content": "ж" * (600 * 1024)}), 413)
    assert "1 MB" in too_big["detail"]
    _problem(api.post("/v1/keywords/import", json={"content": "\n".join(f"w{i}" for i in range(10_001))}), 422)
    _problem(api.post("/v1/keywords/import", json={"content": "# nothing\n"}), 422)


def test_preview(api: httpx.Client, other: httpx.Client) -> None:
    saved = api.post("/v1/keywords", json={"text": "интернет", "category": "связь"}).json()
    body = {
        "texts": ["Сдаю квартиру, пишите в лс! Интернета нет 😡", "Отличный сервис, спасибо!"],
        "rules": [{"id": "flat", "text": "квартира"}, {"text": r"\bлс\b", "kind": "regex"}],
        "keyword_ids": [saved["id"]],
    }
    response = api.post("/v1/analysis/preview", json=body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["rules"] == 3
    first, second = result["results"]
    text = str(body["texts"][0])  # type: ignore[index]
    by_rule = {m["rule_id"]: m for m in first["matches"]}
    assert set(by_rule) == {"flat", "rule-2", saved["id"]}
    flat = by_rule["flat"]
    assert text[flat["start"] : flat["end"]] == flat["matched"] == "квартиру"
    assert flat["lemmas"] == ["квартира"]
    assert flat["keyword_id"] is None
    assert flat["snippet"][flat["highlight_start"] : flat["highlight_end"]] == "квартиру"
    assert by_rule[saved["id"]]["keyword_id"] == saved["id"]
    assert by_rule[saved["id"]]["category"] == "связь"
    assert first["language"] == "ru"
    assert first["sentiment"]["label"] == "negative"
    assert second["sentiment"]["label"] == "positive"
    assert second["matches"] == []
    assert "dm_call" in first["spam"]["reasons"]
    assert set(first["profanity"]) == {"profanity", "insult", "terms"}
    # saved keywords only when no rules are given; another workspace's id is not found
    only_saved = api.post("/v1/analysis/preview", json={"texts": ["нет интернета"]}).json()
    assert [m["keyword_id"] for m in only_saved["results"][0]["matches"]] == [saved["id"]]
    missing = _problem(other.post("/v1/analysis/preview", json={"texts": ["x"], "keyword_ids": [saved["id"]]}), 404)
    assert missing["missing"] == [saved["id"]]
    bad = _problem(
        api.post("/v1/analysis/preview", json={"texts": ["x"], "rules": [{"text": "(", "kind": "regex"}]}), 422
    )
    assert bad["rule_index"] == 0
    _problem(api.post("/v1/analysis/preview", json={"texts": []}), 422)
    _problem(api.post("/v1/analysis/preview", json={"texts": ["x"] * 101}), 422)
    _problem(api.post("/v1/analysis/preview", json={"texts": ["я" * 10_001]}), 422)
