"""VKScript language: tokenizer, parser and evaluator, without HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.vk_emulator.vkscript import CompileError, Interpreter, ScriptRuntimeError, parse


def run(code: str, api: Any = None, args: dict[str, str] | None = None, **caps: int) -> Any:
    calls: list[tuple[str, dict[str, str]]] = []

    def fake_api(method: str, params: dict[str, str]) -> Any:
        calls.append((method, params))
        return api(method, params) if api else {"method": method, "params": params}

    return Interpreter(fake_api, args or {}, **caps).run(parse(code))


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("return 1 + 2 * 3;", 7),
        ("return (1 + 2) * 3;", 9),
        ("return 7 / 2;", 3.5),
        ("return 8 / 2;", 4),
        ("return 7 % 3;", 1),
        ("return -3 + +2;", -1),
        ('return "a" + 1 + 2;', "a12"),
        ('return 1 + 2 + "a";', "3a"),
        ("return [1, 2] + [3];", [1, 2, 3]),
        ('return {a: 1, b: 2} + {b: 3, "c": 4};', {"a": 1, "b": 3, "c": 4}),
        ("return 1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 4 == false;", True),
        ('return 1 == 1 && 1 != 2 && "1" == 1 && null == null && !(0 == null);', True),
        ('return 0 || "" || null || 5;', 5),
        ("return 1 && 0;", 0),
        ("return !0 && !null && ![] == false;", True),
        ('return null == null ? "y" : "n";', "y"),
        ("return 1 > 2 ? 1 : 2 > 1 ? 3 : 4;", 3),
        ('var a = [1, 2, 3]; return a.length + "abc".length;', 6),
        (
            "var a = [1, 2, 3, 4]; return [a.slice(1), a.slice(-2), a.slice(1, 3), a.slice(5)];",
            [[2, 3, 4], [3, 4], [2, 3], []],
        ),
        ("var a = [1]; var n = a.push(2, 3); return [n, a];", [3, [1, 2, 3]]),
        ("var a = [1, 2]; return [a.pop(), a.shift(), a.pop(), a];", [2, 1, None, []]),
        ("var a = [3]; a.unshift(1, 2); return a;", [1, 2, 3]),
        ("var a = [1, 2, 3, 4]; var r = a.splice(1, 2, 9); return [r, a];", [[2, 3], [1, 9, 4]]),
        ('return [[5, 6].indexOf(6), [5].indexOf(7), "hello".indexOf("l")];', [1, -1, 2]),
        (
            'return ["abcdef".substr(2, 3), "abc".substr(1), "a,b".split(","), [1, 2].join("-")];',
            ["cde", "bc", ["a", "b"], "1-2"],
        ),
        ("var o = {items: [{id: 1}, {id: 2, x: 1}, 5]}; return o.items@.id;", [1, 2, None]),
        ('var o = {a: {b: [10, 20]}}; return o.a.b[1] + o["a"].b[0];', 30),
        (
            'var o = {}; o.x = 1; o["y"] = 2; var a = []; a[0] = 5; a[1] = 6; a[0] = 7; return [o, a];',
            [{"x": 1, "y": 2}, [7, 6]],
        ),
        ("var o = {x: 1, y: 2}; delete o.x; return o;", {"y": 2}),
        ("var i = 0, s = 0; while (i < 5) { i = i + 1; if (i == 3) { s = s + 100; } else s = s + i; } return s;", 112),
        ("var x = 1; x += 4; x -= 1; x *= 3; x /= 2; return x;", 6),
        ("var f = false; return [f.count, null.x, (5).y, [].z];", [None, None, None, None]),
        ('return [parseInt("42abc"), parseInt("-7"), parseInt("x"), parseDouble("2.5")];', [42, -7, None, 2.5]),
        ('return "esc\\"aped\\n\\u0416" + \'single\';', 'esc"aped\nЖsingle'),
        ("/* block */ var a = 1; // line\n return a;", 1),
        ("var a; return a;", None),
        ("var a = 1;", None),
        ("return;", None),
        ("return 1.5e2;", 150),
    ],
)
def test_expressions(code: str, expected: Any) -> None:
    assert run(code) == expected


def test_args_are_strings_as_on_vk() -> None:
    assert run("return Args.offset + 1;", args={"offset": "5"}) == "51"
    assert run("return parseInt(Args.offset) + 1;", args={"offset": "5"}) == 6
    assert run("return Args.missing;", args={}) is None


def test_api_call_params_are_stringified() -> None:
    got = run('return API.wall.getComments({"owner_id": -1, post_id: 10, need_likes: true, ids: [1, 2], skip: null});')
    assert got == {
        "method": "wall.getComments",
        "params": {"owner_id": "-1", "post_id": "10", "need_likes": "1", "ids": "1,2"},
    }


def test_api_call_sees_mutated_params_object() -> None:
    code = (
        "var p = {offset: 0}; var r = [];"
        "while (p.offset < 3) { r.push(API.x.y(p)); p.offset = p.offset + 1; }"
        "return r@.params@.offset;"
    )
    assert run(code) == ["0", "1", "2"]


def test_projection_after_api_call() -> None:
    def api(method: str, params: dict[str, str]) -> Any:
        return {"count": 2, "items": [{"id": 1}, {"id": 2}]}

    assert run("return API.wall.get({}).items@.id;", api) == [1, 2]


def test_call_cap_counts_every_api_call() -> None:
    assert len(run("var r = []; var i = 0; while (i < 25) { r.push(API.a.b({})); i = i + 1; } return r;")) == 25
    with pytest.raises(ScriptRuntimeError, match="Too many API calls"):
        run("var i = 0; while (i < 26) { API.a.b({}); i = i + 1; } return i;")


def test_operation_budget_stops_endless_loops() -> None:
    with pytest.raises(ScriptRuntimeError, match="Too many operations"):
        run("while (true) {} return 1;", max_ops=10_000)


@pytest.mark.parametrize(
    "code",
    [
        "return [1, 2",
        "return {a 1};",
        "var = 5;",
        "return foo(1);",
        "for (var i = 0; i < 2; i = i + 1) {}",
        "function f() { return 1; }",
        "return API.users;",
        "1 = 2;",
        "return 'unterminated;",
        "/* never closed",
        "return 1 # 2;",
        "Args = 1;",
    ],
)
def test_compile_errors(code: str) -> None:
    with pytest.raises(CompileError, match="in line"):
        parse(code)


@pytest.mark.parametrize(
    "code",
    [
        "return 1 / 0;",
        "return [1] - 1;",
        "return {} < 1;",
        "var a = 1; a.x = 2; return a;",
        "return [1].nope();",
        "return (5).slice(1);",
        "return API.a.b(5);",
    ],
)
def test_runtime_errors(code: str) -> None:
    with pytest.raises(ScriptRuntimeError):
        run(code)
