"""A real HTTP receiver on 127.0.0.1 that verifies signatures the way the docs tell receivers to."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from vkc.webhooks.signing import EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool


@dataclass
class Receiver:
    url: str
    secret: str = ""
    # statuses to answer, in order; the last one repeats
    script: list[int] = field(default_factory=lambda: [200])
    delay_s: float = 0.0
    requests: list[Received] = field(default_factory=list)

    def event_ids(self) -> list[str]:
        return [r.headers[EVENT_ID_HEADER.lower()] for r in self.requests]


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    state = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            ok = verify(
                state.secret,
                body,
                signature=headers.get(SIGNATURE_HEADER.lower()),
                timestamp=headers.get(TIMESTAMP_HEADER.lower()),
                now=int(time.time()),
            )
            with lock:
                state.requests.append(Received(self.path, headers, body, ok))
                n = len(state.requests)
                status = state.script[min(n, len(state.script)) - 1]
            if state.delay_s:
                time.sleep(state.delay_s)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
