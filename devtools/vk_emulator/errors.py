"""VK API errors as exceptions, with VK's own messages, so every layer can raise the real thing."""

from __future__ import annotations

from typing import Any

MESSAGES: dict[int, str] = {
    1: "Unknown error occurred",
    3: "Unknown method passed",
    5: "User authorization failed: invalid access_token (4).",
    6: "Too many requests per second",
    8: 'Invalid request: versions below 5.81 are deprecated. Version param should be passed as "v". '
    '"version" param is invalid and not supported. For more information go to https://dev.vk.com/en/reference/versions',
    9: "Flood control",
    10: "Internal server error",
    12: "Unable to compile code",
    13: "Runtime error occurred during code invocation",
    14: "Captcha needed",
    15: "Access denied",
    18: "User was deleted or banned",
    27: "Group authorization failed: method is unavailable with group auth.",
    28: "Application authorization failed: method is unavailable with service token.",
    29: "Rate limit reached",
    30: "This profile is private",
    100: "One of the parameters specified was missing or invalid",
    104: "Not found",
    113: "Invalid user id",
    203: "Access to group denied",
    212: "Access to post comments denied",
}


class VkApiError(Exception):
    """An API error that becomes VK's `{"error": {...}}` envelope (HTTP 200)."""

    def __init__(self, code: int, detail: str | None = None, *, extra: dict[str, Any] | None = None) -> None:
        base = MESSAGES.get(code, "Unknown error occurred")
        self.code = code
        self.msg = f"{base}: {detail}" if detail else base
        self.extra: dict[str, Any] = extra or {}
        super().__init__(f"[{code}] {self.msg}")


def param_error(detail: str) -> VkApiError:
    """Error 100 with VK's "One of the parameters specified was missing or invalid: <detail>"."""
    return VkApiError(100, detail)


def runtime_error(detail: str) -> VkApiError:
    """Error 13 raised by execute ("Runtime error occurred during code invocation: <detail>")."""
    return VkApiError(13, detail)
