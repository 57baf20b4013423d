"""The method table: handler plus the token types VK lets call it (reference §1)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devtools.vk_emulator.config import TokenType
from devtools.vk_emulator.methods import comments, directory, wall
from devtools.vk_emulator.methods.context import CallContext
from devtools.vk_emulator.params import Params

Handler = Callable[[CallContext, Params], Any]

ALL: frozenset[TokenType] = frozenset({"user", "service", "community"})
USER_OR_SERVICE: frozenset[TokenType] = frozenset({"user", "service"})


@dataclass(frozen=True, slots=True)
class MethodSpec:
    handler: Handler | None  # None: handled by the dispatcher itself (execute)
    allowed: frozenset[TokenType]


METHODS: dict[str, MethodSpec] = {
    "wall.get": MethodSpec(wall.wall_get, USER_OR_SERVICE),
    "wall.getById": MethodSpec(wall.wall_get_by_id, USER_OR_SERVICE),
    "wall.getComments": MethodSpec(comments.get_comments, USER_OR_SERVICE),
    "wall.getComment": MethodSpec(comments.get_comment, frozenset({"user"})),
    "groups.getById": MethodSpec(directory.groups_get_by_id, ALL),
    "users.get": MethodSpec(directory.users_get, ALL),
    "utils.resolveScreenName": MethodSpec(directory.resolve_screen_name, ALL),
    "execute": MethodSpec(None, frozenset({"user", "community"})),
}


def wrong_token_error(kind: TokenType) -> int:
    """27 for community tokens, 28 for service tokens (VK's two "authorization failed" codes)."""
    return 27 if kind == "community" else 28
