"""Bulk upload parsing: formats, header detection, comments, limits and in-file duplicates (defect 39)."""

from __future__ import annotations

import pytest
from vkc.communities.input import ParseOutcome
from vkc.communities.upload import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_ENTRIES,
    UploadFormat,
    UploadInvalid,
    UploadTooLarge,
    check_size,
    parse_upload,
)


def test_txt_lines_comments_and_blanks() -> None:
    parsed = parse_upload("# my list\napiclub\n\n  club1  \n# end\nhttps://vk.com/public2\n")
    assert parsed.format is UploadFormat.TXT
    assert parsed.header is None
    assert [(line.line, line.input) for line in parsed.lines] == [
        (2, "apiclub"),
        (4, "club1"),
        (6, "https://vk.com/public2"),
    ]
    assert parsed.ignored == 3


def test_url_with_fragment_is_not_a_comment() -> None:
    parsed = parse_upload("https://vk.com/apiclub#top\n")
    assert parsed.lines[0].ref is not None
    assert parsed.lines[0].ref.screen_name == "apiclub"


def test_csv_header_picks_the_community_column() -> None:
    parsed = parse_upload("name,url,notes\nAPI,https://vk.com/apiclub,x\nOther,club5,y\n")
    assert parsed.format is UploadFormat.CSV
    assert parsed.header == ["name", "url", "notes"]
    assert parsed.column == 1
    assert [line.line for line in parsed.lines] == [2, 3]
    assert parsed.lines[1].ref is not None
    assert parsed.lines[1].ref.group_id == 5


def test_predecessor_csv_layout_screen_name_first() -> None:
    parsed = parse_upload("screen_name,name,description\napiclub,VK API,the API\n", UploadFormat.CSV)
    assert parsed.column == 0
    assert parsed.lines[0].ref is not None
    assert parsed.lines[0].ref.screen_name == "apiclub"


def test_csv_without_header_uses_first_column_and_semicolons() -> None:
    parsed = parse_upload("apiclub;VK API\nclub7;Seven\n")
    assert parsed.header is None
    assert [line.input for line in parsed.lines] == ["apiclub", "club7"]


def test_quoted_csv_cells_and_bom() -> None:
    parsed = parse_upload('\ufeff"Ссылка","Название"\n"https://vk.com/apiclub","VK, API"\n')
    assert parsed.header == ["Ссылка", "Название"]
    assert parsed.lines[0].input == "https://vk.com/apiclub"


def test_txt_header_word_is_a_header() -> None:
    parsed = parse_upload("screen_name\napiclub\n")
    assert parsed.header == ["screen_name"]
    assert len(parsed.lines) == 1


def test_duplicates_within_the_file_point_to_the_first_line() -> None:
    parsed = parse_upload("club1\napiclub\n-1\nhttps://vk.com/club1\nAPICLUB\n")
    dups = {line.line: line.duplicate_of for line in parsed.lines}
    assert dups == {1: None, 2: None, 3: 1, 4: 1, 5: 2}


def test_invalid_lines_carry_outcome_and_reason() -> None:
    parsed = parse_upload("апиклуб\nvk.com/wall5_1\nok_name\n")
    first, second, third = parsed.lines
    assert first.outcome is ParseOutcome.INVALID
    assert first.reason
    assert second.outcome is ParseOutcome.NOT_A_COMMUNITY
    assert third.ref is not None


def test_empty_csv_cell_is_invalid() -> None:
    parsed = parse_upload("url,name\n,nothing here\n")
    assert parsed.lines[0].outcome is ParseOutcome.INVALID
    assert "empty" in (parsed.lines[0].reason or "")


@pytest.mark.parametrize("content", ["", "\n\n", "# only comments\n# here", "url\n"])
def test_nothing_to_import_is_invalid(content: str) -> None:
    with pytest.raises(UploadInvalid):
        parse_upload(content)


def test_entry_limit_counts_communities_not_comments_or_header() -> None:
    body = "\n".join(f"club{i}" for i in range(1, MAX_UPLOAD_ENTRIES + 1))
    parsed = parse_upload("url\n# comment\n" + body)
    assert len(parsed.lines) == MAX_UPLOAD_ENTRIES
    with pytest.raises(UploadInvalid, match="limit is 10000"):
        parse_upload(body + "\nclub999999")


def test_byte_limit() -> None:
    assert check_size("x" * MAX_UPLOAD_BYTES) == MAX_UPLOAD_BYTES
    with pytest.raises(UploadTooLarge, match="1 MB"):
        parse_upload("x" * (MAX_UPLOAD_BYTES + 1))
    with pytest.raises(UploadTooLarge):
        check_size("я" * (MAX_UPLOAD_BYTES // 2 + 1))  # two bytes each in UTF-8


def test_crlf_line_endings_keep_line_numbers() -> None:
    parsed = parse_upload("apiclub\r\n\r\nclub1\r\n")
    assert [line.line for line in parsed.lines] == [1, 3]
