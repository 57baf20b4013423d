"""The only form of a token ever shown after it was added: a hint to recognise it by."""

from __future__ import annotations

#: Below this length, showing 8 characters would reveal too much of the secret.
MIN_LENGTH_FOR_HINT = 16


def token_hint(secret: str) -> str:
    """First 4 and last 4 characters (`vk1a…9xQz`); fully masked for short values."""
    secret = secret.strip()
    if len(secret) < MIN_LENGTH_FOR_HINT:
        return "…"
    return f"{secret[:4]}…{secret[-4:]}"
