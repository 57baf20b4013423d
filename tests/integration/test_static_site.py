"""The local stack serves the dashboard from web/ on the API's origin, leaving API paths to the API."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

from devtools.local_stack.static_site import WEB_ROOT, serve


@pytest.mark.parametrize("path", ["/v1/workspace", "/health/live", "/swagger", "/swagger?format=json"])
def test_api_paths_are_left_to_the_api(path: str) -> None:
    assert serve(WEB_ROOT, "GET", path.split("?")[0]) is None


def test_index_is_never_cached_and_assets_are() -> None:
    index = serve(WEB_ROOT, "GET", "/")
    asset = serve(WEB_ROOT, "GET", "/js/main.js")
    assert index is not None
    assert asset is not None
    assert (index.status, dict(index.headers)["cache-control"]) == (200, "no-cache")
    assert dict(asset.headers)["content-type"].startswith("text/javascript")
    assert dict(asset.headers)["cache-control"] == "public, max-age=60"
    htm = next(WEB_ROOT.glob("vendor/htm@*/htm.module.js")).relative_to(WEB_ROOT)
    vendored = serve(WEB_ROOT, "GET", f"/{htm}")
    assert vendored is not None
    assert dict(vendored.headers)["cache-control"] == "public, max-age=31536000, immutable"


def test_csp_allows_only_the_import_map_inline() -> None:
    index = serve(WEB_ROOT, "GET", "/")
    assert index is not None
    policy = dict(index.headers)["content-security-policy"]
    import_map = re.search(rb'<script type="importmap">(.*?)</script>', index.body, re.S)
    assert import_map is not None
    digest = base64.b64encode(hashlib.sha256(import_map.group(1)).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}';" in policy
    assert "unsafe-inline" not in policy
    assert "style-src 'self';" in policy


def test_missing_files_and_escapes_are_404(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "secret.txt").write_text("no")
    for path in ("/nope.js", "/../secret.txt", "/%2e%2e/secret.txt"):
        answer = serve(tmp_path / "site", "GET", path)
        assert answer is not None, path
        assert answer.status == 404, path


def test_only_reads_are_static() -> None:
    assert serve(WEB_ROOT, "POST", "/") is None
