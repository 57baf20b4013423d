"""The API's route modules are included per path prefix (api_routes.mounts): resolution must not change.

Every route lives under a prefix that one of its module's mounts serves, so a request includes all
routes that could match its path before the resolver looks; and including every mount builds the
same routes, in the same order, as the one-by-one includes the spec (docs/openapi.json) was built from.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "functions" / "api"

SCRIPT = f"""
import json, sys
sys.path[:0] = [{str(API)!r}, {str(ROOT / "layers" / "vkc")!r}]
import app
api = app.create_app()
routes = app.routes_of(api)
routes.include_for("/v1/communities")
first = sorted({{m.module for m in routes.included}})
routes.include_all()
all_routes = api._static_routes + api._dynamic_routes
print(json.dumps({{
    "first": first,
    "routes": [[r.method, r.path, r.func.__module__] for r in all_routes],
    "mounts": [[m.serves, m.module] for m in app.MOUNTS],
    "served": [[m.module for m in app.MOUNTS if m.serves_path(r.path)] for r in all_routes],
}}))
"""


def _app() -> dict[str, list[list[str]]]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "STAGE": "prod",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "AWS_REGION": "eu-central-1",
        },
    )
    result: dict[str, list[list[str]]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_every_route_is_under_a_prefix_its_module_is_mounted_for_and_requests_load_only_theirs() -> None:
    app = _app()
    mounts = app["mounts"]
    assert mounts
    # a route's own path (its <name> segments included) is served by a mount of its module
    outside = [
        (method, path, module)
        for (method, path, module), served in zip(app["routes"], app["served"], strict=True)
        if not module.startswith("app")  # the Swagger route is registered with the resolver itself
        and f"{module}".removeprefix("api_routes.") not in served
    ]
    assert outside == []
    assert app["first"] == ["communities"]


@pytest.mark.parametrize(
    ("path", "served"),
    [
        ("/v1/communities", False),
        ("/v1/communities/", False),
        ("/v1/communities/7f0e", True),
        ("/v1/communities/7f0e/jobs", True),
        ("/v1/communities//jobs", False),
        ("/v1/communitiesx/7f0e/jobs", False),
        ("/v1/comments/7f0e", False),
    ],
)
def test_a_named_segment_of_a_mount_stands_for_one_segment(path: str, served: bool) -> None:
    sys.path.insert(0, str(API))
    try:
        from api_routes.mounts import Mount
    finally:
        sys.path.remove(str(API))
    assert Mount("/v1/communities/<community_id>", "collections").serves_path(path) is served
