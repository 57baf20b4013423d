"""Opaque keyset cursors: stable under inserts, unlike offsets."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime

from vkc.errors import InvalidInput


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(created), uuid.UUID(row_id)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("The cursor is not valid; use next_cursor from a previous page.") from exc
