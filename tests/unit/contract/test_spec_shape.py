"""Static rules for docs/openapi.json that schemathesis would only find by chance.

Powertools drops an operation's default success response as soon as a route passes `responses=`
for anything else (a 404, a 409, a 413): the spec then says the operation never succeeds.
"""

from __future__ import annotations

import pytest

from tests.support.spec import load_spec

SPEC = load_spec()
OPERATIONS = sorted(
    (method.upper(), path)
    for path, operations in SPEC["paths"].items()
    for method in operations
    if method in ("get", "post", "put", "patch", "delete")
)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_documents_its_success(method: str, path: str) -> None:
    responses = SPEC["paths"][path][method.lower()]["responses"]
    assert any(code.startswith("2") for code in responses), f"{method} {path} documents no 2xx: {sorted(responses)}"


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_error_is_a_problem(method: str, path: str) -> None:
    for code, response in SPEC["paths"][path][method.lower()]["responses"].items():
        if code[0] in "45":
            assert set(response.get("content", {})) == {"application/problem+json"}, (method, path, code)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_a_204_declares_no_content(method: str, path: str) -> None:
    """Powertools documented `Response[None]` as a JSON null; clients then tried to parse the empty body."""
    response = SPEC["paths"][path][method.lower()]["responses"].get("204")
    assert response is None or "content" not in response, (method, path)


def test_every_constraint_is_a_json_schema_keyword() -> None:
    """pydantic writes a bound it can't translate as a raw `ge`/`le` (a validator wrapped the type):
    the spec then states no bound at all, and valid-looking values are refused."""
    raw = ("ge", "le", "gt", "lt", "min_length", "max_length")
    untranslated: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            untranslated.extend(f"{where}.{k}" for k in raw if k in node and "type" in node)
            for key, child in node.items():
                walk(child, f"{where}.{key}")
        elif isinstance(node, list):
            for n, child in enumerate(node):
                walk(child, f"{where}[{n}]")

    walk(SPEC, "$")
    assert untranslated == []
