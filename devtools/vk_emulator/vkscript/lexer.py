"""Splits VKScript source into tokens (numbers, strings, names, operators); comments are skipped."""

from __future__ import annotations

import re
from dataclasses import dataclass


class CompileError(Exception):
    """Becomes VK error 12 "Unable to compile code: <detail>"."""

    def __init__(self, message: str, source: str = "", pos: int = 0) -> None:
        line = source.count("\n", 0, pos) + 1
        super().__init__(f"{message} in line {line}")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "num", "str", "name", "op", "eof"
    value: str
    pos: int


_OPERATORS = (
    "===", "!==", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "@.",
    "+", "-", "*", "/", "%", "<", ">", "=", "!", "(", ")", "[", "]", "{", "}", ",", ";", ".", ":", "?",
)  # fmt: skip
_TOKEN = re.compile(
    r"""(?P<space>\s+|//[^\n]*|/\*.*?\*/)
      | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
      | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>"""
    + "|".join(re.escape(op) for op in _OPERATORS)
    + ")",
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "0": "\0"}


def _unescape(body: str, source: str, pos: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt == "u":
            try:
                out.append(chr(int(body[i + 2 : i + 6], 16)))
            except ValueError:
                raise CompileError("bad \\u escape", source, pos) from None
            i += 6
        else:
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
    return "".join(out)


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    n = len(source)
    while pos < n:
        if source.startswith("/*", pos) and source.find("*/", pos + 2) < 0:
            raise CompileError("unterminated comment", source, pos)
        m = _TOKEN.match(source, pos)
        if m is None:
            raise CompileError(f"unexpected character {source[pos]!r}", source, pos)
        kind = m.lastgroup or ""
        text = m.group(0)
        if kind == "str":
            tokens.append(Token("str", _unescape(text[1:-1], source, pos), pos))
        elif kind != "space":
            tokens.append(Token(kind, text, pos))
        pos = m.end()
    tokens.append(Token("eof", "", n))
    return tokens
