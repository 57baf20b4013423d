"""A keyword upload (txt or csv text) → numbered data lines with text, category and kind.

File-level facts are settled here, before any keyword is validated (predecessor defect 39 imported the
csv header "слово" as a keyword, kept in-file duplicates and ignored its own limits):
- over 1 MB → ``UploadTooLarge`` (413); no data lines, or over 10,000 → ``UploadInvalid`` (422);
- blank lines and lines starting with ``#`` are ignored (counted, not reported);
- csv: the delimiter is sniffed among ``,`` ``;`` tab; a first row naming a column (a cell is
  ``word``/``keyword``/``слово``… or ``category``/``категория``…) is the header and says which
  column holds what; without one, column 1 is the text and column 2 the category;
- txt: one keyword per line; a first line that is only a column name (``слово``, ``keyword``…) is a
  header too.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from vkc.keywords.schemas import ImportFormat

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_UPLOAD_LINES = 10_000
DELIMITERS = (",", ";", "\t")

TEXT_COLUMNS = (
    "word", "words", "keyword", "keywords", "text", "phrase", "term", "query",
    "слово", "слова", "ключевое_слово", "ключевые_слова", "ключевик", "фраза", "текст", "термин",
)  # fmt: skip
CATEGORY_COLUMNS = ("category", "categories", "topic", "tag", "категория", "категории", "тема", "рубрика", "тег")
KIND_COLUMNS = ("kind", "type", "тип", "вид")


class UploadTooLarge(ValueError):
    """Over the byte limit."""


class UploadInvalid(ValueError):
    """Nothing to import, or over the line limit."""


@dataclass(frozen=True, slots=True)
class UploadRow:
    line: int
    text: str
    category: str | None
    kind: str | None


@dataclass(frozen=True, slots=True)
class ParsedUpload:
    format: ImportFormat
    header: list[str] | None
    rows: list[UploadRow]
    ignored: int


@dataclass(frozen=True, slots=True)
class _Columns:
    text: int = 0
    category: int | None = 1
    kind: int | None = None


def parse_upload(content: str, upload_format: ImportFormat | None = None) -> ParsedUpload:
    size = len(content.encode("utf-8"))
    if size > MAX_UPLOAD_BYTES:
        raise UploadTooLarge(f"The upload is {size} bytes; the limit is {MAX_UPLOAD_BYTES} bytes (1 MB).")
    lines = content.removeprefix("\ufeff").splitlines()
    data = [(n, line) for n, line in enumerate(lines, start=1) if line.strip() and not line.strip().startswith("#")]
    fmt = upload_format or _guess_format([line for _, line in data[:20]])
    delimiter = _sniff([line for _, line in data[:20]]) if fmt is ImportFormat.CSV else None
    cells = [(n, _cells(line, delimiter)) for n, line in data]
    header: list[str] | None = None
    columns = _Columns() if fmt is ImportFormat.CSV else _Columns(category=None)
    if cells and _is_header(cells[0][1], fmt):
        header = cells[0][1]
        columns = _columns_of(header)
        cells = cells[1:]
    if not cells:
        raise UploadInvalid("The upload has no keywords: every line is blank, a # comment or the header.")
    if len(cells) > MAX_UPLOAD_LINES:
        raise UploadInvalid(f"The upload has {len(cells)} keyword lines; the limit is {MAX_UPLOAD_LINES}.")
    rows = [
        UploadRow(
            line=n,
            text=_at(row, columns.text) or "",
            category=_at(row, columns.category),
            kind=(_at(row, columns.kind) or "").lower() or None,
        )
        for n, row in cells
    ]
    return ParsedUpload(fmt, header, rows, ignored=len(lines) - len(data))


def _at(row: list[str], index: int | None) -> str | None:
    if index is None or index >= len(row):
        return None
    return row[index].strip() or None


def _guess_format(sample: list[str]) -> ImportFormat:
    """csv when every sampled line has the same delimiter; a lone phrase line never has one."""
    for d in DELIMITERS:
        if sample and all(d in line for line in sample):
            return ImportFormat.CSV
    first = _cells(sample[0], _sniff(sample[:1])) if sample else []
    if len(first) > 1 and _is_header(first, ImportFormat.CSV):
        return ImportFormat.CSV
    return ImportFormat.TXT


def _sniff(sample: list[str]) -> str:
    counts = {d: sum(line.count(d) for line in sample) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _cells(line: str, delimiter: str | None) -> list[str]:
    if delimiter is None:
        return [line.strip()]
    row = next(csv.reader(io.StringIO(line), delimiter=delimiter, skipinitialspace=True), [])
    return [cell.strip() for cell in row] or [""]


def _normal(cell: str) -> str:
    return cell.strip().strip("\"'").strip().lower().replace(" ", "_").replace("-", "_")


def _is_header(cells: list[str], fmt: ImportFormat) -> bool:
    names = [_normal(c) for c in cells if c.strip()]
    if not names:
        return False
    if fmt is ImportFormat.TXT or len(names) == 1:
        return names[0] in TEXT_COLUMNS  # a lone word is a header only if it names the text column
    return any(n in TEXT_COLUMNS or n in CATEGORY_COLUMNS for n in names)


def _columns_of(header: list[str]) -> _Columns:
    names = [_normal(c) for c in header]

    def first(wanted: tuple[str, ...]) -> int | None:
        return next((i for i, n in enumerate(names) if n in wanted), None)

    text = first(TEXT_COLUMNS)
    return _Columns(text=0 if text is None else text, category=first(CATEGORY_COLUMNS), kind=first(KIND_COLUMNS))
