"""VKScript value semantics: JSON values with JS-like coercions, array/object `+`, and built-in methods.

VKScript is not JavaScript, but the scripts clients send rely only on the JS-compatible core:
`+` concatenates strings and arrays and merges objects, fields of non-objects read as null, and
`false.count` is null (vk_api reads `response.count` before checking the call failed).
"""

from __future__ import annotations

import json
import math
from typing import Any

from devtools.vk_emulator.rawjson import RawJson, unwrap


class ScriptRuntimeError(Exception):
    """Becomes VK error 13 "Runtime error occurred during code invocation: <detail>"."""


def truthy(v: Any) -> bool:
    if isinstance(v, RawJson):
        return True  # API results are objects or arrays: always truthy, no need to decode
    if v is None or v is False:
        return False
    if isinstance(v, int | float) and not isinstance(v, bool):
        return v != 0 and not (isinstance(v, float) and math.isnan(v))
    if isinstance(v, str):
        return v != ""
    return True


def to_number(v: Any) -> int | float:
    v = unwrap(v)
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int | float):
        return v
    if v is None:
        return 0
    if isinstance(v, str):
        s = v.strip()
        try:
            return int(s) if s.lstrip("+-").isdigit() else float(s) if s else 0
        except ValueError:
            pass
    raise ScriptRuntimeError("Cannot convert value to a number")


def normalize(n: int | float) -> int | float:
    """Keep integral results integers, as VK's JSON shows them."""
    if isinstance(n, float) and n.is_integer() and abs(n) < 2**53:
        return int(n)
    return n


def to_text(v: Any) -> str:
    v = unwrap(v)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(normalize(v)) if not v.is_integer() else str(int(v))
    if isinstance(v, list):
        return ",".join(to_text(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def to_param(v: Any) -> str | None:
    """A value passed to an API call becomes a request parameter string (None = omitted)."""
    v = unwrap(v)
    if v is None:
        return None
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, list):
        return ",".join(to_text(x) for x in v)
    return to_text(v)


def add(a: Any, b: Any) -> Any:
    a, b = unwrap(a), unwrap(b)
    if isinstance(a, list) and isinstance(b, list):
        return a + b
    if isinstance(a, dict) and isinstance(b, dict):
        return {**a, **b}
    if isinstance(a, list):
        return [*a, b]
    if isinstance(a, str) or isinstance(b, str):
        return to_text(a) + to_text(b)
    return normalize(to_number(a) + to_number(b))


def arithmetic(op: str, a: Any, b: Any) -> Any:
    if op == "+":
        return add(a, b)
    x, y = to_number(a), to_number(b)
    if op == "-":
        return normalize(x - y)
    if op == "*":
        return normalize(x * y)
    if y == 0:
        raise ScriptRuntimeError("Division by zero")
    if op == "/":
        return normalize(x / y)
    return normalize(math.fmod(x, y))


def loose_equal(a: Any, b: Any) -> bool:
    a, b = unwrap(a), unwrap(b)
    if a is None or b is None:
        return a is None and b is None
    numeric = (int, float, bool)
    if isinstance(a, numeric) and isinstance(b, numeric):
        return to_number(a) == to_number(b)
    if (isinstance(a, str) and isinstance(b, numeric)) or (isinstance(b, str) and isinstance(a, numeric)):
        try:
            return to_number(a) == to_number(b)
        except ScriptRuntimeError:
            return False
    if type(a) is not type(b):
        return False
    return bool(a == b)


def compare(op: str, a: Any, b: Any) -> bool:
    a, b = unwrap(a), unwrap(b)
    if isinstance(a, str) and isinstance(b, str):
        x: Any = a
        y: Any = b
    else:
        try:
            x, y = to_number(a), to_number(b)
        except ScriptRuntimeError:
            raise ScriptRuntimeError("Comparing values of different or unsupported types") from None
    if op == "<":
        return bool(x < y)
    if op == ">":
        return bool(x > y)
    if op == "<=":
        return bool(x <= y)
    return bool(x >= y)


def get_field(obj: Any, name: str) -> Any:
    obj = unwrap(obj)
    if isinstance(obj, dict):
        return obj.get(name)
    if name == "length" and isinstance(obj, list | str):
        return len(obj)
    return None


def get_index(obj: Any, index: Any) -> Any:
    obj, index = unwrap(obj), unwrap(index)
    if isinstance(obj, dict):
        return obj.get(to_text(index))
    if isinstance(obj, list | str):
        try:
            i = int(to_number(index))
        except ScriptRuntimeError:
            return get_field(obj, str(index))
        return obj[i] if 0 <= i < len(obj) else None
    return None


def project(obj: Any, name: str) -> Any:
    obj = unwrap(obj)
    if isinstance(obj, list):
        return [get_field(item, name) for item in obj]
    return None


def _index_arg(args: list[Any], i: int, default: int | None) -> int | None:
    if len(args) <= i or args[i] is None:
        return default
    return int(to_number(args[i]))


def _js_slice(length: int, start: int | None, end: int | None) -> tuple[int, int]:
    s = 0 if start is None else (max(length + start, 0) if start < 0 else min(start, length))
    e = length if end is None else (max(length + end, 0) if end < 0 else min(end, length))
    return s, max(s, e)


def call_method(obj: Any, name: str, args: list[Any]) -> Any:
    """Array and string methods VKScript offers (slice, push, pop, shift, unshift, splice, ...)."""
    obj = unwrap(obj)
    if isinstance(obj, list):
        return _list_method(obj, name, args)
    if isinstance(obj, str):
        return _str_method(obj, name, args)
    raise ScriptRuntimeError(f"Method {name} called on a value that is not an array or a string")


def _list_method(obj: list[Any], name: str, args: list[Any]) -> Any:
    if name == "push":
        obj.extend(args)
        return len(obj)
    if name == "pop":
        return obj.pop() if obj else None
    if name == "shift":
        return obj.pop(0) if obj else None
    if name == "unshift":
        obj[0:0] = args
        return len(obj)
    if name == "slice":
        s, e = _js_slice(len(obj), _index_arg(args, 0, None), _index_arg(args, 1, None))
        return obj[s:e]
    if name == "splice":
        s, _ = _js_slice(len(obj), _index_arg(args, 0, 0), None)
        count = _index_arg(args, 1, len(obj) - s)
        removed = obj[s : s + max(count or 0, 0)]
        obj[s : s + len(removed)] = args[2:]
        return removed
    if name == "indexOf":
        target = args[0] if args else None
        return next((i for i, v in enumerate(obj) if loose_equal(v, target)), -1)
    if name == "join":
        sep = to_text(args[0]) if args else ","
        return sep.join(to_text(v) for v in obj)
    raise ScriptRuntimeError(f"Unknown array method {name}")


def _str_method(obj: str, name: str, args: list[Any]) -> Any:
    if name == "substr":
        start = _index_arg(args, 0, 0) or 0
        if start < 0:
            start = max(len(obj) + start, 0)
        length = _index_arg(args, 1, None)
        return obj[start:] if length is None else obj[start : start + max(length, 0)]
    if name == "slice":
        s, e = _js_slice(len(obj), _index_arg(args, 0, None), _index_arg(args, 1, None))
        return obj[s:e]
    if name == "split":
        if not args or args[0] is None:
            return [obj]
        sep = to_text(args[0])
        return list(obj) if sep == "" else obj.split(sep)
    if name == "indexOf":
        return obj.find(to_text(args[0]) if args else "null")
    if name == "toLowerCase":
        return obj.lower()
    if name == "toUpperCase":
        return obj.upper()
    raise ScriptRuntimeError(f"Unknown string method {name}")


def parse_int(v: Any) -> Any:
    s = to_text(v).strip()
    digits = ""
    for i, ch in enumerate(s):
        if ch.isdigit() or (i == 0 and ch in "+-"):
            digits += ch
        else:
            break
    try:
        return int(digits)
    except ValueError:
        return None


def parse_double(v: Any) -> Any:
    try:
        return normalize(float(to_text(v).strip()))
    except ValueError:
        return None
