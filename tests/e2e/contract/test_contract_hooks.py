"""The schemathesis hooks drop only the refusals they name, and shape only valid generated requests."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from devtools import contract_hooks


def _case(method: str, path: str, *, query: dict[str, Any] | None = None, positive: bool = True) -> Any:
    mode = SimpleNamespace(is_positive=positive)
    return SimpleNamespace(
        method=method,
        operation=SimpleNamespace(path=path),
        query=query,
        headers={"Idempotency-Key": "same"},
        meta=SimpleNamespace(generation=SimpleNamespace(mode=mode)),
    )


def _response(status: int, body: dict[str, Any]) -> Any:
    return SimpleNamespace(status_code=status, json=lambda: body)


REJECTED = SimpleNamespace(code="ST202")


def test_a_refusal_named_for_its_operation_is_dropped() -> None:
    vk_refused = _response(422, {"detail": "VK refused the token.", "vk_error_code": 5})
    assert contract_hooks.filter_failure(None, REJECTED, _case("POST", "/v1/vk-tokens"), vk_refused) is False


def test_a_schema_validation_422_is_kept_even_on_a_listed_operation() -> None:
    invalid = _response(422, {"detail": "The request is not valid; see errors.", "errors": [{"loc": ["body", "x"]}]})
    assert contract_hooks.filter_failure(None, REJECTED, _case("POST", "/v1/vk-tokens"), invalid) is True


def test_other_operations_and_other_failures_are_kept() -> None:
    vk_refused = _response(422, {"vk_error_code": 5})
    assert contract_hooks.filter_failure(None, REJECTED, _case("GET", "/v1/comments"), vk_refused) is True
    server_error = SimpleNamespace(code="ST101")
    assert contract_hooks.filter_failure(None, server_error, _case("POST", "/v1/vk-tokens"), vk_refused) is True


def test_valid_requests_use_issued_cursors_and_fresh_keys() -> None:
    issued = _case("GET", "/v1/jobs", query={"limit": 1})
    contract_hooks.after_call(None, issued, _response(200, {"items": [], "next_cursor": "abc"}))

    made_up = _case("GET", "/v1/jobs", query={"cursor": "000"})
    contract_hooks.before_call(None, made_up)
    assert "cursor" not in made_up.query
    assert made_up.headers["Idempotency-Key"] != "same"

    real = _case("GET", "/v1/jobs", query={"cursor": "abc"})
    contract_hooks.before_call(None, real)
    assert real.query == {"cursor": "abc"}


def test_invalid_requests_are_sent_as_generated() -> None:
    case = _case("GET", "/v1/jobs", query={"cursor": "000"}, positive=False)
    contract_hooks.before_call(None, case)
    assert case.query == {"cursor": "000"}
    assert case.headers["Idempotency-Key"] == "same"
