"""The exports screen in a real browser: the comment filter from the URL exported, followed to the end,
downloaded through the presigned link, and the file's rows checked against the API's search."""

from __future__ import annotations

import csv
import io
import json
import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from devtools.local_stack import LocalStack
from tests.e2e.web.conftest import assert_accessible, screenshot
from tests.support.world import World

pytestmark = [pytest.mark.e2e, pytest.mark.web]


def _all_ids(world_api: httpx.Client, params: dict[str, str]) -> list[int]:
    ids: list[int] = []
    cursor = None
    while True:
        page = world_api.get("/v1/comments", params={**params, "limit": 100, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        ids += [c["id"] for c in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            return ids


def test_export_the_filter_and_download_the_file(signed_in_world: Page, world_api: httpx.Client, world: World) -> None:
    page = signed_in_world
    community = str(world.communities["c1"])
    query = f"community_id={community}&sentiment=negative"
    page.goto(f"/#/comments?{query}")  # the analyst starts from a search and exports what it found
    with page.expect_response(lambda r: "/v1/comments/count?" in r.url and "sentiment=negative" in r.url):
        page.get_by_test_id("comments-export").click()
    assert "#/exports?" in page.url
    wanted = _all_ids(world_api, {"community_id": community, "sentiment": "negative"})
    count = world_api.get("/v1/comments/count", params={"community_id": community, "sentiment": "negative"}).json()
    assert count["count"] == len(wanted) > 0
    expect(page.get_by_test_id("export-count")).to_have_text(str(count["count"]))
    expect(page.get_by_test_id("export-filter")).to_contain_text(community)

    page.get_by_label("CSV (Excel, UTF-8)").check()
    with page.expect_response(lambda r: r.url.endswith("/v1/exports") and r.request.method == "POST") as sent:
        page.get_by_role("button", name="Выгрузить").click()
    body = json.loads(sent.value.request.post_data or "{}")
    assert body["filters"] == {"community_id": [community], "sentiment": ["negative"]}
    export_id = sent.value.json()["id"]
    expect(page).to_have_url(re.compile(f"#/exports/{export_id}$"))
    expect(page.get_by_test_id("export-status")).to_contain_text("готово", timeout=60_000)
    answer = world_api.get(f"/v1/exports/{export_id}").json()
    expect(page.get_by_test_id("export-rows")).to_have_text(str(answer["row_count"]))

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Скачать")).click()
    path = download.value.path()
    assert download.value.suggested_filename == answer["filename"]
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["id"]) for r in rows] == wanted  # the search's rows, in the search's order (newest first)
    assert len(rows) == answer["row_count"]
    assert_accessible(page)
    screenshot(page, "exports")


def test_a_bad_filter_shows_the_apis_problem(signed_in_world: Page, world_api: httpx.Client) -> None:
    page = signed_in_world
    page.goto("/#/exports?post=not-a-post")
    problem = world_api.get("/v1/comments/count", params={"post": "not-a-post"}).json()
    expect(page.get_by_test_id("problem").first).to_contain_text(problem["detail"])


def test_a_running_export_shows_its_rows_and_percent(signed_in: Page, api: httpx.Client, stack: LocalStack) -> None:
    """An export between two worker runs (its checkpoint at 250 of 1,000 rows; no message sent, so it
    stays there): the page shows the rows and a bar at the API's percent, not an endless "…"."""
    import uuid

    from sqlalchemy.orm import Session
    from vkc.db.engine import get_engine
    from vkc.db.models import Job

    workspace_id = uuid.UUID(api.get("/v1/workspace").json()["id"])
    with Session(get_engine(stack.settings), expire_on_commit=False) as session, session.begin():
        job = Job(
            workspace_id=workspace_id,
            type="export",
            priority="low",
            status="running",
            payload={"format": "csv"},
            progress={"unit": "rows", "done": 250, "total": 1000, "run": 2},
        )
        session.add(job)
    view = api.get(f"/v1/exports/{job.id}").json()
    assert (view["rows_done"], view["rows_expected"], view["percent"]) == (250, 1000, 25.0)
    page = signed_in
    page.goto(f"/#/exports/{job.id}")
    expect(page.get_by_test_id("export-rows")).to_have_text("250 из 1 000")
    expect(page.get_by_test_id("export").locator("progress")).to_have_attribute("value", "25")
    assert api.post(f"/v1/jobs/{job.id}/cancel").json()["status"] == "cancelled"
