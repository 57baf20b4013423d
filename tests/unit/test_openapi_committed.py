"""docs/openapi.json is generated from the code; a stale copy fails here (`make openapi` rewrites it)."""

from __future__ import annotations

import json

from devtools.openapi import SPEC_FILE, generate


def test_committed_spec_matches_the_code() -> None:
    assert SPEC_FILE.read_text(encoding="utf-8") == generate(), "run `make openapi`"


def test_every_error_is_documented_as_problem_json() -> None:
    spec = json.loads(generate())
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for code, response in op["responses"].items():
                if code.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"], (path, method, code)
