"""Exports read back from S3 (moto): Cyrillic intact, counts equal the filter's, formats well-formed."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from vkc.adapters.s3 import S3ObjectStore
from vkc.comments.filters import CommentFilters
from vkc.comments.search import count_comments
from vkc.db.models_collection import Comment
from vkc.errors import NotFound
from vkc.exports import service
from vkc.exports.schemas import DEFAULT_COLUMNS, EXPORT_JOB, ExportRequest
from vkc.settings import Priority, WorkerKind

from tests.integration.exports.conftest import Runner
from tests.integration.webhooks.conftest import RecordingQueue
from tests.support.world import World

FORMULA = '=HYPERLINK("http://evil.example","жми")'


def body_of(s3: Any, bucket: str, key: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()  # type: ignore[no-any-return]


def add_formula_comment(engine: Engine, world: World) -> None:
    with Session(engine) as s, s.begin():
        first = s.get(Comment, world.comments["a"])
        assert first is not None
        s.add(
            Comment(
                workspace_id=world.workspace_id,
                community_id=first.community_id,
                owner_id=first.owner_id,
                post_id=first.post_id,
                comment_id=999,
                text=FORMULA,
                content_hash="f",
                from_id=11,
            )
        )


def count(engine: Engine, world: World, filters: dict[str, Any]) -> int:
    with Session(engine) as s:
        return count_comments(s, world.workspace_id, CommentFilters.model_validate(filters))


def test_csv_has_bom_cyrillic_quoting_and_the_filters_count(
    engine: Engine, world: World, run_export: Runner, s3: Any, bucket: str
) -> None:
    add_formula_comment(engine, world)
    _, result = run_export(world.workspace_id, {"format": "csv"})
    raw = body_of(s3, bucket, result["key"])
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == result["rows"] == count(engine, world, {}) == 6
    assert list(rows[0].keys()) == [c.value for c in DEFAULT_COLUMNS]
    texts = {r["text"] for r in rows}
    assert "Банк снова поднял ставки по кредиту, банк жадный" in texts
    assert "'" + FORMULA in texts  # defused: Excel shows it as text
    bank = next(r for r in rows if r["text"].startswith("Банк снова"))
    assert bank["community_name"] == "Городские новости"
    assert bank["author_name"] == "Иван Петров"
    assert bank["keywords"] == "банк; кредит"
    assert bank["date"] == "2024-01-10T10:00:00Z"
    assert bank["url"] == "https://vk.com/wall-101_1?reply=1"
    assert (bank["is_spam"], bank["sentiment"], bank["likes"]) == ("false", "negative", "5")
    head = s3.head_object(Bucket=bucket, Key=result["key"])
    assert head["ContentType"] == "text/csv; charset=utf-8"
    assert head["ContentDisposition"] == f'attachment; filename="{result["filename"]}"'
    assert result["size_bytes"] == head["ContentLength"] == len(raw)


def test_xlsx_opens_with_cyrillic_dates_and_text_never_a_formula(
    engine: Engine, world: World, run_export: Runner, s3: Any, bucket: str
) -> None:
    add_formula_comment(engine, world)
    filters = {"community_id": [str(world.communities["c1"])]}
    _, result = run_export(world.workspace_id, {"format": "xlsx", "filters": filters, "sort": "date_asc"})
    book = openpyxl.load_workbook(io.BytesIO(body_of(s3, bucket, result["key"])))
    sheet = book["comments"]
    rows = list(sheet.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert list(header) == [c.value for c in DEFAULT_COLUMNS]
    assert len(data) == result["rows"] == count(engine, world, filters) == 4
    col = {name: i for i, name in enumerate(header)}
    texts = [r[col["text"]] for r in data]
    assert "Отличная школа, дети довольны" in texts
    assert FORMULA in texts
    formula_cell = next(c for c in sheet.iter_rows(min_row=2) if c[col["text"]].value == FORMULA)[col["text"]]
    assert formula_cell.data_type == "s"
    dated = [r[col["date"]] for r in data if r[col["date"]] is not None]
    assert all(isinstance(d, datetime) for d in dated)
    assert dated == sorted(dated)
    assert data[-1][col["community_name"]] == "Городские новости"
    head = s3.head_object(Bucket=bucket, Key=result["key"])
    assert head["ContentType"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")


def test_jsonl_is_one_object_per_line_with_chosen_columns(
    engine: Engine, world: World, run_export: Runner, s3: Any, bucket: str
) -> None:
    filters = {"keyword_id": [str(world.keywords["bank"])]}
    columns = ["id", "text", "keywords", "categories", "sentiment_score", "viewed", "date"]
    _, result = run_export(world.workspace_id, {"format": "jsonl", "filters": filters, "columns": columns})
    lines = body_of(s3, bucket, result["key"]).decode("utf-8").splitlines()
    objects = [json.loads(line) for line in lines]
    assert len(objects) == result["rows"] == count(engine, world, filters) == 2
    assert all(list(o.keys()) == columns for o in objects)
    first = objects[0]
    assert first["keywords"] == ["банк"] or "банк" in first["keywords"]
    assert first["categories"] == ["finance"]
    assert isinstance(first["sentiment_score"], float)
    assert first["date"].endswith("Z")
    assert "Банк" in lines[0] or "банк" in lines[0]  # UTF-8, not \\u escapes


def test_a_rerun_overwrites_the_same_key(
    world: World, run_export: Runner, store: S3ObjectStore, s3: Any, bucket: str
) -> None:
    from vkc.exports.task import object_key

    job_id, result = run_export(world.workspace_id, {"format": "jsonl"})
    assert result["key"] == object_key(
        world.workspace_id, job_id, ExportRequest.model_validate({"format": "jsonl"}).format
    )
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"exports/{world.workspace_id}/")["Contents"]
    assert [o["Key"] for o in listed] == [result["key"]]


def test_export_jobs_ride_the_low_analyze_queue_and_are_workspace_scoped(
    engine: Engine, world: World, run_export: Runner, store: S3ObjectStore
) -> None:
    assert (EXPORT_JOB.worker, EXPORT_JOB.default_priority) == (
        WorkerKind.ANALYZE, Priority.LOW,
    )  # fmt: skip
    queue = RecordingQueue()
    with Session(engine, expire_on_commit=False) as s:
        view = service.create_export(
            s, queue, world.workspace_id, ExportRequest.model_validate({"format": "csv"}), correlation_id="c"
        )
    ((worker, priority, message, _),) = queue.sent
    assert (worker, priority, message.job_id) == (WorkerKind.ANALYZE, Priority.LOW, view.id)
    assert view.download_url is None
    job_id, _ = run_export(world.workspace_id, {"format": "csv"})
    with Session(engine) as s:
        with pytest.raises(NotFound):
            service.get_export(s, world.other_workspace_id, job_id, store=store)
        done = service.get_export(s, world.workspace_id, job_id, store=store)
    assert done.status == "succeeded"
    assert done.download_url is not None
    assert done.row_count == 5
    assert done.percent == 100.0
    import urllib.request

    with urllib.request.urlopen(done.download_url, timeout=10) as r:  # noqa: S310 - moto on 127.0.0.1
        assert r.read().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_out_of_time_continues_in_another_run_and_writes_every_row_once(
    engine: Engine, world: World, run_export: Runner, s3: Any, bucket: str, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    from vkc.exports import task

    # one comment per batch and no time left after each: every batch ends a run (its bytes, far below a
    # part's 5 MiB, are carried to the next run as a tail object)
    monkeypatch.setattr(task, "TUNING", task.Tuning(batch_size=1))
    _, result = run_export(world.workspace_id, {"format": fmt, "sort": "date_asc"}, remaining_ms=lambda: 1_000)
    assert result["runs"] == 6
    assert result["parts"] == 1
    raw = body_of(s3, bucket, result["key"])
    if fmt == "csv":
        ids = [int(r["id"]) for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))]
    else:
        ids = [r[0] for r in openpyxl.load_workbook(io.BytesIO(raw))["comments"].iter_rows(min_row=2, values_only=True)]
    with Session(engine) as s:
        from vkc.comments.keyset import CommentSort
        from vkc.comments.query import select_comments

        expected = [
            c.id for c in s.scalars(select_comments(world.workspace_id, CommentFilters(), CommentSort.DATE_ASC))
        ]
    assert ids == expected
    assert len(ids) == result["rows"] == result["rows_expected"] == 5
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"exports/{world.workspace_id}/")["Contents"]
    assert [o["Key"] for o in listed] == [result["key"]]  # the tails were removed once shipped


def test_unknown_columns_and_formats_are_refused() -> None:
    from pydantic import ValidationError

    for bad in ({"format": "pdf"}, {"format": "csv", "columns": ["nope"]}, {"format": "csv", "columns": []},
                {"format": "csv", "columns": ["id", "id"]}, {"format": "csv", "filters": {"unknown": 1}}):  # fmt: skip
        with pytest.raises(ValidationError):
            ExportRequest.model_validate(bad)
    assert uuid.UUID(int=0)  # keep uuid import meaningful for type checkers
