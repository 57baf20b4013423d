"""Create workspaces and keys; authenticate a presented key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vkc.db.models import ApiKey, Workspace
from vkc.errors import Unauthorized
from vkc.workspaces.keys import display_prefix, generate_key, hash_key

_LAST_USED_GRANULARITY = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the workspace every query is scoped to."""

    workspace_id: uuid.UUID
    api_key_id: uuid.UUID


def create_workspace(session: Session, name: str) -> tuple[Workspace, str]:
    """A new workspace with its first API key; the plaintext key is returned once and never stored."""
    workspace = Workspace(id=uuid.uuid4(), name=name)
    session.add(workspace)
    session.flush()
    key = add_api_key(session, workspace.id, name="default")
    return workspace, key


def add_api_key(session: Session, workspace_id: uuid.UUID, *, name: str) -> str:
    key = generate_key()
    session.add(
        ApiKey(
            id=uuid.uuid4(),
            workspace_id=workspace_id,
            name=name,
            prefix=display_prefix(key),
            key_hash=hash_key(key),
        )
    )
    session.flush()
    return key


def authenticate(session: Session, presented: str | None) -> Principal:
    """Resolve a presented key to its workspace, or raise Unauthorized (never saying which part failed)."""
    if not presented:
        raise Unauthorized("An API key is required: send it in the X-Api-Key header.")
    row = session.execute(
        select(ApiKey.id, ApiKey.workspace_id, ApiKey.last_used_at).where(
            ApiKey.key_hash == hash_key(presented.strip()), ApiKey.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        raise Unauthorized("The API key is not valid.")
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at > _LAST_USED_GRANULARITY:
        session.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
    return Principal(workspace_id=row.workspace_id, api_key_id=row.id)
