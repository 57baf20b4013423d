"""VK access tokens: a secret that never prints, its stable id, its type and what that type may call.

Token types (vk-api.md §1): user and service tokens get 3 requests/s, community tokens 20. Wall
methods refuse community tokens (error 27); `execute` refuses service tokens (error 28). We only send
`execute` with user tokens: a community token may run it, but every wall call inside would fail.

Detection (`VkClient.detect_token_types`) costs one or two calls per token, cached in Redis for 30 days:
1. `execute` with `return 1;`: a service token fails with 28 → service.
2. `wall.getById` (`posts=1_1`): a community token fails with 27 → community; anything else → user.
A token that fails a probe with 5 (invalid) or 17 (validation) is retired instead.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

WALL_METHODS = frozenset({"wall.get", "wall.getById", "wall.getComments", "wall.getComment"})


class TokenType(StrEnum):
    USER = "user"
    SERVICE = "service"
    COMMUNITY = "community"


#: Requests per second VK allows per token of each type (official text quoted in vk-api.md §4).
RATE_PER_SECOND: dict[TokenType, int] = {TokenType.USER: 3, TokenType.SERVICE: 3, TokenType.COMMUNITY: 20}


def may_call(token_type: TokenType, method: str) -> bool:
    """The method table of vk-api.md §1, narrowed to what this client wants to send."""
    if method == "execute":
        return token_type is TokenType.USER
    if method in WALL_METHODS:
        if token_type is TokenType.COMMUNITY:
            return False
        return method != "wall.getComment" or token_type is TokenType.USER
    return True


def token_id(secret: str) -> str:
    """Stable, non-reversible short id: safe in logs, metrics, Redis keys and health output."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


class VkToken:
    """A token. `str()`/`repr()` show only the id; the secret is read with `reveal()`."""

    __slots__ = ("_secret", "id", "type")

    def __init__(self, secret: str, token_type: TokenType | None = None) -> None:
        if not secret:
            raise ValueError("empty VK token")
        self._secret = secret
        self.id = token_id(secret)
        self.type = token_type

    def reveal(self) -> str:
        return self._secret

    def __repr__(self) -> str:
        kind = self.type.value if self.type else "unknown"
        return f"VkToken(id={self.id}, type={kind})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VkToken) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("VkToken is not picklable")  # keeps secrets out of queues and caches
