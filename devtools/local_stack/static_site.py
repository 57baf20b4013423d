"""The dashboard's static files on the API's origin, as CloudFront serves them in AWS.

`/v1/*`, `/health/*` and `/swagger*` belong to the API; every other GET/HEAD path is a file under
web/. index.html is never cached (it names the current assets); everything else may be cached.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

API_PREFIXES = ("/v1/", "/health/", "/swagger")
WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
_IMPORT_MAP = re.compile(rb'<script type="importmap">(.*?)</script>', re.S)
SECURITY_HEADERS = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
)


@dataclass(frozen=True)
class StaticFile:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES) or path in ("/v1", "/health")


def serve(root: Path, method: str, path: str) -> StaticFile | None:
    """The file for a non-API GET/HEAD path, a 404 for a missing one, or None when the API should answer."""
    if is_api_path(path) or method not in ("GET", "HEAD"):
        return None
    relative = "index.html" if path in ("", "/") else path.lstrip("/")
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()) or not target.is_file():
        return StaticFile(404, [("content-type", "text/plain; charset=utf-8")], b"Not Found")
    kind = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if target.name == "index.html":
        cache = "no-cache"
    elif relative.startswith("vendor/"):  # vendor/<pkg>@<version>/: a new version is a new path
        cache = "public, max-age=31536000, immutable"
    else:
        cache = "public, max-age=60"
    body = target.read_bytes()
    headers = [
        ("content-type", kind),
        ("cache-control", cache),
        ("content-security-policy", csp(body)),
        *SECURITY_HEADERS,
    ]
    return StaticFile(200, headers, body)


def csp(index_html: bytes) -> str:
    """A strict policy: no inline scripts or styles; the one inline element, the import map (data, not code),
    is allowed by its hash, which browsers require for import maps (an external map is not supported)."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(m).digest()).decode()}'" for m in _IMPORT_MAP.findall(index_html)
    )
    return (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self'; img-src 'self' data: https:; "
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ).replace("  ", " ")
