"""A threaded HTTP server whose stop also ends the threads of connections clients kept open.

Why: ``ThreadingHTTPServer`` serves each connection on a daemon thread and ``server_close`` does not
wait for them; a client that keeps its keep-alive connection (a browser, an httpx pool never closed)
leaves a thread blocked on it for the life of the process. Dev servers run inside test processes,
and a process that forks only when it runs no other thread (the analysis process) would then never
fork after such a server had been used.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import ThreadingHTTPServer
from typing import Any


class ClosingThreadingHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._open_lock = threading.Lock()
        self._open: dict[Any, threading.Thread] = {}  # connections being served, and their threads
        super().__init__(*args, **kwargs)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open[request] = threading.current_thread()
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open.pop(request, None)

    def close_connections(self, timeout_s: float = 2.0) -> None:
        """End every connection still open, and wait for its thread."""
        with self._open_lock:
            open_now = list(self._open.items())
        for sock, _ in open_now:
            with contextlib.suppress(OSError):  # already closed by the client
                sock.shutdown(socket.SHUT_RDWR)
        for _, thread in open_now:
            thread.join(timeout=timeout_s)
