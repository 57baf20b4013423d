"""A bulk upload (txt or csv text) → numbered lines, each a community reference or a reason it is not.

Why validated here and not line by line in the worker: limits, the header and in-file duplicates are
facts about the file, known before any VK call (predecessor defect 39 imported the CSV header and kept
duplicates). Rules:
- blank lines and lines starting with `#` are ignored (not reported);
- a txt file has one value per line; a csv file is read with the delimiter sniffed among `,` `;` tab,
  and the community is taken from the column whose header names it (`url`, `link`, `screen_name`,
  `id`, …), else the first column;
- a first row whose cells name columns (any cell is a known header word) is a header, in both formats;
- a value equal (by `CommunityRef.key`) to an earlier line's is a duplicate of that line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import StrEnum

from vkc.communities.input import CommunityInputError, CommunityRef, ParseOutcome, parse_community_input

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_UPLOAD_ENTRIES = 10_000
DELIMITERS = (",", ";", "\t")

#: Header words, in order of preference for the column that names the community.
COMMUNITY_COLUMNS = (
    "url",
    "link",
    "href",
    "screen_name",
    "screenname",
    "short_name",
    "vk_id",
    "group_id",
    "community_id",
    "id",
    "community",
    "group",
    "public",
    "ссылка",
    "адрес",
    "группа",
    "сообщество",
    "паблик",
)
#: Other column names a predecessor file or a spreadsheet export carries.
OTHER_COLUMNS = ("name", "title", "description", "comment", "notes", "название", "описание", "комментарий")
HEADER_WORDS = frozenset(COMMUNITY_COLUMNS + OTHER_COLUMNS)


class UploadFormat(StrEnum):
    TXT = "txt"
    CSV = "csv"


class UploadTooLarge(ValueError):
    """Over the byte limit: the API answers 413."""


class UploadInvalid(ValueError):
    """Empty, or over the line limit: the API answers 422."""


@dataclass(frozen=True, slots=True)
class UploadLine:
    """One data line: `ref` when it parsed, else `outcome` + `reason`; `duplicate_of` is an earlier line."""

    line: int
    input: str
    ref: CommunityRef | None = None
    outcome: ParseOutcome | None = None
    reason: str | None = None
    duplicate_of: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedUpload:
    format: UploadFormat
    header: list[str] | None
    column: int
    lines: list[UploadLine]
    ignored: int  # blank and comment lines


def check_size(content: str) -> int:
    """The UTF-8 size; raises `UploadTooLarge` over the limit (checked before anything is parsed)."""
    size = len(content.encode("utf-8"))
    if size > MAX_UPLOAD_BYTES:
        raise UploadTooLarge(f"The upload is {size} bytes; the limit is {MAX_UPLOAD_BYTES} bytes (1 MB).")
    return size


def parse_upload(content: str, upload_format: UploadFormat | None = None) -> ParsedUpload:
    """Parse the whole upload; raises `UploadTooLarge` / `UploadInvalid` for file-level problems."""
    check_size(content)
    content = content.removeprefix("\ufeff")
    rows = _data_rows(content)
    fmt = upload_format or _guess_format(rows)
    delimiter = _sniff_delimiter(rows) if fmt is UploadFormat.CSV else None
    cells_by_row = [(n, _cells(text, delimiter)) for n, text in rows]
    header: list[str] | None = None
    column = 0
    if cells_by_row and _is_header(cells_by_row[0][1]):
        header = cells_by_row[0][1]
        column = _community_column(header)
        cells_by_row = cells_by_row[1:]
    if not cells_by_row:
        raise UploadInvalid("The upload has no communities: every line is blank, a # comment or the header.")
    if len(cells_by_row) > MAX_UPLOAD_ENTRIES:
        raise UploadInvalid(
            f"The upload has {len(cells_by_row)} communities; the limit is {MAX_UPLOAD_ENTRIES} per upload."
        )
    lines: list[UploadLine] = []
    first_seen: dict[str, int] = {}
    for number, cells in cells_by_row:
        value = cells[column].strip() if column < len(cells) else ""
        lines.append(_line(number, value, first_seen))
    ignored = len(content.splitlines()) - len(rows)
    return ParsedUpload(fmt, header, column, lines, ignored)


def _line(number: int, value: str, first_seen: dict[str, int]) -> UploadLine:
    if not value:
        return UploadLine(number, value, outcome=ParseOutcome.INVALID, reason="The community column is empty.")
    try:
        ref = parse_community_input(value)
    except CommunityInputError as exc:
        return UploadLine(number, value, outcome=exc.outcome, reason=exc.reason)
    earlier = first_seen.setdefault(ref.key, number)
    return UploadLine(number, value, ref=ref, duplicate_of=earlier if earlier != number else None)


def _data_rows(content: str) -> list[tuple[int, str]]:
    """(line number, text) of lines that are neither blank nor `#` comments."""
    out = []
    for number, text in enumerate(content.splitlines(), start=1):
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            out.append((number, text))
    return out


def _guess_format(rows: list[tuple[int, str]]) -> UploadFormat:
    sample = [text for _, text in rows[:20]]
    if sample and all(any(d in text for d in DELIMITERS) for text in sample):
        return UploadFormat.CSV
    return UploadFormat.TXT


def _sniff_delimiter(rows: list[tuple[int, str]]) -> str:
    sample = [text for _, text in rows[:20]]
    counts = {d: sum(text.count(d) for text in sample) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _cells(text: str, delimiter: str | None) -> list[str]:
    if delimiter is None:
        return [text.strip()]
    # one physical line at a time: a quoted cell never spans lines in these files, and line numbers stay exact
    row = next(csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True), [])
    return [cell.strip() for cell in row] or [""]


def _normal(cell: str) -> str:
    return cell.strip().strip("\"'").strip().lower().replace(" ", "_").replace("-", "_")


def _is_header(cells: list[str]) -> bool:
    return any(_normal(cell) in HEADER_WORDS for cell in cells)


def _community_column(header: list[str]) -> int:
    names = [_normal(cell) for cell in header]
    for wanted in COMMUNITY_COLUMNS:
        if wanted in names:
            return names.index(wanted)
    return 0
