"""pg8000's placeholder conversion, remembered per statement text, gives exactly pg8000's own answer."""

from __future__ import annotations

from typing import Any

import pg8000.dbapi
import pg8000.legacy
import pytest
from vkc.db import engine

CASES: list[tuple[str, str, Any]] = [
    ("format", "SELECT %s, '%s literal', %s::int -- %s\n FROM t WHERE x = %s", (1, 2, 3)),
    ("named", "SELECT :a, :b, ':c', :a, $$ :d $$, x::text FROM t", {"a": 1, "b": 2}),
    ("pyformat", "SELECT %(a)s, %(b)s, %(a)s", {"a": 1, "b": 2}),
    ("qmark", "SELECT ?, ?", (1, 2)),
    ("numeric", "SELECT :1, :2, :1", (1, 2)),
]


@pytest.mark.parametrize(("style", "query", "args"), CASES)
def test_the_remembered_conversion_is_pg8000s(style: str, query: str, args: Any) -> None:
    want = pg8000.dbapi.convert_paramstyle(style, query, args)
    assert engine._remembered_paramstyle(style, query, args) == want
    assert engine._remembered_paramstyle(style, query, args) == want  # from the cache


def test_other_values_for_the_same_text_are_taken_from_the_arguments() -> None:
    query = "SELECT :a, :b, :a"
    engine._remembered_paramstyle("named", query, {"a": 1, "b": 2})
    assert engine._remembered_paramstyle("named", query, {"a": "x", "b": None}) == ("SELECT $1, $2, $1", ("x", None))
    with pytest.raises(KeyError):
        engine._remembered_paramstyle("named", query, {"a": 1})


def test_pg8000_uses_it() -> None:
    assert pg8000.legacy.convert_paramstyle is engine._remembered_paramstyle
