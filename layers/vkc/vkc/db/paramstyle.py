"""pg8000's rewrite of ``%s`` placeholders into ``$1, $2 …``, done once per statement text instead of per call.

Why: pg8000 rewrites every statement's text before sending it, scanning it character by character
in Python (``convert_paramstyle``), at every execution: about half a microsecond per character,
0.5-0.7 ms for one of the analyze task's 1,000-character writes, several per chunk, in the thread
that shares the GIL with the analysis. The rewrite of a ``format``-style statement depends on its
text alone and passes the arguments through unchanged, so its result is cached by text. Other
styles (SQLAlchemy's pg8000 dialect uses ``format``) keep pg8000's own path. pg8000 is imported
only when an engine is made (as SQLAlchemy does), not with this module.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

_original: list[Callable[[str, str, Any], tuple[str, Any]]] = []


@lru_cache(maxsize=512)
def _format_statement(query: str) -> str:
    statement, _ = _original[0]("format", query, ())
    return statement


def convert_paramstyle(style: str, query: str, args: Any) -> tuple[str, Any]:
    """pg8000's ``convert_paramstyle``, cached by text for the ``format`` style."""
    if style == "format":
        return _format_statement(query), args
    return _original[0](style, query, args)


def install() -> None:
    """Make pg8000's cursors use the cached rewrite (idempotent)."""
    import pg8000.dbapi
    import pg8000.legacy

    if not _original:
        _original.append(pg8000.dbapi.convert_paramstyle)
    pg8000.legacy.convert_paramstyle = convert_paramstyle
    pg8000.dbapi.convert_paramstyle = convert_paramstyle
