"""Pre-encoded JSON values, so hot methods can answer without building thousands of dicts.

wall.getComments writes its answer straight to JSON text and returns it as a RawJson. Sent as is,
it is spliced into the envelope unchanged. If an execute script looks inside it (`r.items`,
`r.count`), it is decoded once and from then on behaves as the plain value, mutations included:
the RawJson object keeps its identity, so references in script variables stay shared as in JS.
"""

from __future__ import annotations

import json
import secrets
from typing import Any


class RawJson:
    """A JSON text standing for a value; decoded on first inspection."""

    __slots__ = ("_loaded", "_text", "_value")

    def __init__(self, text: str) -> None:
        self._text = text
        self._value: Any = None
        self._loaded = False

    def value(self) -> Any:
        if not self._loaded:
            self._value = json.loads(self._text)
            self._loaded = True
        return self._value

    @property
    def text(self) -> str | None:
        """The original text, or None once decoded (the value may have been changed since)."""
        return None if self._loaded else self._text


def unwrap(v: Any) -> Any:
    """The plain value behind `v` (decoding a RawJson if needed)."""
    return v.value() if isinstance(v, RawJson) else v


def encode(obj: Any) -> bytes:
    """Compact UTF-8 JSON of `obj`, splicing RawJson texts in without re-encoding them."""
    spliced: list[str] = []
    marker = f"\x00rawjson-{secrets.token_hex(4)}-"

    def default(o: Any) -> Any:
        if isinstance(o, RawJson):
            text = o.text
            if text is None:
                return o.value()
            spliced.append(text)
            return f"{marker}{len(spliced) - 1}\x00"
        raise TypeError(f"{type(o).__name__} is not JSON serializable")

    skeleton = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), check_circular=False, default=default)
    if not spliced:
        return skeleton.encode("utf-8")
    quoted_marker = json.dumps(marker)[:-1]  # '"\u0000rawjson-xxxx-'
    pieces = skeleton.split(quoted_marker)
    out = [pieces[0]]
    for piece in pieces[1:]:
        index, rest = piece.split('\\u0000"', 1)
        out.append(spliced[int(index)])
        out.append(rest)
    return "".join(out).encode("utf-8")
