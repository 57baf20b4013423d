"""XLSX written as a stream of sheet XML into a `ZipStream`, resumable in another process.

Why by hand (not openpyxl): openpyxl's write-only mode must see the whole workbook in one process and
zips it at the end from a temporary file, so an export had to fit one Lambda invocation and /tmp. Here
every row goes straight into the archive; what a later invocation needs (sheet number, rows in the
sheet, the zip state) is a small JSON document kept with the export's checkpoint.

Sheets: Excel shows at most 1,048,576 rows per sheet, header included, so the rows continue on
"comments (2)", "comments (3)", … each with the header row and frozen under it. A sheet is also
closed once its XML passes `MAX_SHEET_XML` (only very long texts get there): a sheet entry so bounded
stays a classic zip entry, so every workbook's local headers are the ones Excel has always read,
while the archive itself may pass 4 GiB (Zip64 offsets and end records; see `vkc.exports.zipstream`).

Cells: strings inline (no shared-string table to hold in memory), typed `inlineStr` so a text that
starts with "=" is never a formula; characters XML 1.0 forbids are dropped and texts are cut at Excel's
32,767 characters; dates are numbers with a date style, in UTC (Excel has no time zones); booleans `b`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from vkc.exports.columns import Value
from vkc.exports.zipstream import LIMIT, ZipState, ZipStream

EXCEL_MAX_ROWS = 1_048_576  # per sheet, header row included
XLSX_MAX_CELL = 32_767
MAX_SHEET_XML = 3_500_000_000
#: rows are encoded and handed to the zip at least every this many characters, so a sheet's size is
#: known to within 4 × this (UTF-8) plus one row when it is checked against `MAX_SHEET_XML`
_FLUSH_CHARS = 1 << 20
#: the most one cell's XML can take: 32,767 characters, each at most 5 bytes once escaped ("&amp;";
#: 4-byte UTF-8 otherwise), plus the markup
_MAX_CELL_XML = XLSX_MAX_CELL * 5 + 100
SHEET_NAME = "comments"
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
_EPOCH = datetime(1899, 12, 30, tzinfo=UTC)  # Excel's day 0 (1900 date system, with its leap-year bug)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def sheet_name(number: int) -> str:
    return SHEET_NAME if number == 1 else f"{SHEET_NAME} ({number})"


@dataclass(slots=True)
class XlsxState:
    sheets: int = 0  # sheets started so far
    sheet_rows: int = 0  # rows in the current sheet, header included
    zip: ZipState | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "sheets": self.sheets,
            "sheet_rows": self.sheet_rows,
            "zip": self.zip.to_json() if self.zip else None,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> XlsxState:
        return cls(int(raw["sheets"]), int(raw["sheet_rows"]), ZipState.from_json(raw["zip"]) if raw["zip"] else None)


class XlsxStream:
    """Rows into the workbook's archive; `finish()` closes it. `checkpoint()` gives the state to keep."""

    def __init__(
        self,
        out: bytearray,
        header: Sequence[str],
        state: XlsxState | None = None,
        *,
        max_rows: int = EXCEL_MAX_ROWS,
        zip64_at: int = LIMIT,
    ) -> None:
        if max_rows < 2:
            raise ValueError("a sheet needs room for the header and one row")
        self._state = state or XlsxState()
        self._zip = ZipStream(out, self._state.zip, zip64_at=zip64_at)
        self._state.zip = self._zip.state
        self._header = list(header)
        self._refs = [_column_letters(i) for i in range(len(header))]
        self._max_rows = max_rows
        #: what a sheet's XML stays under: the check's threshold, the unchecked characters, one more row
        self._sheet_bound = MAX_SHEET_XML + 4 * _FLUSH_CHARS + len(header) * _MAX_CELL_XML + 1024
        if self._state.sheets == 0:
            self._start_sheet()

    @property
    def sheets(self) -> int:
        return self._state.sheets

    def write_rows(self, rows: Sequence[Sequence[Value]]) -> None:
        parts: list[str] = []
        pending = 0  # characters in `parts`
        for row in rows:
            if pending >= _FLUSH_CHARS:
                self._zip.write("".join(parts).encode())
                parts, pending = [], 0
            if self._state.sheet_rows >= self._max_rows or self._zip.open_size >= MAX_SHEET_XML:
                self._zip.write("".join(parts).encode())
                parts, pending = [], 0
                self._end_sheet()
                self._start_sheet()
            self._state.sheet_rows += 1
            xml = self._row(self._state.sheet_rows, row)
            parts.append(xml)
            pending += len(xml)
        self._zip.write("".join(parts).encode())

    def checkpoint(self) -> XlsxState:
        self._zip.checkpoint()
        return self._state

    def finish(self) -> None:
        self._end_sheet()
        n = self._state.sheets
        sheets = "".join(f'<sheet name="{sheet_name(i)}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, n + 1))
        self._zip.add(
            "xl/workbook.xml",
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'.encode(),
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        rels += f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        self._zip.add(
            "xl/_rels/workbook.xml.rels", f'{_XML}<Relationships xmlns="{_PKG_REL}">{rels}</Relationships>'.encode()
        )
        self._zip.add("xl/styles.xml", _STYLES.encode())
        self._zip.add(
            "_rels/.rels",
            f'{_XML}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
            f'Target="xl/workbook.xml"/></Relationships>'.encode(),
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        self._zip.add(
            "[Content_Types].xml",
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>".encode(),
        )
        self._zip.finish()

    def _start_sheet(self) -> None:
        self._state.sheets += 1
        self._state.sheet_rows = 1
        self._zip.start(f"xl/worksheets/sheet{self._state.sheets}.xml", max_size=self._sheet_bound)
        head = (
            f'{_XML}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            "</sheetView></sheetViews><sheetData>"
        )
        self._zip.write((head + self._row(1, self._header)).encode())

    def _end_sheet(self) -> None:
        self._zip.write(b"</sheetData></worksheet>")
        self._zip.close()

    def _row(self, number: int, values: Sequence[Value]) -> str:
        cells = [_cell(f"{ref}{number}", v) for ref, v in zip(self._refs, values, strict=True) if v is not None]
        return f'<row r="{number}">{"".join(cells)}</row>'


def _cell(ref: str, value: Value) -> str:
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        days = (moment - _EPOCH).total_seconds() / 86_400
        return f'<c r="{ref}" s="1"><v>{days!r}</v></c>'
    if isinstance(value, list):
        text = "; ".join(value)
    elif isinstance(value, uuid.UUID):
        text = str(value)
    else:
        text = str(value)
    text = escape(_ILLEGAL.sub("", text)[:XLSX_MAX_CELL])
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
