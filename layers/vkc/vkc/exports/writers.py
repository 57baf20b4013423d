"""One streaming writer per format: rows go out as they come, nothing is collected.

- CSV: UTF-8 with a BOM (Excel otherwise guesses a legacy code page and garbles Cyrillic), RFC 4180
  quoting (`csv.QUOTE_MINIMAL`, CRLF line ends), text cells starting with `= + - @` or a tab/CR get a
  leading apostrophe so Excel does not run a commenter's text as a formula (CSV injection; OWASP).
- JSONL: one JSON object per line, UTF-8 (not `\\u` escapes), lists kept as arrays, dates ISO 8601.
- XLSX: openpyxl's write-only mode streams the sheet XML into a temporary file (inline strings, no
  shared-string table in memory); `finish` zips it into the output file, which the caller uploads in
  parts. Memory is bounded by openpyxl's per-row work; disk use is about the uncompressed sheet XML plus
  the compressed file (so /tmp must hold roughly 1.2× the uncompressed data). Text cells are forced to
  strings (never formulas); characters XML forbids are dropped, and cells are cut at Excel's 32,767.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from vkc.exports.columns import Value

BOM = "\ufeff".encode()
LIST_SEPARATOR = "; "
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_CELL = 32_767
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, header row excluded
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"


class RowWriter(Protocol):
    def write_rows(self, rows: Sequence[Sequence[Value]]) -> None: ...


def _text(value: Value) -> str:
    """A cell as CSV text: ISO dates in UTC, lowercase booleans, joined lists, empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return str(value)


def _defused(value: Value) -> str:
    text = _text(value)
    if isinstance(value, (str, list)) and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class CsvWriter:
    def __init__(self, out: BinaryIO | Any, header: Sequence[str]) -> None:
        self._out = out
        out.write(BOM)
        self.write_rows([list(header)], raw=True)

    def write_rows(self, rows: Sequence[Sequence[Value]], *, raw: bool = False) -> None:
        buf = io.StringIO()
        writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        for row in rows:
            writer.writerow([_text(v) if raw else _defused(v) for v in row])
        self._out.write(buf.getvalue().encode())


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot export {type(value).__name__}")


class JsonlWriter:
    def __init__(self, out: BinaryIO | Any, header: Sequence[str]) -> None:
        self._out = out
        self._keys = list(header)

    def write_rows(self, rows: Sequence[Sequence[Value]]) -> None:
        lines = [
            json.dumps(dict(zip(self._keys, row, strict=True)), ensure_ascii=False, default=_json_default)
            for row in rows
        ]
        self._out.write(("\n".join(lines) + "\n").encode())


class XlsxWriter:
    """Rows into a write-only workbook; `finish(path)` saves the .xlsx there."""

    def __init__(self, header: Sequence[str]) -> None:
        # openpyxl (~0.1 s to import) loads here, not when a worker starts: most workers never write XLSX
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        self._cell_type = WriteOnlyCell
        self._illegal = ILLEGAL_CHARACTERS_RE
        self._wb = Workbook(write_only=True)
        self._ws = self._wb.create_sheet("comments")
        self._ws.freeze_panes = "A2"
        self.rows = 0
        self._ws.append([self._cell(h) for h in header])

    def write_rows(self, rows: Sequence[Sequence[Value]]) -> None:
        if self.rows + len(rows) > XLSX_MAX_ROWS:
            raise XlsxTooLarge(f"an XLSX sheet holds at most {XLSX_MAX_ROWS:,} rows; export CSV or JSONL instead")
        for row in rows:
            self._ws.append([self._cell(v) for v in row])
        self.rows += len(rows)

    def finish(self, path: Path) -> None:
        self._wb.save(str(path))

    def _cell(self, value: Value) -> object:
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, datetime):
            cell = self._cell_type(self._ws, value=value.replace(tzinfo=None))  # Excel has no time zones: UTC
            cell.number_format = DATE_FORMAT
            return cell
        text = _text(value)
        text = self._illegal.sub("", text)[:XLSX_MAX_CELL]
        cell = self._cell_type(self._ws, value=text)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell


class XlsxTooLarge(ValueError):
    """More rows than an Excel sheet can hold."""
