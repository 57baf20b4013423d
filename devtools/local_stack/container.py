"""One local Lambda execution environment: an OS process running lambda_bootstrap.py for one function.

The process is started as Lambda starts a container: a fresh interpreter whose `sys.path` holds only
the function's CodeUri, its layers and the dependency site-packages; the function's environment plus
Lambda's reserved variables; cwd = LAMBDA_TASK_ROOT; stdout/stderr appended to the function's log
file. It serves one invocation at a time over a socket pair. A handler exception comes back as a
`FunctionError`; an invocation past the function's Timeout kills the process (`FunctionTimeout`), and
the next invocation cold-starts a new one.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import traceback
import uuid
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from devtools.local_stack.template import FunctionSpec, SamTemplate, ref_target

BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
#: How long a cold start (interpreter + the handler module's imports) may take before it counts as failed.
INIT_TIMEOUT_S = 60.0


class FunctionError(RuntimeError):
    """The function failed the invocation (its handler raised, it timed out, or its runtime died)."""

    def __init__(self, function_id: str, error: dict[str, Any]) -> None:
        self.function_id = function_id
        self.error = error
        super().__init__(f"{function_id}: {error.get('errorType')}: {error.get('errorMessage')}")


class FunctionTimeout(FunctionError):
    """The invocation ran past the function's Timeout; its container was killed."""


@dataclass(frozen=True)
class ContainerImage:
    """Everything needed to start a container of one function (the same for each of its copies)."""

    function: FunctionSpec
    task_paths: tuple[str, ...]
    dependency_paths: tuple[str, ...]
    environment: dict[str, str]
    log_file: Path | None  # None: this process's stderr

    @classmethod
    def of(
        cls, tpl: SamTemplate, logical_id: str, environment: dict[str, str], log_file: Path | None
    ) -> ContainerImage:
        function = tpl.function(logical_id)
        return cls(
            function=function,
            task_paths=(str(function.code_uri), *layer_paths(tpl, logical_id)),
            dependency_paths=dependency_paths(),
            environment=environment,
            log_file=log_file,
        )


def layer_paths(tpl: SamTemplate, logical_id: str) -> list[str]:
    """ContentUri of each of the function's `AWS::Serverless::LayerVersion` layers (Lambda's /opt/python)."""
    paths = []
    for layer in tpl.function_properties(logical_id).get("Layers", []):
        target = ref_target(layer)
        resource = tpl.resources.get(target or "", {})
        if resource.get("Type") == "AWS::Serverless::LayerVersion":
            paths.append(str((tpl.root / str(resource["Properties"]["ContentUri"])).resolve()))
    return paths


def dependency_paths() -> tuple[str, ...]:
    """The venv's site-packages: stands in for the pip requirements the layer build installs."""
    paths = sysconfig.get_paths()
    return tuple(dict.fromkeys([paths["purelib"], paths["platlib"]]))


def reserved_environment(function: FunctionSpec, region: str, run_id: str) -> dict[str, str]:
    """What Lambda's runtime sets in every container, besides the function's own variables."""
    name = f"{run_id}-{function.logical_id}"
    return {
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime or 'python3.13'}",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "LAMBDA_TASK_ROOT": str(function.code_uri),
        "LAMBDA_RUNTIME_DIR": str(Path(sys.executable).parent),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }


class ContainerProcess:
    """Parent side of one execution environment. Not thread-safe: its pool hands it to one caller at a time."""

    def __init__(self, image: ContainerImage, region: str, index: int) -> None:
        self.image = image
        self.region = region
        self.index = index
        self.process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self.init_ms = 0.0
        self.invocations = 0

    @property
    def function_id(self) -> str:
        return self.image.function.logical_id

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.poll() is None else None

    @property
    def warm(self) -> bool:
        return self._conn is not None and self.pid is not None

    def start(self) -> None:
        """Cold start: a new interpreter imports the handler module; raises FunctionError on an init error."""
        self.stop()
        function = self.image.function
        ours, theirs = socket.socketpair()
        log = self.image.log_file.open("ab") if self.image.log_file is not None else None
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-u", str(BOOTSTRAP), str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                cwd=function.code_uri,
                env=self.image.environment,
                stdin=subprocess.DEVNULL,
                stdout=log if log is not None else sys.__stderr__.fileno() if sys.__stderr__ else None,
                stderr=subprocess.STDOUT,
            )
        finally:
            theirs.close()
            if log is not None:
                log.close()
        self._conn = Connection(ours.detach())
        config = {
            "handler": function.handler,
            "task_paths": list(self.image.task_paths),
            "dependency_paths": list(self.image.dependency_paths),
            "function_name": self.image.environment.get("AWS_LAMBDA_FUNCTION_NAME", function.logical_id),
            "memory_size": function.memory_size,
            "timeout_s": function.timeout,
            "region": self.region,
            "log_stream_name": f"local/[$LATEST]{self.index}-{uuid.uuid4().hex[:12]}",
        }
        self._conn.send_bytes(json.dumps(config).encode())
        reply = self._receive(INIT_TIMEOUT_S, what="init")
        if reply.get("status") != "ready":
            self.stop()
            raise FunctionError(self.function_id, reply.get("error") or {"errorType": "Runtime.Unknown"})
        self.init_ms = float(reply.get("init_ms", 0.0))

    def invoke(self, event: dict[str, Any]) -> Any:
        """One invocation; cold-starts first when there is no live process."""
        if not self.warm:
            self.start()
        assert self._conn is not None
        self.invocations += 1
        self._conn.send_bytes(json.dumps({"request_id": str(uuid.uuid4()), "event": event}).encode())
        reply = self._receive(float(self.image.function.timeout), what="invocation")
        if reply.get("status") == "ok":
            return reply.get("result")
        raise FunctionError(self.function_id, reply.get("error") or {})

    def _receive(self, timeout: float, *, what: str) -> dict[str, Any]:
        assert self._conn is not None
        try:
            ready = self._conn.poll(timeout)
            if ready:
                reply: dict[str, Any] = json.loads(self._conn.recv_bytes())
                return reply
        except (EOFError, OSError):
            code = self._exit_code()
            self.stop()
            message = f"Runtime exited with exit code {code} during {what} (log: {self.image.log_file or 'stderr'})"
            raise FunctionError(self.function_id, {"errorType": "Runtime.ExitError", "errorMessage": message}) from None
        self.stop(kill=True)
        message = f"Task timed out after {timeout:.2f} seconds ({what})"
        raise FunctionTimeout(self.function_id, {"errorType": "Sandbox.Timedout", "errorMessage": message})

    def _exit_code(self) -> int | None:
        if self.process is None:
            return None
        try:
            return self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, *, kill: bool = False) -> None:
        """End the process: closing the socket makes an idle runtime exit; SIGKILL if it does not (or `kill`)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self.process is None:
            return
        process, self.process = self.process, None
        if not kill:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.5)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=5)


def describe_failure(exc: BaseException) -> str:
    """What to print when an invocation failed: the function's own error and stack trace, if it has one."""
    if isinstance(exc, FunctionError):
        trace = "".join(str(line) for line in exc.error.get("stackTrace") or [])
        return f"{exc}\n{trace}".rstrip()
    return "".join(traceback.format_exception(exc)).rstrip()


def stop_all(containers: list[ContainerProcess]) -> None:
    """Stop many at once (each may wait its grace period)."""
    threads = [threading.Thread(target=c.stop) for c in containers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
