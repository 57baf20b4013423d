"""The resumable XLSX stream: a workbook written over several "processes" (state through JSON, a fresh
compressor each time) opens in openpyxl with every row, split into sheets at the row limit."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import openpyxl
import pytest
from vkc.exports.columns import Value
from vkc.exports.xlsx import XlsxState, XlsxStream, sheet_name
from vkc.exports.zipstream import ZipState, ZipStream

HEADER = ["id", "text", "date", "ok", "score"]


def rows(start: int, stop: int) -> list[list[Value]]:
    return [[i, f"=текст {i} & <b>\x01", datetime(2024, 1, 1, 10, i % 60, tzinfo=UTC), i % 2 == 0, i / 4]
            for i in range(start, stop)]  # fmt: skip


def write_in_runs(cuts: list[tuple[int, int]], max_rows: int) -> bytes:
    """Each (start, stop) is one run; between runs only the JSON state survives."""
    file = bytearray()
    state: dict[str, object] | None = None
    for n, (start, stop) in enumerate(cuts):
        out = bytearray()
        stream = XlsxStream(out, HEADER, XlsxState.from_json(state) if state else None, max_rows=max_rows)
        stream.write_rows(rows(start, stop))
        if n == len(cuts) - 1:
            stream.finish()
        else:
            state = json.loads(json.dumps(stream.checkpoint().to_json()))
        file += out
    return bytes(file)


def test_a_workbook_written_across_runs_opens_with_every_row_in_order() -> None:
    raw = write_in_runs([(0, 3), (3, 250), (250, 251), (251, 1000)], max_rows=400)
    assert zipfile.ZipFile(io.BytesIO(raw)).testzip() is None  # every entry's CRC matches
    book = openpyxl.load_workbook(io.BytesIO(raw))
    assert (
        book.sheetnames == [sheet_name(1), sheet_name(2), sheet_name(3)] == ["comments", "comments (2)", "comments (3)"]
    )
    got: list[tuple[object, ...]] = []
    for sheet in book.worksheets:
        values = list(sheet.iter_rows(values_only=True))
        assert list(values[0]) == HEADER
        assert len(values) <= 400  # the header counts towards the limit
        assert sheet.freeze_panes == "A2"
        got += values[1:]
    assert [r[0] for r in got] == list(range(1000))
    first = got[0]
    assert first[1] == "=текст 0 & <b>"  # a string, never a formula; the control character dropped
    assert first[2] == datetime(2024, 1, 1, 10, 0, tzinfo=UTC).replace(tzinfo=None)  # UTC, naive in Excel
    assert (first[3], first[4]) == (True, 0.0)
    cell = book.worksheets[0]["B2"]
    assert cell.data_type == "s"


def test_the_sheet_limit_is_excels_with_the_header_included() -> None:
    raw = write_in_runs([(0, 5)], max_rows=3)
    book = openpyxl.load_workbook(io.BytesIO(raw))
    assert [sheet.max_row for sheet in book.worksheets] == [3, 3, 2]
    from vkc.exports.xlsx import EXCEL_MAX_ROWS

    assert EXCEL_MAX_ROWS == 1_048_576


def test_a_zip_entry_continued_by_a_fresh_compressor_is_one_valid_deflate_stream() -> None:
    out = bytearray()
    z = ZipStream(out)
    z.start("a.txt")
    z.write(b"hello " * 1000)
    state = ZipState.from_json(json.loads(json.dumps(z.checkpoint().to_json())))
    z = ZipStream(out, state)
    z.write(b"world " * 1000)
    z.close()
    z.add("b.txt", b"small")
    z.finish()
    archive = zipfile.ZipFile(io.BytesIO(bytes(out)))
    assert archive.read("a.txt") == b"hello " * 1000 + b"world " * 1000
    assert archive.read("b.txt") == b"small"


def test_writing_without_an_open_entry_is_refused() -> None:
    with pytest.raises(RuntimeError):
        ZipStream(bytearray()).write(b"x")
