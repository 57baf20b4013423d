"""The VK API client: transport, error policy, token pool (types, shared rate limits, breakers, quotas),
execute batching, typed models and the complete-coverage harvester. See each module's docstring.

Typical use in a worker::

    client = VkClient.create(secrets, get_redis(settings), settings=settings)
    client.detect_token_types()
    report = Harvester(client, sink).harvest(-1, window=WallWindow(since=...), cursors=..., deadline=...)
"""

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
