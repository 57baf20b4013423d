"""The HTTP front: `/method/<name>` like api.vk.com, `/_emulator/*` for admin; plus the Emulator handle.

A ThreadingHTTPServer with HTTP/1.1 keep-alive: one thread per connection, so slow (latency,
hang) requests never block others. Parameters come from the query string and from
form-urlencoded or multipart bodies, as VK accepts them; the token from `access_token` or a
`Authorization: Bearer` header.
"""

from __future__ import annotations

import json
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from devtools.closing_http import ClosingThreadingHTTPServer
from devtools.vk_emulator import admin
from devtools.vk_emulator.api import ApiCore, Reply
from devtools.vk_emulator.config import EmulatorConfig, FaultConfig
from devtools.vk_emulator.dataset import Dataset
from devtools.vk_emulator.generator import generate_dataset


def _multipart(content_type: str, body: bytes) -> list[tuple[str, str]]:
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    pairs: list[tuple[str, str]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            pairs.append((name, payload.decode("utf-8", "replace")))
    return pairs


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: avoid 40 ms stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: benchmarks push thousands of requests per second through here."""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self, verb: str) -> None:
        url = urlsplit(self.path)
        body = self._body()
        path = url.path.rstrip("/")
        if path.startswith("/method/"):
            self._api(path.removeprefix("/method/"), url.query, body)
        elif path.startswith("/_emulator/"):
            self._admin(verb, path.removeprefix("/_emulator/"), body)
        else:
            self._send(Reply(404, b'{"error":"not found"}'))

    def _api(self, method: str, query: str, body: bytes) -> None:
        pairs = parse_qsl(query, keep_blank_values=True)
        content_type = self.headers.get("Content-Type", "")
        if body:
            if content_type.startswith("multipart/form-data"):
                pairs.extend(_multipart(content_type, body))
            elif not content_type.startswith("application/json"):
                pairs.extend(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        auth = self.headers.get("Authorization", "")
        bearer = auth[7:].strip() if auth[:7].lower() == "bearer " else None
        self._send(self.server.emulator.core.handle(method, pairs, bearer))

    def _admin(self, verb: str, name: str, body: bytes) -> None:
        try:
            payload = json.loads(body) if body else {}
        except json.JSONDecodeError as exc:
            status, obj = 400, {"error": f"invalid JSON: {exc}"}
        else:
            if not isinstance(payload, dict):
                status, obj = 400, {"error": "the body must be a JSON object"}
            else:
                status, obj = admin.route(self.server.emulator, verb, name, payload)
        self._send(Reply(status, json.dumps(obj, ensure_ascii=False).encode("utf-8")))

    def _send(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout tests do this on purpose)


class _Server(ClosingThreadingHTTPServer):
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        super().__init__(address, _Handler)


class Emulator:
    """A running emulator: its URLs, runtime switches, mutations and stats."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.dataset: Dataset = config.dataset if config.dataset is not None else generate_dataset("small", 42)
        self.core = ApiCore(config, self.dataset)
        self._server = _Server((config.host, config.port), self)
        self.host, self.port = str(self._server.server_address[0]), int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="vk-emulator", daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The VK_API_URL value: `<base_url>/method`."""
        return f"{self.base_url}/method"

    def start(self) -> Emulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; requests sleeping on latency or a hang fault are woken up."""
        self.core.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._thread.join(timeout=5)

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- runtime controls --------------------------------------------------------------------

    def set_faults(self, faults: FaultConfig) -> None:
        self.core.set_faults(faults)

    def set_limits(
        self,
        *,
        rate_limits: bool | None = None,
        rps: dict[str, int] | None = None,
        quotas: dict[str, int] | None = None,
    ) -> None:
        """Switch the per-second window, change per-type rps, or replace the daily quotas."""
        if rate_limits is not None:
            self.core.rate_limits = rate_limits
        if rps is not None:
            self.core.rps.update(rps)
        if quotas is not None:
            self.core.quotas = dict(quotas)

    def set_latency(self, *, latency_ms: float | None = None, execute_inner_latency_ms: float | None = None) -> None:
        if latency_ms is not None:
            self.core.latency_ms = latency_ms
        if execute_inner_latency_ms is not None:
            self.core.inner_latency_ms = execute_inner_latency_ms

    def reset_limits(self) -> None:
        """Forget the per-second windows and the daily quota counters."""
        self.core.reset_limits()

    def stats(self) -> dict[str, Any]:
        out = self.core.stats.snapshot()
        out["quota_used"] = self.core.daily.used()
        return out

    # ---- mutations ---------------------------------------------------------------------------

    def add_post(self, owner_id: int, text: str, from_id: int | None = None) -> int:
        """Publish a post (newest on the wall); returns its id."""
        return self.dataset.new_post(owner_id, text, from_id=from_id).id

    def add_comment(self, owner_id: int, post_id: int, text: str, from_id: int, reply_to: int | None = None) -> int:
        """Add a comment, or a reply to comment `reply_to`; returns its id. Ground truth follows."""
        return self.dataset.new_comment(owner_id, post_id, text, from_id, reply_to=reply_to).id

    def ground_truth(self) -> dict[str, Any]:
        return self.dataset.ground_truth()


def start_emulator(config: EmulatorConfig | None = None) -> Emulator:
    """Start serving in a background thread; call `.stop()` (or use `with`) when done."""
    return Emulator(config or EmulatorConfig()).start()
