"""Load a function's handler from its CodeUri/Handler and call it in-process, like `sam local invoke`.

Every function's handler module is called `app`, so each is loaded under a unique module name;
its CodeUri goes on sys.path for its own packages (`api_routes/`). A module already imported
from the same file (e.g. by a unit test) is reused: a second copy would build a second
Powertools resolver and steal the shared routers.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from devtools.local_stack.template import FunctionSpec

Handler = Callable[[dict[str, Any], Any], Any]

_load_lock = threading.Lock()


@dataclass
class LambdaContext:
    """What the Lambda runtime passes as `context` (the attributes Powertools reads)."""

    function_name: str
    memory_limit_in_mb: int
    timeout_s: int
    region: str = "eu-central-1"
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    identity: Any = None
    client_context: Any = None
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_s

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:123456789012:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/[{self.function_version}]{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _module_from_file(path: Path) -> ModuleType | None:
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve() == path:
            return module
    return None


def load_handler(spec: FunctionSpec, *, copy: int | None = None) -> Handler:
    """The handler callable of `spec`. `copy=n` loads an independent module (a separate "container")."""
    path = (spec.code_uri / f"{spec.module_name.replace('.', '/')}.py").resolve()
    if not path.exists():
        raise FileNotFoundError(f"{spec.logical_id}: handler module {path} does not exist")
    with _load_lock:
        code_dir = str(spec.code_uri)
        if code_dir not in sys.path:
            sys.path.append(code_dir)
        module = _module_from_file(path) if copy is None else None
        if module is None:
            name = f"_vkc_local_{spec.logical_id}" + (f"_c{copy}" if copy is not None else "")
            module = sys.modules.get(name)
            if module is None:
                module_spec = importlib.util.spec_from_file_location(name, path)
                if module_spec is None or module_spec.loader is None:
                    raise ImportError(f"cannot load {path}")
                module = importlib.util.module_from_spec(module_spec)
                sys.modules[name] = module
                try:
                    module_spec.loader.exec_module(module)
                except BaseException:
                    del sys.modules[name]
                    raise
    handler = getattr(module, spec.function_name)
    if not callable(handler):
        raise TypeError(f"{spec.logical_id}: {spec.handler} is not callable")
    return handler  # type: ignore[no-any-return]


class Invoker:
    """Calls one function's handler with a fresh context per invocation."""

    def __init__(self, spec: FunctionSpec, region: str, *, copy: int | None = None) -> None:
        self.spec = spec
        self.region = region
        self.handler = load_handler(spec, copy=copy)

    def context(self) -> LambdaContext:
        return LambdaContext(
            function_name=f"local-{self.spec.logical_id}",
            memory_limit_in_mb=self.spec.memory_size,
            timeout_s=self.spec.timeout,
            region=self.region,
        )

    def __call__(self, event: dict[str, Any]) -> Any:
        return self.handler(event, self.context())
