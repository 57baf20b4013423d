"""The resumable XLSX stream: a workbook written over several "processes" (state through JSON, a fresh
compressor each time) opens in openpyxl with every row, split into sheets at the row limit."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from datetime import UTC, datetime
from typing import Any

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


# --- Zip64 ------------------------------------------------------------------------------------------
# A real workbook past 4 GiB takes minutes to write; `zip64_at` lowers the threshold so that a small
# one carries every Zip64 structure (local extra fields, 8-byte descriptors, central extra fields,
# the Zip64 end record and locator), written across runs like the export task writes it.

END64, LOCATOR, END = b"PK\x06\x06", b"PK\x06\x07", b"PK\x05\x06"
CUTS = [(0, 3), (3, 250), (250, 251), (251, 1000)]


def write_zip64_in_runs(cuts: list[tuple[int, int]], max_rows: int, zip64_at: int) -> bytes:
    file = bytearray()
    state: dict[str, object] | None = None
    for n, (start, stop) in enumerate(cuts):
        out = bytearray()
        resumed = XlsxState.from_json(state) if state else None
        # a continuation is given the production default: the threshold comes from the state
        at = zip64_at if resumed is None else 0xFFFFFFFF
        stream = XlsxStream(out, HEADER, resumed, max_rows=max_rows, zip64_at=at)
        stream.write_rows(rows(start, stop))
        if n == len(cuts) - 1:
            stream.finish()
        else:
            state = json.loads(json.dumps(stream.checkpoint().to_json()))
        file += out
    return bytes(file)


def cells(raw: bytes) -> list[list[tuple[str, object, str]]]:
    book = openpyxl.load_workbook(io.BytesIO(raw))
    return [[(c.coordinate, c.value, c.data_type) for row in sheet.iter_rows() for c in row] for sheet in book]


@pytest.mark.parametrize("zip64_at", [1, 20_000])  # everything Zip64; only the later offsets and the end
def test_a_zip64_workbook_reads_back_cell_for_cell_like_the_classic_one(zip64_at: int) -> None:
    classic = write_in_runs(CUTS, max_rows=400)
    wide = write_zip64_in_runs(CUTS, max_rows=400, zip64_at=zip64_at)
    assert wide != classic
    archive = zipfile.ZipFile(io.BytesIO(wide))
    assert archive.testzip() is None
    infos = archive.infolist()
    assert [i.filename for i in infos] == [i.filename for i in zipfile.ZipFile(io.BytesIO(classic)).infolist()]
    assert any(i.header_offset >= zip64_at for i in infos)
    for info in infos:
        assert archive.read(info) == zipfile.ZipFile(io.BytesIO(classic)).read(info.filename)
    assert wide[-22 - 20 : -22].startswith(LOCATOR)  # the locator right before the classic end record
    (end64,) = struct.unpack_from("<Q", wide, len(wide) - 22 - 20 + 8)
    assert wide[end64 : end64 + 4] == END64
    if zip64_at == 1:  # the sheets' local headers announce Zip64 (version 4.5, sizes in the extra field)
        assert struct.unpack_from("<H", wide, 4)[0] == 45
        assert struct.unpack_from("<II", wide, 18) == (0xFFFFFFFF, 0xFFFFFFFF)
    got, want = cells(wide), cells(classic)
    assert [len(s) for s in got] == [len(s) for s in want]
    assert got == want  # every cell: coordinate, value and type
    assert sum(len(s) for s in got) == (1000 + 3) * len(HEADER)  # 1,000 rows and three header rows


def test_a_workbook_under_4_gib_has_no_zip64_structure() -> None:
    """What Excel, LibreOffice and openpyxl have read all along: version 2.0, no extra fields, no
    Zip64 end record."""
    raw = write_in_runs(CUTS, max_rows=400)
    assert END64 not in raw
    assert LOCATOR not in raw
    for info in zipfile.ZipFile(io.BytesIO(raw)).infolist():
        assert (info.extract_version, info.extra) == (20, b"")
        header = raw[info.header_offset : info.header_offset + 30]
        assert struct.unpack_from("<HH", header, 4)[0] == 20
        assert struct.unpack_from("<H", header, 28)[0] == 0  # no local extra field


def test_a_checkpoint_from_before_zip64_resumes() -> None:
    out = bytearray()
    z = ZipStream(out)
    z.start("a.txt", max_size=10_000)
    z.write(b"hello " * 100)
    raw = json.loads(json.dumps(z.checkpoint().to_json()))
    del raw["zip64_at"], raw["open"]["zip64"]  # what a checkpoint written by the old code holds
    z = ZipStream(out, ZipState.from_json(raw))
    z.write(b"world " * 100)
    z.close()
    z.finish()
    assert zipfile.ZipFile(io.BytesIO(bytes(out))).read("a.txt") == b"hello " * 100 + b"world " * 100
    assert END64 not in out


def test_an_entry_of_unknown_size_is_zip64_from_its_local_header() -> None:
    out = bytearray()
    z = ZipStream(out)
    z.start("stream.bin")  # no bound: it may pass 4 GiB, and its header cannot be rewritten later
    z.write(b"x" * 5000)
    z.close()
    z.finish()
    assert struct.unpack_from("<H", out, 4)[0] == 45
    info = zipfile.ZipFile(io.BytesIO(bytes(out))).getinfo("stream.bin")
    assert zipfile.ZipFile(io.BytesIO(bytes(out))).read(info) == b"x" * 5000
    descriptor = out.index(b"PK\x07\x08")
    assert struct.unpack_from("<QQ", out, descriptor + 8) == (info.compress_size, 5000)  # 8-byte sizes


class _PastFourGiB(io.RawIOBase):
    """A read-only file of `hole` zero bytes followed by `data`, held as `data` alone: an archive whose
    entries really start past 4 GiB, as the later sheets of a big export do, without writing 5 GiB."""

    def __init__(self, hole: int, data: bytes) -> None:
        self.hole, self.data, self.pos = hole, data, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = {0: offset, 1: self.pos + offset, 2: self.hole + len(self.data) + offset}[whence]
        return self.pos

    def readinto(self, buffer: Any) -> int:
        end = min(self.pos + len(buffer), self.hole + len(self.data))
        n = max(0, end - self.pos)
        chunk = bytearray(n)
        start = max(self.pos, self.hole)
        if end > start:
            chunk[start - self.pos : end - self.pos] = self.data[start - self.hole : end - self.hole]
        buffer[:n] = chunk
        self.pos += n
        return n


def test_sheets_past_4_gib_at_the_production_threshold_read_back() -> None:
    """Real offsets past 0xFFFFFFFF (the writer resumes at 5 GiB, as after 5 GiB of earlier sheets):
    Zip64 central-directory offsets and end records at the production threshold."""
    hole = 5 * 2**30
    out = bytearray()
    stream = XlsxStream(out, HEADER, XlsxState(zip=ZipState(offset=hole)), max_rows=400)
    stream.write_rows(rows(0, 1000))
    stream.finish()
    archive = zipfile.ZipFile(_PastFourGiB(hole, bytes(out)))
    assert archive.testzip() is None
    assert min(i.header_offset for i in archive.infolist()) == hole
    for info in archive.infolist():  # the local headers stay classic: only the directory needs Zip64
        assert struct.unpack_from("<H", out, info.header_offset - hole + 4)[0] == 20
        assert struct.unpack_from("<H", out, info.header_offset - hole + 28)[0] == 0
    assert END64 in out[-200:]
    book = openpyxl.load_workbook(_PastFourGiB(hole, bytes(out)))
    classic = openpyxl.load_workbook(io.BytesIO(write_in_runs([(0, 1000)], max_rows=400)))
    got = [[(c.coordinate, c.value) for row in sheet.iter_rows() for c in row] for sheet in book]
    assert got == [[(c.coordinate, c.value) for row in sheet.iter_rows() for c in row] for sheet in classic]
