"""API key format and hashing.

Keys are 256 random bits, shown once. Only SHA-256 of the key is stored: the key is high-entropy,
so a fast hash is safe against guessing and lets us look keys up by hash in one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "vkc_"


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def display_prefix(key: str) -> str:
    """What lists may show: enough to tell keys apart, useless to an attacker."""
    return key[: len(KEY_PREFIX) + 6]
