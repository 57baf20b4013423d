"""Private PostgreSQL and Redis instances that a test may stop and restart (never the shared ones).

The shared services on 5432 / 6379 serve everyone's tests; the fault suite restarts only these:
a PostgreSQL cluster made with `initdb` in a temporary directory (trust auth, run as the `postgres`
user when we are root) and a `redis-server` without persistence, each on a free port.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Self


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _wait_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class PrivatePostgres:
    """`with PrivatePostgres() as pg:` a cluster on `pg.port`; `pg.restart(down_s)` is a crash + recovery."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="vkc-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"

    def _ctl(self, *args: str) -> None:
        subprocess.run(_as_postgres(["pg_ctl", "-D", str(self.data), *args]), check=True, capture_output=True)

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
        self._ctl("-o", opts, "-l", str(self.log), "-w", "-t", "30", "start")
        _wait_port(self.port, 10)

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is a crash: every connection drops, recovery replays the WAL on the next start."""
        self._ctl("-m", mode, "-w", "stop")

    def restart(self, down_s: float = 1.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()

    def __enter__(self) -> Self:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(
            _as_postgres(["initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]),
            check=True,
            capture_output=True,
        )
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("fast")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """`with PrivateRedis() as r:` a redis-server on `r.port` (no persistence); `r.restart()` empties it."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self._proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, 10)

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()  # our own child only
            self._proc.wait(timeout=10)
            self._proc = None

    def restart(self, down_s: float = 1.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
