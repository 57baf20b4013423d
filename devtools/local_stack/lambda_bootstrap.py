"""The runtime inside one local execution environment: what Lambda's Python runtime does in a container.

Run by path in a fresh interpreter (`python -I -S -u lambda_bootstrap.py <fd>`: no site, no script
directory on the path), so it imports only the standard library until the parent's first message
says where the function's code lives. Then `sys.path` holds what a Lambda container has: the
function's CodeUri (LAMBDA_TASK_ROOT), its layers and the dependency site-packages; never the
repository root, so devtools/ and tests/ are not importable from a handler. Invocations arrive one
at a time as JSON over the socket `<fd>` (stdout and stderr belong to the handler's logs). The
process exits when the parent closes the socket or dies, and ignores Ctrl-C (the parent stops it).
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
import uuid
from multiprocessing.connection import Connection
from typing import Any


class LambdaContext:
    """The `context` argument: the attributes and the one method handlers and Powertools read."""

    def __init__(self, config: dict[str, Any], request_id: str, deadline: float) -> None:
        self.function_name = str(config["function_name"])
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = int(config["memory_size"])
        self.invoked_function_arn = f"arn:aws:lambda:{config['region']}:123456789012:function:{self.function_name}"
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = str(config["log_stream_name"])
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def error_payload(exc: BaseException, error_type: str | None = None) -> dict[str, Any]:
    """Lambda's function-error shape: errorType, errorMessage, stackTrace."""
    return {
        "errorType": error_type or type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_exception(exc),
    }


def exit_when_orphaned(parent: int) -> None:
    """A handler may block for a long time; if the stack process dies meanwhile, don't outlive it."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def serve(conn: Connection) -> None:
    config: dict[str, Any] = json.loads(conn.recv_bytes())
    sys.path[:0] = list(config["task_paths"])
    sys.path.extend(config["dependency_paths"])
    started = time.monotonic()
    module_name, _, function_name = str(config["handler"]).rpartition(".")
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
    except BaseException as exc:  # an init error fails every invocation of this container
        failure = {"status": "init_error", "error": error_payload(exc, "Runtime.ImportModuleError")}
        conn.send_bytes(json.dumps(failure).encode())
        traceback.print_exc()
        return
    conn.send_bytes(json.dumps({"status": "ready", "init_ms": round((time.monotonic() - started) * 1000, 1)}).encode())
    while True:
        try:
            message: dict[str, Any] = json.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        request_id = str(message.get("request_id") or uuid.uuid4())
        context = LambdaContext(config, request_id, time.monotonic() + float(config["timeout_s"]))
        print(f"START RequestId: {request_id} Version: $LATEST", flush=True)
        began = time.monotonic()
        try:
            reply = {"status": "ok", "result": handler(message["event"], context)}
            body = json.dumps(reply)
        except Exception as exc:
            traceback.print_exc()
            body = json.dumps({"status": "error", "error": error_payload(exc)})
        except BaseException as exc:  # SystemExit and friends end the container, as in Lambda
            traceback.print_exc()
            conn.send_bytes(json.dumps({"status": "error", "error": error_payload(exc, "Runtime.ExitError")}).encode())
            sys.stdout.flush()
            os._exit(1)
        took = (time.monotonic() - began) * 1000
        sys.stdout.flush()
        sys.stderr.flush()
        print(f"END RequestId: {request_id}", flush=True)
        print(f"REPORT RequestId: {request_id}\tDuration: {took:.2f} ms", flush=True)
        conn.send_bytes(body.encode())


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_when_orphaned(os.getppid())
    sock = socket.socket(fileno=int(sys.argv[1]))
    conn = Connection(sock.detach())
    try:
        serve(conn)
    finally:
        conn.close()


if __name__ == "__main__":
    main()
