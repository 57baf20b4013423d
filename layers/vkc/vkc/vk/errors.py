"""Every error the VK client raises, and the one table that decides what to do about each.

Why one module: the predecessor had two classes named `VKAPIError` and folded every VK code into 0
(defects 9 and 28). Here transport failures (non-2xx, timeouts, broken connections, unreadable bodies)
and VK API errors (HTTP 200 with an `error` object) are distinct classes of one hierarchy, a VK error
keeps its code end to end, and `action_for` is the single place the policy of vk-api.md §3 lives.

No message built here contains a token: the transport passes only method names, codes, VK's own
message (already redacted) and exception class names. Causes are never chained from httpx (their
requests carry the form body, which carries the token).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Action(StrEnum):
    """What the client does after a failed call."""

    RETRY = "retry"  # transient: back off (with jitter) and try again, possibly on another token
    ROTATE = "rotate"  # the token is cooling down (flood, captcha, daily quota): use another one
    RETIRE = "retire"  # the token is unusable (invalid, validation, wrong type): out of rotation
    SKIP = "skip"  # the object is closed, deleted or missing: record why and move on
    SPLIT = "split"  # execute failed as a whole (response too big): halve the batch
    FAIL = "fail"  # a bug or an unknown condition: surface it


#: vk-api.md §3, the whole policy. Codes not listed fail loudly.
POLICY: dict[int, Action] = {
    **dict.fromkeys((1, 6, 10, 36), Action.RETRY),
    **dict.fromkeys((9, 14, 29), Action.ROTATE),
    **dict.fromkeys((5, 17, 27, 28), Action.RETIRE),
    **dict.fromkeys((15, 18, 19, 30, 100, 104, 113, 200, 203, 210, 211, 212), Action.SKIP),
    13: Action.SPLIT,
}

#: Rotation codes that cool a whole token down (29 is per method: see `vkc.vk.quota`).
TOKEN_COOLDOWN_CODES = frozenset({9, 14})
RATE_LIMIT_CODE = 6
QUOTA_CODE = 29
EXECUTE_RUNTIME_CODE = 13


class VkError(Exception):
    """Base of everything the VK client raises on purpose."""

    def __init__(self, message: str, *, method: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, method={self.method!r})"


class VkTransportError(VkError):
    """The HTTP exchange failed: VK never gave an API answer."""


class VkHttpStatusError(VkTransportError):
    """A non-2xx status."""

    def __init__(self, status: int, *, method: str | None = None) -> None:
        super().__init__(f"HTTP {status} from VK on {method}", method=method)
        self.status = status


class VkTimeoutError(VkTransportError):
    """Connect/read/write/pool timeout (the message names only the kind)."""


class VkConnectionError(VkTransportError):
    """The connection could not be made or broke."""


class VkBadResponseError(VkTransportError):
    """HTTP 2xx whose body is not the JSON envelope VK sends."""


class VkApiError(VkError):
    """VK answered with an `error` object (or an `execute_errors` entry for one inner call)."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        method: str | None = None,
        params: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"VK error {code} on {method}: {message}", method=method)
        self.code = code
        self.vk_message = message
        self.params = params or {}
        self.extra = extra or {}

    @property
    def action(self) -> Action:
        return POLICY.get(self.code, Action.FAIL)

    def __repr__(self) -> str:
        return f"VkApiError(code={self.code}, method={self.method!r}, message={self.vk_message!r})"


class VkNoTokenError(VkError):
    """No token in the pool may make this call now (wrong types, retired, open breakers, quotas)."""


class VkQuotaError(VkNoTokenError):
    """Every token that may make the call has spent today's quota for a method in it (or VK said 29).

    `until` (epoch seconds) is when the quota day ends and the counters start again."""

    def __init__(self, message: str, *, method: str | None = None, until: float | None = None) -> None:
        super().__init__(message, method=method)
        self.until = until


class VkDeadlineError(VkError):
    """The caller's deadline (e.g. Lambda remaining time) ran out before the call succeeded."""


class VkTokensCoolingError(VkDeadlineError):
    """Every token that may make the call is cooling down (open breaker) until `until` (epoch seconds),
    later than the caller can usefully wait: a caller with work left should come back then."""

    def __init__(self, message: str, *, method: str | None = None, until: float) -> None:
        super().__init__(message, method=method)
        self.until = until


def unavailable_until(exc: BaseException) -> float | None:
    """When the pool expects a token to be usable again, if the failure was that none is (else None)."""
    if isinstance(exc, VkQuotaError | VkTokensCoolingError):
        return exc.until
    return None


def action_for(exc: BaseException) -> Action:
    """The policy for any failure the transport or VK produced."""
    if isinstance(exc, VkApiError):
        return exc.action
    if isinstance(exc, VkHttpStatusError):
        return Action.RETRY if exc.status >= 500 or exc.status == 429 else Action.FAIL
    if isinstance(exc, VkTransportError):
        return Action.RETRY
    return Action.FAIL
