"""The VK tokens API's models. The secret only ever travels inward (`SecretStr`); views carry a hint."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class TokenState(StrEnum):
    ACTIVE = "active"
    COOLING_DOWN = "cooling_down"
    REVOKED = "revoked"
    SECRET_MISSING = "secret_missing"  # noqa: S105 - a state name


#: One line of 8 to 512 printable ASCII characters without spaces; surrounding whitespace is trimmed.
TOKEN_PATTERN = r"^\s*[!-~]{8,512}\s*$"  # noqa: S105 - a pattern, not a secret


class VkTokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The rule is stated for the spec only: pydantic's messages would quote the value, so the service
    # checks it (vk_tokens.service._checked_secret) and answers without repeating the token.
    token: SecretStr = Field(
        description="A VK access token (user, service or community), 8 to 512 characters. "
        "Never returned: responses show a hint.",
        json_schema_extra={"pattern": TOKEN_PATTERN},
    )
    label: str | None = Field(default=None, max_length=200, description="Your name for it, e.g. whose it is.")


class VkTokenView(BaseModel):
    id: uuid.UUID
    token_id: str = Field(description="Stable short hash of the token (what logs and metrics name).")
    hint: str = Field(description="First and last 4 characters; the token itself is never shown again.")
    label: str | None
    type: str = Field(description="user, service or community, detected with test calls when added.")
    state: TokenState = Field(
        description="active, cooling_down (VK asked us to slow down), revoked (by VK) or secret_missing (its "
        "secret could not be read when a collection needed it; add the same token again to repair it)."
    )
    state_reason: str | None = Field(description="Why it is cooling down, revoked or unusable.")
    cooldown_until: datetime | None = Field(description="When a cooling-down token is tried again.")
    usage_today: dict[str, int] = Field(description="Calls made today (UTC) per VK method, execute's inner calls too.")
    requests_today: int = Field(description="Sum of usage_today.")
    exhausted_methods: list[str] = Field(description="Methods VK's daily limit (error 29) closed for today.")
    remaining_today: dict[str, int] = Field(
        description="Calls this token may still make today (UTC) per method with a daily limit (wall.get: VK's "
        "published 5,000, execute's inner calls included), as the pool plans them: 98 % of the limit minus "
        "usage_today, 0 once VK closed the method (error 29). VK does not report its own counter; this is ours."
    )
    created_at: datetime
    updated_at: datetime


class VkTokenList(BaseModel):
    items: list[VkTokenView]
