"""Upload parsing: header detection (never imported), comments, blank lines, formats, limits."""

from __future__ import annotations

import pytest
from vkc.keywords.schemas import ImportFormat
from vkc.keywords.upload import MAX_UPLOAD_LINES, UploadInvalid, UploadTooLarge, parse_upload


def test_predecessor_sample_csv_header_is_not_a_keyword() -> None:
    parsed = parse_upload("слово,категория,описание\nквартира,жильё,аренда\nдоставка,сервис,\n")
    assert parsed.format is ImportFormat.CSV
    assert parsed.header == ["слово", "категория", "описание"]
    assert [(r.line, r.text, r.category) for r in parsed.rows] == [(2, "квартира", "жильё"), (3, "доставка", "сервис")]


def test_header_columns_in_any_order_and_delimiter() -> None:
    parsed = parse_upload("category;keyword;kind\nбанки;Сбербанк;word\nжильё;сдать квартиру;phrase\n")
    assert [(r.text, r.category, r.kind) for r in parsed.rows] == [
        ("Сбербанк", "банки", "word"),
        ("сдать квартиру", "жильё", "phrase"),
    ]


def test_csv_without_header_reads_text_then_category() -> None:
    parsed = parse_upload("квартира,жильё\nдоставка,\n", ImportFormat.CSV)
    assert parsed.header is None
    assert [(r.text, r.category) for r in parsed.rows] == [("квартира", "жильё"), ("доставка", None)]


def test_txt_comments_blank_lines_and_header_word() -> None:
    content = "\ufeffслово\n# мои ключевые слова\n\nквартира\n  \nсдать квартиру\n"
    parsed = parse_upload(content)
    assert parsed.format is ImportFormat.TXT
    assert parsed.header == ["слово"]
    assert [(r.line, r.text) for r in parsed.rows] == [(4, "квартира"), (6, "сдать квартиру")]
    assert parsed.ignored == 3


def test_txt_keeps_commas_when_told() -> None:
    parsed = parse_upload(r"\d{1,3} комн" + "\n", ImportFormat.TXT)
    assert [r.text for r in parsed.rows] == [r"\d{1,3} комн"]


def test_limits() -> None:
    with pytest.raises(UploadTooLarge):
        parse_upload("я" * (600 * 1024))  # 1.2 MB in UTF-8
    with pytest.raises(UploadInvalid, match="limit is 10000"):
        parse_upload("\n".join(f"слово{i}" for i in range(MAX_UPLOAD_LINES + 1)))
    with pytest.raises(UploadInvalid, match="no keywords"):
        parse_upload("# только комментарий\n\nkeyword\n")
