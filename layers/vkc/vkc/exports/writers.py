"""One streaming writer per format: rows go out as they come, nothing is collected.

- CSV: UTF-8 with a BOM (Excel otherwise guesses a legacy code page and garbles Cyrillic), RFC 4180
  quoting (`csv.QUOTE_MINIMAL`, CRLF line ends), text cells starting with `= + - @` or a tab/CR get a
  leading apostrophe so Excel does not run a commenter's text as a formula (CSV injection; OWASP).
- JSONL: one JSON object per line, UTF-8 (not `\\u` escapes), lists kept as arrays, dates ISO 8601.
- XLSX: see `vkc.exports.xlsx` (a resumable stream of sheet XML into a zip, Zip64 past 4 GiB, no
  temporary file).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, BinaryIO, Protocol

from vkc.exports.columns import Value

BOM = "\ufeff".encode()
LIST_SEPARATOR = "; "
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


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
    def __init__(self, out: BinaryIO | Any, header: Sequence[str], *, resumed: bool = False) -> None:
        self._out = out
        if not resumed:  # a continuation appends to a file that has its BOM and header already
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
    def __init__(self, out: BinaryIO | Any, header: Sequence[str], *, resumed: bool = False) -> None:
        self._out = out
        self._keys = list(header)

    def write_rows(self, rows: Sequence[Sequence[Value]]) -> None:
        lines = [
            json.dumps(dict(zip(self._keys, row, strict=True)), ensure_ascii=False, default=_json_default)
            for row in rows
        ]
        self._out.write(("\n".join(lines) + "\n").encode())


class FormatWriter(Protocol):
    """A format's writer as the export task drives it (`vkc.exports.task`)."""

    def write_rows(self, rows: Sequence[Sequence[Value]]) -> None: ...

    def checkpoint(self) -> dict[str, Any]:
        """Make every byte so far final in the output; the state a later run resumes from."""
        ...

    def finish(self) -> None: ...


class _TextFormat:
    def __init__(self, writer: CsvWriter | JsonlWriter) -> None:
        self._writer = writer

    def write_rows(self, rows: Sequence[Sequence[Value]]) -> None:
        self._writer.write_rows(rows)

    def checkpoint(self) -> dict[str, Any]:
        return {"started": True}

    def finish(self) -> None:
        return None


class _XlsxFormat:
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write_rows(self, rows: Sequence[Sequence[Value]]) -> None:
        self._stream.write_rows(rows)

    def checkpoint(self) -> dict[str, Any]:
        return dict(self._stream.checkpoint().to_json())

    def finish(self) -> None:
        self._stream.finish()


class _Appender:
    """`out.write` onto a bytearray the caller ships and clears."""

    def __init__(self, out: bytearray) -> None:
        self._out = out

    def write(self, data: bytes) -> int:
        self._out += data
        return len(data)


def open_format(
    fmt: str, out: bytearray, header: Sequence[str], state: dict[str, Any], *, sheet_rows: int, zip64_at: int
) -> FormatWriter:
    """The writer of `fmt` appending to `out`, resumed from `state` (empty: a new file)."""
    if fmt == "xlsx":
        from vkc.exports.xlsx import XlsxState, XlsxStream

        resumed = XlsxState.from_json(state) if state else None
        return _XlsxFormat(XlsxStream(out, header, resumed, max_rows=sheet_rows, zip64_at=zip64_at))
    if fmt == "csv":
        return _TextFormat(CsvWriter(_Appender(out), header, resumed=bool(state)))
    return _TextFormat(JsonlWriter(_Appender(out), header, resumed=bool(state)))
