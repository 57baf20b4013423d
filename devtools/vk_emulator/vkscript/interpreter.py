"""Evaluates a parsed VKScript program against an API-call callback, with VK's execute caps.

The callback runs one inner API call and returns its result, or `False` when the call failed (the
caller records `execute_errors`). The interpreter only enforces the call cap and an operation
budget so a runaway `while` ends as error 13 instead of hanging the server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from devtools.vk_emulator.rawjson import unwrap
from devtools.vk_emulator.vkscript import ast
from devtools.vk_emulator.vkscript.values import (
    ScriptRuntimeError,
    arithmetic,
    call_method,
    compare,
    get_field,
    get_index,
    loose_equal,
    parse_double,
    parse_int,
    project,
    to_number,
    to_param,
    truthy,
)

ApiCallback = Callable[[str, dict[str, str]], Any]

__all__ = ["ApiCallback", "Interpreter", "ScriptRuntimeError"]


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class Interpreter:
    """Runs one program; `api_calls` tells how many inner calls were made."""

    def __init__(self, api: ApiCallback, args: Mapping[str, str], *, max_calls: int = 25, max_ops: int = 200_000):
        self.api = api
        self.args = dict(args)
        self.max_calls = max_calls
        self.max_ops = max_ops
        self.api_calls = 0
        self.ops = 0
        self.env: dict[str, Any] = {}

    def run(self, program: ast.Block) -> Any:
        """The returned value, or None when the program ends without `return`."""
        try:
            self.exec(program)
        except _Return as ret:
            return ret.value
        except RecursionError:
            raise ScriptRuntimeError("Expression is too deep") from None
        return None

    def _tick(self) -> None:
        self.ops += 1
        if self.ops > self.max_ops:
            raise ScriptRuntimeError("Too many operations")

    # ---- statements --------------------------------------------------------------------------

    def exec(self, node: ast.Node) -> None:
        self._tick()
        if isinstance(node, ast.ExprStmt):
            self.eval(node.expr)
        elif isinstance(node, ast.Block):
            for stmt in node.body:
                self.exec(stmt)
        elif isinstance(node, ast.VarDecl):
            for name, init in node.decls:
                self.env[name] = None if init is None else self.eval(init)
        elif isinstance(node, ast.Return):
            raise _Return(None if node.value is None else self.eval(node.value))
        elif isinstance(node, ast.If):
            if truthy(self.eval(node.test)):
                self.exec(node.then)
            elif node.otherwise is not None:
                self.exec(node.otherwise)
        elif isinstance(node, ast.While):
            while truthy(self.eval(node.test)):
                self.exec(node.body)
        elif isinstance(node, ast.Delete):
            self._delete(node.target)
        else:  # pragma: no cover - the parser only builds the nodes above
            raise ScriptRuntimeError(f"Unsupported statement {type(node).__name__}")

    def _delete(self, target: ast.Node) -> None:
        if isinstance(target, ast.Member):
            container = unwrap(self.eval(target.obj))
            if isinstance(container, dict):
                container.pop(target.name, None)
        elif isinstance(target, ast.Index):
            container = unwrap(self.eval(target.obj))
            key = self.eval(target.index)
            if isinstance(container, dict):
                container.pop(str(key), None)
            elif isinstance(container, list):
                i = int(to_number(key))
                if 0 <= i < len(container):
                    container[i] = None

    # ---- expressions -------------------------------------------------------------------------

    def eval(self, node: ast.Node) -> Any:
        self._tick()
        if isinstance(node, ast.Literal):
            return node.value
        if isinstance(node, ast.Name):
            return self._name(node.name)
        if isinstance(node, ast.Member):
            return get_field(self.eval(node.obj), node.name)
        if isinstance(node, ast.Index):
            return get_index(self.eval(node.obj), self.eval(node.index))
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.Logical):
            left = self.eval(node.left)
            if node.op == "&&":
                return self.eval(node.right) if truthy(left) else left
            return left if truthy(left) else self.eval(node.right)
        if isinstance(node, ast.Unary):
            value = self.eval(node.operand)
            if node.op == "!":
                return not truthy(value)
            number = to_number(value)
            return -number if node.op == "-" else number
        if isinstance(node, ast.ApiCall):
            return self._api_call(node)
        if isinstance(node, ast.ArrayLit):
            return [self.eval(item) for item in node.items]
        if isinstance(node, ast.ObjectLit):
            return {key: self.eval(value) for key, value in node.pairs}
        if isinstance(node, ast.Assign):
            return self._assign(node)
        if isinstance(node, ast.MethodCall):
            obj = self.eval(node.obj)
            return call_method(obj, node.name, [self.eval(a) for a in node.args])
        if isinstance(node, ast.Projection):
            return project(self.eval(node.obj), node.name)
        if isinstance(node, ast.Conditional):
            return self.eval(node.then) if truthy(self.eval(node.test)) else self.eval(node.otherwise)
        if isinstance(node, ast.FuncCall):
            arg = self.eval(node.args[0]) if node.args else None
            return parse_int(arg) if node.name == "parseInt" else parse_double(arg)
        raise ScriptRuntimeError(f"Unsupported expression {type(node).__name__}")  # pragma: no cover

    def _name(self, name: str) -> Any:
        if name == "Args":
            return self.args
        return self.env.get(name)

    def _binary(self, node: ast.Binary) -> Any:
        left = self.eval(node.left)
        right = self.eval(node.right)
        op = node.op
        if op == "==":
            return loose_equal(left, right)
        if op == "!=":
            return not loose_equal(left, right)
        if op in ("<", ">", "<=", ">="):
            return compare(op, left, right)
        return arithmetic(op, left, right)

    def _api_call(self, node: ast.ApiCall) -> Any:
        values: dict[str, Any] = {}
        for arg in node.args:
            value = unwrap(self.eval(arg))
            if not isinstance(value, dict):
                raise ScriptRuntimeError(f"API.{node.method} expects an object of parameters")
            values.update(value)
        self.api_calls += 1
        if self.api_calls > self.max_calls:
            raise ScriptRuntimeError(f"Too many API calls (more than {self.max_calls})")
        params: dict[str, str] = {}
        for key, value in values.items():
            text = to_param(value)
            if text is not None:
                params[key] = text
        return self.api(node.method, params)

    def _assign(self, node: ast.Assign) -> Any:
        value = self.eval(node.value)
        if node.op != "=":
            value = arithmetic(node.op[0], self.eval(node.target), value)
        target = node.target
        if isinstance(target, ast.Name):
            self.env[target.name] = value
        elif isinstance(target, ast.Member):
            container = unwrap(self.eval(target.obj))
            if not isinstance(container, dict):
                raise ScriptRuntimeError(f"Cannot set field {target.name} of a non-object")
            container[target.name] = value
        elif isinstance(target, ast.Index):
            container = unwrap(self.eval(target.obj))
            key = self.eval(target.index)
            if isinstance(container, dict):
                container[str(key)] = value
            elif isinstance(container, list):
                i = int(to_number(key))
                if i < 0 or i > len(container):
                    raise ScriptRuntimeError("Array index out of range")
                if i == len(container):
                    container.append(value)
                else:
                    container[i] = value
            else:
                raise ScriptRuntimeError("Cannot set an element of a non-array")
        return value
