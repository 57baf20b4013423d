"""The signature contract receivers verify.

`X-Vkc-Signature: sha256=<hex HMAC-SHA256(secret, "<X-Vkc-Timestamp>.<raw body>")>`. The timestamp is part
of the signed string so a captured request cannot be replayed later with a fresh timestamp; receivers
should refuse timestamps older than a few minutes and deduplicate on `X-Vkc-Event-Id` (retries of one
event carry the same id and body, but a new timestamp and signature). The HMAC key is the secret's UTF-8
bytes exactly as shown once at creation (`whsec_…`), so any language can verify with its standard library.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Vkc-Signature"
TIMESTAMP_HEADER = "X-Vkc-Timestamp"
EVENT_ID_HEADER = "X-Vkc-Event-Id"
EVENT_TYPE_HEADER = "X-Vkc-Event-Type"
ATTEMPT_HEADER = "X-Vkc-Delivery-Attempt"
SCHEME = "sha256"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a label, not a secret
DEFAULT_TOLERANCE_S = 300


def generate_secret() -> str:
    """A new signing secret: 32 random bytes, URL-safe base64, with a recognisable prefix."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_hint(secret: str) -> str:
    """What may be shown after creation: the prefix and the last four characters."""
    return f"{SECRET_PREFIX}…{secret[-4:]}"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the signature header for `body` sent at `timestamp` (Unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def verify(
    secret: str,
    body: bytes,
    *,
    signature: str | None,
    timestamp: str | None,
    now: int,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> bool:
    """What a receiver does: constant-time compare, and refuse stale or future timestamps.

    Shipped here so the tests verify deliveries exactly as the documentation tells receivers to.
    """
    if not signature or not timestamp or not timestamp.isdigit():
        return False
    sent_at = int(timestamp)
    if abs(now - sent_at) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, sent_at, body), signature.strip())
