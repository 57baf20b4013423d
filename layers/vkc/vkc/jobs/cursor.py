"""Opaque keyset cursors: stable under inserts, unlike offsets."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any

from vkc.errors import InvalidInput


def pack(value: Any) -> str:
    """A JSON value as an opaque, URL-safe token (every list's cursor uses this form)."""
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unpack(cursor: str) -> Any:
    """The JSON value in a token; ValueError for anything that is not one."""
    return json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))


def invalid_cursor() -> InvalidInput:
    return InvalidInput("The cursor is not valid; use next_cursor from a previous page.")


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    return pack([created_at.isoformat(), str(row_id)])


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        created, row_id = unpack(cursor)
        return datetime.fromisoformat(created), uuid.UUID(row_id)
    except (ValueError, TypeError) as exc:
        raise invalid_cursor() from exc
