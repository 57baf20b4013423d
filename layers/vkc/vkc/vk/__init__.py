"""The VK API client: transport, error policy, token pool (types, shared rate limits, breakers, quotas),
execute batching, typed models and the complete-coverage harvester. See each module's docstring.

Typical use in a worker::

    client = VkClient.create(secrets, get_redis(settings), settings=settings)
    client.detect_token_types()
    report = Harvester(client, sink).harvest(-1, window=WallWindow(since=...), cursors=..., deadline=...)

The names below are imported on first use (PEP 562), not with the package: importing one submodule
(`vkc.vk.models`, `vkc.vk.errors`) runs this file, and must not load httpx, the client and the
harvester into a Lambda that never calls VK (cold start).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vkc.vk.breaker import BreakerState
    from vkc.vk.calls import CallResult, VkCall
    from vkc.vk.client import VkClient
    from vkc.vk.deadline import Deadline
    from vkc.vk.errors import (
        Action,
        VkApiError,
        VkBadResponseError,
        VkConnectionError,
        VkDeadlineError,
        VkError,
        VkHttpStatusError,
        VkNoTokenError,
        VkQuotaError,
        VkTimeoutError,
        VkTransportError,
        action_for,
    )
    from vkc.vk.harvest import (
        CollectingSink,
        CommentPageRequest,
        Harvester,
        HarvestReport,
        HarvestSink,
        PostCursor,
        Skipped,
        WallPageRequest,
        WallWindow,
    )
    from vkc.vk.pool import TokenPool, TokenStatus, pool_status
    from vkc.vk.tokens import TokenType, VkToken, token_id

__all__ = [
    "Action",
    "BreakerState",
    "CallResult",
    "CollectingSink",
    "CommentPageRequest",
    "Deadline",
    "HarvestReport",
    "HarvestSink",
    "Harvester",
    "PostCursor",
    "Skipped",
    "TokenPool",
    "TokenStatus",
    "TokenType",
    "VkApiError",
    "VkBadResponseError",
    "VkCall",
    "VkClient",
    "VkConnectionError",
    "VkDeadlineError",
    "VkError",
    "VkHttpStatusError",
    "VkNoTokenError",
    "VkQuotaError",
    "VkTimeoutError",
    "VkToken",
    "VkTransportError",
    "WallPageRequest",
    "WallWindow",
    "action_for",
    "pool_status",
    "token_id",
]

_EXPORTS: dict[str, tuple[str, ...]] = {
    "vkc.vk.breaker": ("BreakerState",),
    "vkc.vk.calls": ("CallResult", "VkCall"),
    "vkc.vk.client": ("VkClient",),
    "vkc.vk.deadline": ("Deadline",),
    "vkc.vk.errors": (
        "Action",
        "VkApiError",
        "VkBadResponseError",
        "VkConnectionError",
        "VkDeadlineError",
        "VkError",
        "VkHttpStatusError",
        "VkNoTokenError",
        "VkQuotaError",
        "VkTimeoutError",
        "VkTransportError",
        "action_for",
    ),
    "vkc.vk.harvest": (
        "CollectingSink",
        "CommentPageRequest",
        "Harvester",
        "HarvestReport",
        "HarvestSink",
        "PostCursor",
        "Skipped",
        "WallPageRequest",
        "WallWindow",
    ),
    "vkc.vk.pool": ("TokenPool", "TokenStatus", "pool_status"),
    "vkc.vk.tokens": ("TokenType", "VkToken", "token_id"),
}
_SOURCE = {name: module for module, names in _EXPORTS.items() for name in names}

if not TYPE_CHECKING:  # mypy reads the imports above (and still rejects names that do not exist)

    def __getattr__(name: str) -> Any:
        module = _SOURCE.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_SOURCE})
