"""HTTP on 127.0.0.1 → the API Gateway HTTP API (payload 2.0) event → the real ApiFunction handler.

It plays the gateway's part: routes from template.yaml (no route → the gateway's own 404),
CORS preflight and headers from the HttpApi CorsConfiguration, the v2 event shape (lower-case
headers, cookies split out, comma-joined duplicate query values, base64 for binary bodies) and the
v2 response mapping. Running the deployed entrypoint keeps Powertools decorators in the path.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from devtools.closing_http import ClosingThreadingHTTPServer
from devtools.local_stack import static_site
from devtools.local_stack.template import SamTemplate, ref_target

HandlerCall = Callable[[dict[str, Any]], Any]

_TEXT_TYPES = re.compile(
    r"^(text/|application/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded|problem\+json))", re.I
)


@dataclass(frozen=True)
class Route:
    method: str  # upper-case or ANY
    path: str
    pattern: re.Pattern[str]

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    @classmethod
    def of(cls, method: str, path: str) -> Route:
        regex = ""
        for part in re.split(r"(\{[^}]+\})", path):
            if part.startswith("{") and part.endswith("+}"):
                regex += f"(?P<{part[1:-2]}>.+)"
            elif part.startswith("{"):
                regex += f"(?P<{part[1:-1]}>[^/]+)"
            else:
                regex += re.escape(part)
        return cls(method.upper(), path, re.compile(f"^{regex}$"))

    def specificity(self) -> tuple[int, int, int]:
        """API Gateway prefers exact paths, then longer literal prefixes, then a concrete method."""
        greedy = "+}" in self.path
        literal = len(re.sub(r"\{[^}]+\}", "", self.path))
        return (int(greedy), -literal, int(self.method == "ANY"))


@dataclass(frozen=True)
class CorsPolicy:
    origins: tuple[str, ...]
    methods: tuple[str, ...]
    headers: tuple[str, ...]
    expose: tuple[str, ...]
    max_age: int | None

    def allows(self, origin: str | None) -> bool:
        return origin is not None and ("*" in self.origins or origin in self.origins)


def routes_from_template(tpl: SamTemplate, function_id: str = "ApiFunction", api_id: str = "HttpApi") -> list[Route]:
    routes = []
    for event in tpl.function_properties(function_id).get("Events", {}).values():
        props = event.get("Properties", {})
        if event.get("Type") == "HttpApi" and ref_target(props.get("ApiId")) == api_id:
            routes.append(Route.of(str(props.get("Method", "ANY")), str(props["Path"])))
    return sorted(routes, key=Route.specificity)


def cors_from_template(tpl: SamTemplate, origins: Sequence[str], api_id: str = "HttpApi") -> CorsPolicy | None:
    """The HttpApi's CorsConfiguration; origins come from the local CORS_ORIGINS (same parameter in AWS)."""
    cfg = tpl.resources[api_id].get("Properties", {}).get("CorsConfiguration")
    if not cfg:
        return None
    return CorsPolicy(
        origins=tuple(origins),
        methods=tuple(m.upper() for m in cfg.get("AllowMethods", ["*"])),
        headers=tuple(h.lower() for h in cfg.get("AllowHeaders", [])),
        expose=tuple(cfg.get("ExposeHeaders", [])),
        max_age=cfg.get("MaxAge"),
    )


def match_route(routes: Sequence[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes:
        if route.method not in ("ANY", method.upper()):
            continue
        found = route.pattern.match(path)
        if found:
            return route, {k: unquote(v) for k, v in found.groupdict().items()}
    return None


def build_event(
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    route: Route,
    path_parameters: dict[str, str],
    source_ip: str,
) -> dict[str, Any]:
    """The event API Gateway HTTP API sends with payload format version 2.0."""
    merged: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    merged.setdefault("x-forwarded-for", source_ip)
    merged.setdefault("x-forwarded-proto", "http")
    query: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    now = datetime.now(UTC)
    request_id = base64.b32encode(secrets.token_bytes(10)).decode().rstrip("=")[:14] + "="
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": merged,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": merged.get("host", "127.0.0.1"),
            "domainPrefix": merged.get("host", "127.0.0.1").split(".")[0],
            "http": {
                "method": method.upper(),
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": merged.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route.route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body:
        if _TEXT_TYPES.match(merged.get("content-type", "text/plain")):
            try:
                event["body"] = body.decode("utf-8")
            except UnicodeDecodeError:
                event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
        else:
            event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    return event


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def map_response(result: Any) -> HttpResponse:
    """Payload 2.0 response rules: a dict with statusCode is used as-is, anything else becomes JSON 200."""
    if not (isinstance(result, dict) and "statusCode" in result):
        body = json.dumps(result).encode()
        return HttpResponse(200, [("content-type", "application/json")], body)
    headers = [(k, str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((name, str(v)) for v in values)
    headers.extend(("set-cookie", c) for c in result.get("cookies") or [])
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("content-type", "application/json"))
    return HttpResponse(int(result["statusCode"]), headers, body)


class _ListeningServer(ClosingThreadingHTTPServer):
    """A listen backlog like a real front door's: a burst of connections queues instead of being reset
    (socketserver's default of 5 resets the rest of a burst of concurrent clients)."""

    request_queue_size = 128


class HttpApiServer:
    """ThreadingHTTPServer that answers like the deployed HTTP API in front of ApiFunction."""

    def __init__(
        self,
        call: HandlerCall,
        routes: Sequence[Route],
        cors: CorsPolicy | None,
        host: str = "127.0.0.1",
        port: int = 0,
        static_root: Path | None = None,
        describe: Callable[[BaseException], str] | None = None,
    ) -> None:
        self.call = call
        self.static_root = static_root  # the dashboard (web/) on the same origin; None: API only
        self.describe = describe or (lambda exc: "".join(traceback.format_exception(exc)))
        self.routes = list(routes)
        self.cors = cors
        self._server = _ListeningServer((host, port), _make_request_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-http-api", daemon=True)
        bound_host, bound_port = self._server.server_address[:2]
        self.url = f"http://{bound_host!s}:{bound_port}"

    def start(self) -> str:
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._thread.join(timeout=5)

    def respond(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes, ip: str) -> HttpResponse:
        split = urlsplit(target)
        if self.static_root is not None:
            page = static_site.serve(self.static_root, method, split.path)
            if page is not None:
                return HttpResponse(page.status, list(page.headers), page.body)
        origin = next((v for k, v in headers if k.lower() == "origin"), None)
        is_preflight = method == "OPTIONS" and any(k.lower() == "access-control-request-method" for k, _ in headers)
        if self.cors is not None and is_preflight:
            return self._preflight(origin)
        found = match_route(self.routes, method, split.path)
        if found is None:
            response = HttpResponse(404, [("content-type", "application/json")], b'{"message":"Not Found"}')
        else:
            route, params = found
            event = build_event(
                method=method,
                raw_path=split.path,
                raw_query=split.query,
                headers=headers,
                body=body,
                route=route,
                path_parameters=params,
                source_ip=ip,
            )
            try:
                response = map_response(self.call(event))
            except Exception as exc:  # the gateway hides handler crashes behind a generic 500
                print(f"[http] {method} {split.path}: {self.describe(exc)}", file=sys.stderr)
                body500 = b'{"message":"Internal Server Error"}'
                response = HttpResponse(500, [("content-type", "application/json")], body500)
        if self.cors is not None and self.cors.allows(origin):
            response.headers.append(("access-control-allow-origin", origin or ""))
            if self.cors.expose:
                response.headers.append(("access-control-expose-headers", ",".join(self.cors.expose)))
            response.headers.append(("vary", "origin"))
        return response

    def _preflight(self, origin: str | None) -> HttpResponse:
        headers: list[tuple[str, str]] = []
        if self.cors is not None and self.cors.allows(origin):
            headers = [
                ("access-control-allow-origin", origin or ""),
                ("access-control-allow-methods", ",".join(self.cors.methods)),
                ("access-control-allow-headers", ",".join(self.cors.headers)),
                ("vary", "origin"),
            ]
            if self.cors.max_age is not None:
                headers.append(("access-control-max-age", str(self.cors.max_age)))
        return HttpResponse(204, headers, b"")


def _make_request_handler(server: HttpApiServer) -> type[BaseHTTPRequestHandler]:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "local-http-api"

        def _handle(self) -> None:
            started = time.monotonic()
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            response = server.respond(self.command, self.path, list(self.headers.items()), body, self.client_address[0])
            self.send_response(response.status)
            for name, value in response.headers:
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("content-length", str(len(response.body)))
            self.send_header("apigw-requestid", f"local-{int(started * 1000)}")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle

        def __getattr__(self, name: str) -> Any:
            """Any other method (TRACE, PROPFIND, …) is routed like these, as the gateway does: an ANY
            route passes it to the function, no route is the gateway's 404 (never http.server's 501)."""
            if name.startswith("do_"):
                return self._handle
            raise AttributeError(name)

        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write(f"[http] {self.address_string()} {format % args}\n")

    return RequestHandler
