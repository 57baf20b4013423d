"""Rows and VK objects for collection tests, shaped like what the emulator and VK return."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from vkc.db.models_collection import Community
from vkc.vk.models import Comment
from vkc.workspaces.service import create_workspace


def make_community(engine: Engine, vk_id: int = 1001) -> tuple[uuid.UUID, uuid.UUID]:
    """A workspace with one collectable community; returns (workspace_id, community_id)."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        ws, _ = create_workspace(s, f"coll-{uuid.uuid4().hex[:6]}")
        community = Community(
            id=uuid.uuid4(),
            workspace_id=ws.id,
            vk_id=vk_id,
            name="Тестовое сообщество",
            type="group",
            source_input=str(vk_id),
        )
        s.add(community)
    return ws.id, community.id


def vk_comment(cid: int, text: str, *, root: int | None = None, from_id: int = 10, likes: int = 0) -> Comment:
    return Comment.model_validate(
        {
            "id": cid,
            "from_id": from_id,
            "date": 1_700_000_000 + cid,
            "text": text,
            "parents_stack": [root] if root else [],
            "reply_to_comment": root,
            "likes": {"count": likes},
            "thread": None if root else {"count": 0, "items": []},
        }
    )
