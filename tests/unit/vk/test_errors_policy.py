from __future__ import annotations

import pytest
from vkc.vk.errors import (
    POLICY,
    Action,
    VkApiError,
    VkBadResponseError,
    VkConnectionError,
    VkHttpStatusError,
    VkTimeoutError,
    action_for,
)

EXPECTED = {
    Action.RETRY: (1, 6, 10, 36),
    Action.ROTATE: (9, 14, 29),
    Action.RETIRE: (5, 17, 27, 28),
    Action.SKIP: (15, 18, 19, 30, 100, 104, 113, 200, 203, 210, 211, 212),
    Action.SPLIT: (13,),
}


@pytest.mark.parametrize(("action", "codes"), list(EXPECTED.items()))
def test_policy_table_matches_reference(action: Action, codes: tuple[int, ...]) -> None:
    for code in codes:
        assert action_for(VkApiError(code, "x", method="wall.get")) is action
    assert {c for c, a in POLICY.items() if a is action} == set(codes)


def test_unknown_codes_fail_loudly_and_keep_their_code() -> None:
    err = VkApiError(8, "Invalid request: versions below 5.81 are deprecated", method="wall.get")
    assert action_for(err) is Action.FAIL
    assert err.code == 8
    assert "8" in str(err)
    assert "wall.get" in repr(err)


def test_transport_failures_are_their_own_classes() -> None:
    assert action_for(VkHttpStatusError(502, method="execute")) is Action.RETRY
    assert action_for(VkHttpStatusError(404, method="execute")) is Action.FAIL
    assert action_for(VkTimeoutError("ReadTimeout", method="execute")) is Action.RETRY
    assert action_for(VkConnectionError("ConnectError", method="execute")) is Action.RETRY
    assert action_for(VkBadResponseError("non-JSON", method="execute")) is Action.RETRY
    assert not isinstance(VkHttpStatusError(500), VkApiError)
    assert action_for(ValueError("x")) is Action.FAIL
