"""`up` / `down` / `run`: the developer's stack as a background process with a pid file in .local/.

`up` starts `run` detached (own session and process group, output to .local/stack.log), waits until
/health/live answers and prints where things are; `down` sends SIGTERM to that pid, then SIGKILL to
its process group (the function containers), so nothing outlives it; it is idempotent. `run` is the
foreground process: it keeps the stack until SIGTERM/SIGINT and keeps `.local/stack.json` current
(containers start and stop as load comes and goes). Containers log to `.local/logs/<LogicalId>.log`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from devtools.local_stack.stack import LocalStack, dump_state
from devtools.local_stack.template import REPO_ROOT

STATE_DIR = REPO_ROOT / ".local"
PID_FILE = "stack.pid"
LOG_FILE = "stack.log"
LOGS_DIR = "logs"
STATE_FILE = "stack.json"
KEY_FILE = "dev-api-key"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_pid(state_dir: Path = STATE_DIR) -> int | None:
    try:
        pid = int((state_dir / PID_FILE).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _alive(pid) else None


def read_state(state_dir: Path = STATE_DIR) -> dict[str, Any] | None:
    """The running stack's stack.json, or None when no stack is up."""
    if running_pid(state_dir) is None:
        return None
    try:
        state: dict[str, Any] = json.loads((state_dir / STATE_FILE).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return state


def _live(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health/live", timeout=2) as response:  # noqa: S310 - localhost
            return bool(response.status == 200)
    except OSError:
        return False


def summary(state: dict[str, Any], state_dir: Path) -> str:
    return "\n".join(
        [
            f"dashboard  {state['api_url']}/   (sign in with the API key below)",
            f"API        {state['api_url']}   (docs: {state['api_url']}/swagger)",
            f"moto       {state['moto_url']}",
            f"VK API     {state.get('vk_api_url') or 'not available (VK emulator missing)'}",
            f"database   {state['db_name']}   redis {state.get('redis_url')}",
            f'API key    {state_dir / KEY_FILE}   (curl -H "X-Api-Key: $(cat {state_dir / KEY_FILE})" …)',
            f"log        {state_dir / LOG_FILE}   (functions: {state_dir / LOGS_DIR}/<LogicalId>.log)",
        ]
    )


def up(*, api_port: int, moto_port: int, vk_port: int, state_dir: Path = STATE_DIR, timeout: float = 180.0) -> int:
    pid = running_pid(state_dir)
    state = read_state(state_dir)
    if pid is not None and state is not None:
        print(f"local stack already running (pid {pid})\n{summary(state, state_dir)}")
        return 0
    if pid is not None:
        print(f"a local stack (pid {pid}) is starting or stuck; run `make down` first", file=sys.stderr)
        return 1
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    log = (state_dir / LOG_FILE).open("ab")
    cmd = [sys.executable, "-m", "devtools.local_stack", "run", "--state-dir", str(state_dir)]
    cmd += ["--api-port", str(api_port), "--moto-port", str(moto_port), "--vk-port", str(vk_port)]
    child = subprocess.Popen(
        cmd, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
    )
    (state_dir / PID_FILE).write_text(f"{child.pid}\n")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            (state_dir / PID_FILE).unlink(missing_ok=True)
            print(f"local stack exited with {child.returncode}; last log lines:", file=sys.stderr)
            print(_tail(state_dir / LOG_FILE), file=sys.stderr)
            return 1
        state = read_state(state_dir)
        if state is not None and _live(state["api_url"]):
            print(f"local stack up (pid {child.pid})\n{summary(state, state_dir)}")
            return 0
        time.sleep(0.3)
    print(f"local stack did not come up within {timeout:.0f}s; see {state_dir / LOG_FILE}", file=sys.stderr)
    down(state_dir=state_dir)
    return 1


def down(*, state_dir: Path = STATE_DIR, timeout: float = 30.0) -> int:
    pid = running_pid(state_dir)
    if pid is None:
        (state_dir / PID_FILE).unlink(missing_ok=True)
        (state_dir / STATE_FILE).unlink(missing_ok=True)
        print("local stack is not running")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.2)
    if _alive(pid):
        print(f"pid {pid} ignored SIGTERM for {timeout:.0f}s; sending SIGKILL", file=sys.stderr)
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # `up` made it a group leader: containers left over, if any
    (state_dir / PID_FILE).unlink(missing_ok=True)
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    print(f"local stack stopped (pid {pid})")
    return 0


def _reap(pid: int) -> None:
    """Collect our own child's exit status (only when `down` runs in the process that started it)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def run(*, api_port: int, moto_port: int, vk_port: int, state_dir: Path = STATE_DIR) -> int:
    """Foreground: start the persistent developer stack and keep it until SIGTERM/SIGINT."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    key_file = state_dir / KEY_FILE
    previous_key = key_file.read_text().strip() if key_file.exists() else None
    stack = LocalStack(
        run_id="local",
        api_port=api_port,
        moto_port=moto_port,
        emulator_port=vk_port,
        persistent=True,
        dev_api_key=previous_key,
        log_dir=state_dir / LOGS_DIR,
    )
    with stack:
        dump_state(stack, state_dir)
        print(summary(stack.state(), state_dir), flush=True)
        written = stack.state()
        while not stop.wait(1.0):
            if (current := stack.state()) != written:  # containers started or ended
                dump_state(stack, state_dir)
                written = current
        print("stopping local stack…", flush=True)
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    return 0


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
