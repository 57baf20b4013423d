"""pg8000's placeholder rewrite, cached per statement text, gives exactly pg8000's own result."""

from __future__ import annotations

import pg8000.dbapi
import pg8000.legacy
from vkc.db import paramstyle

STATEMENTS = [
    "SELECT %s, %s",
    "SELECT '%s is text', %s",
    "SELECT E'it''s %s', %s -- a comment with %s\n, %s",
    "SELECT \"odd%s\" FROM t WHERE a LIKE 'x%%' AND b = %s",
    "SELECT $$ %s $$, %s",
    "SELECT 5 %% 3, %s",
]


def test_the_cached_rewrite_is_pg8000s_and_each_text_is_scanned_once() -> None:
    paramstyle.install()
    original = paramstyle._original[0]
    for sql in STATEMENTS:
        args = ("a", "b", "c")
        assert paramstyle.convert_paramstyle("format", sql, args) == original("format", sql, args)
    before = paramstyle._format_statement.cache_info()
    for sql in STATEMENTS:
        paramstyle.convert_paramstyle("format", sql, ("a",))
    after = paramstyle._format_statement.cache_info()
    assert after.hits - before.hits == len(STATEMENTS)
    assert after.misses == before.misses
    assert pg8000.legacy.convert_paramstyle is paramstyle.convert_paramstyle  # what the cursors call
    assert pg8000.dbapi.convert_paramstyle is paramstyle.convert_paramstyle


def test_other_styles_keep_pg8000s_path() -> None:
    paramstyle.install()
    sql = "SELECT :a, :b, :a"
    assert paramstyle.convert_paramstyle("named", sql, {"a": 1, "b": 2}) == ("SELECT $1, $2, $1", (1, 2))
