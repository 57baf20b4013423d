"""The `execute` method: runs a VKScript program whose API calls go through the normal dispatcher.

Failed inner calls evaluate to `false` and append `{method, error_code, error_msg}` to
`execute_errors` (plus, when `echo` is on, VK's duplicate entry under "execute"). Compile errors are
VK error 12; runtime errors, a 26th call and oversized responses are error 13.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from devtools.vk_emulator.errors import VkApiError, param_error, runtime_error
from devtools.vk_emulator.params import Params
from devtools.vk_emulator.vkscript import CompileError, Interpreter, ScriptRuntimeError, ast, parse

InnerCall = Callable[[str, dict[str, str]], Any]


@lru_cache(maxsize=512)
def _compile(code: str) -> ast.Block:
    return parse(code)


def run_execute(
    params: Params, inner_call: InnerCall, *, max_calls: int, max_ops: int, echo: bool
) -> tuple[Any, list[dict[str, Any]]]:
    """(returned value, execute_errors). `inner_call` raises VkApiError for a failed inner call."""
    code = params.get_str("code")
    if not code:
        raise param_error("code is undefined")
    try:
        program = _compile(code)
    except CompileError as exc:
        raise VkApiError(12, str(exc)) from None
    errors: list[dict[str, Any]] = []

    def api(method: str, values: dict[str, str]) -> Any:
        try:
            return inner_call(method, values)
        except VkApiError as exc:
            errors.append({"method": method, "error_code": exc.code, "error_msg": exc.msg})
            if echo:
                errors.append({"method": "execute", "error_code": exc.code, "error_msg": exc.msg})
            return False

    args = {k: v for k, v in params.raw.items() if k != "code"}
    interpreter = Interpreter(api, args, max_calls=max_calls, max_ops=max_ops)
    try:
        value = interpreter.run(program)
    except ScriptRuntimeError as exc:
        raise runtime_error(str(exc)) from None
    return value, errors
