"""/v1/exports over HTTP through the local stack: job on the low queue → S3 (moto) → presigned download."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import httpx
import openpyxl
import pytest

from devtools.local_stack import LocalStack
from tests.support.world import World
from tests.support.world_api import world_api_fixtures

pytestmark = pytest.mark.e2e
PROBLEM = "application/problem+json"


stack, world, api, other = world_api_fixtures("x")


def export(stack: LocalStack, api: httpx.Client, body: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    created = api.post("/v1/exports", json=body)
    assert created.status_code == 202, created.text
    assert created.json()["status"] == "queued"
    stack.drain(timeout=60)
    view = api.get(created.headers["location"]).json()
    assert view["status"] == "succeeded", view
    job = api.get(f"/v1/jobs/{view['id']}").json()
    assert (job["type"], job["priority"]) == ("export", "low")
    download = httpx.get(view["download_url"], timeout=30)
    assert download.status_code == 200
    assert view["filename"] in download.headers["content-disposition"]
    assert len(download.content) == view["size_bytes"]
    return view, download.content


def test_csv_export_downloads_with_cyrillic(stack: LocalStack, api: httpx.Client, world: World) -> None:
    view, content = export(stack, api, {"format": "csv", "filters": {"sentiment": ["negative"]}})
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    count = api.get("/v1/comments/count", params={"sentiment": "negative"})
    assert count.status_code == 200, count.text
    assert len(rows) == view["row_count"] == count.json()["count"] == 2
    assert {r["author_name"] for r in rows} == {"Иван Петров", "Мария Сидорова"}
    again = api.get(f"/v1/exports/{view['id']}").json()
    assert again["download_url"]  # a fresh URL on every GET
    assert again["download_expires_at"]


def test_xlsx_and_jsonl_exports(stack: LocalStack, api: httpx.Client) -> None:
    view, content = export(stack, api, {"format": "xlsx", "columns": ["id", "text", "keywords"]})
    sheet = openpyxl.load_workbook(io.BytesIO(content))["comments"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("id", "text", "keywords")
    assert len(values) - 1 == view["row_count"] == 5
    assert any(v[1] == "Отличная школа, дети довольны" and v[2] == "школа" for v in values[1:])
    view, content = export(stack, api, {"format": "jsonl", "sort": "likes_desc"})
    assert len(content.decode().splitlines()) == view["row_count"] == 5


def test_other_workspaces_and_bad_input(stack: LocalStack, api: httpx.Client, other: httpx.Client) -> None:
    created = api.post("/v1/exports", json={"format": "jsonl"}).json()
    stack.drain(timeout=60)
    missing = other.get(f"/v1/exports/{created['id']}")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith(PROBLEM)
    assert api.get(f"/v1/exports/{uuid.uuid4()}").status_code == 404
    probe = api.post("/v1/jobs", json={"type": "probe", "payload": {"checks": ["database"]}}).json()
    assert api.get(f"/v1/exports/{probe['id']}").status_code == 404  # a job, but not an export
    for body in (
        {"format": "pdf"},
        {"format": "csv", "columns": ["secret"]},
        {"format": "csv", "filters": {"date_from": 1706745600}},
        {"format": "csv", "extra": 1},
    ):
        response = api.post("/v1/exports", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
    assert api.get("/v1/exports/not-a-uuid").status_code == 422
