"""Create workspaces and keys; authenticate a presented key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from vkc.db.models import ApiKey, Workspace
from vkc.errors import Conflict, NotFound, Unauthorized
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
            ApiKey.key_hash == hash_key(presented.strip()), _active(datetime.now(UTC))
        )
    ).first()
    if row is None:
        raise Unauthorized("The API key is not valid.")
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at > _LAST_USED_GRANULARITY:
        session.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
    return Principal(workspace_id=row.workspace_id, api_key_id=row.id)


# --- managing a workspace's keys (/v1/api-keys) ------------------------------------------------------

MAX_GRACE_S = 7 * 24 * 3600


class ApiKeyView(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="The key's first characters: enough to tell keys apart, never the key.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="Updated at most every 5 minutes.")
    revoked_at: datetime | None = Field(description="When the key stops (stopped) working; may be in the future.")
    active: bool = Field(description="The key authenticates requests now.")


class ApiKeyCreated(ApiKeyView):
    key: str = Field(description="The new key. Shown this once: only its SHA-256 hash is stored.")


def _active(now: datetime) -> ColumnElement[bool]:
    """Not revoked, or revoked with a grace period that has not ended yet."""
    return or_(ApiKey.revoked_at.is_(None), ApiKey.revoked_at > now)


def _view(row: ApiKey, now: datetime) -> ApiKeyView:
    return ApiKeyView(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
        active=row.revoked_at is None or row.revoked_at > now,
    )


def _key_row(session: Session, workspace_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound(f"API key {key_id} does not exist.")
    return row


def list_api_keys(session: Session, workspace_id: uuid.UUID) -> list[ApiKeyView]:
    now = datetime.now(UTC)
    rows = session.scalars(
        select(ApiKey).where(ApiKey.workspace_id == workspace_id).order_by(ApiKey.created_at, ApiKey.id)
    )
    return [_view(row, now) for row in rows]


def create_api_key(session: Session, workspace_id: uuid.UUID, *, name: str) -> ApiKeyCreated:
    key = add_api_key(session, workspace_id, name=name)
    row = session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_key(key))).one()
    session.refresh(row)
    return ApiKeyCreated(**_view(row, datetime.now(UTC)).model_dump(), key=key)


def rotate_api_key(session: Session, workspace_id: uuid.UUID, key_id: uuid.UUID, *, grace_s: int = 0) -> ApiKeyCreated:
    """A new key with the same name; the old one stops working now, or after `grace_s` seconds.

    Rotating a key that is already revoked is refused (409): there is nothing to hand over. The
    revocation is a conditional UPDATE, so of two concurrent rotations of one key only one makes a
    successor; the other waits for it and is refused.
    """
    if not 0 <= grace_s <= MAX_GRACE_S:
        raise Conflict(f"grace_seconds must be between 0 and {MAX_GRACE_S}.")
    _key_row(session, workspace_id, key_id)
    name = session.scalar(
        update(ApiKey)
        .where(ApiKey.id == key_id, ApiKey.workspace_id == workspace_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC) + timedelta(seconds=grace_s))
        .returning(ApiKey.name)
        .execution_options(synchronize_session=False)
    )
    if name is None:
        raise Conflict(f"API key {key_id} is revoked; create a new key instead.")
    return create_api_key(session, workspace_id, name=name)


def lock_workspace(session: Session, workspace_id: uuid.UUID) -> None:
    """Hold the workspace's row until commit, so its rules that count rows (never zero active keys, at
    most so many webhooks) are checked and written by one transaction at a time.

    FOR NO KEY UPDATE: rows that merely reference the workspace (jobs, comments …) are not held up.
    """
    session.execute(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update(key_share=True))


def revoke_api_key(session: Session, workspace_id: uuid.UUID, key_id: uuid.UUID, *, caller_key_id: uuid.UUID) -> None:
    """Revoke now (idempotent). The caller's own key only while another key of the workspace stays active.

    The workspace is locked first: two keys revoking each other at once must not leave none.
    """
    lock_workspace(session, workspace_id)
    row = _key_row(session, workspace_id, key_id)
    session.refresh(row)  # as committed before the lock was ours
    now = datetime.now(UTC)
    if row.revoked_at is not None and row.revoked_at <= now:
        return
    if key_id == caller_key_id:
        others = session.scalar(
            select(ApiKey.id).where(ApiKey.workspace_id == workspace_id, ApiKey.id != key_id, _active(now)).limit(1)
        )
        if others is None:
            raise Conflict("This is the workspace's only active key: create another key before revoking it.")
    row.revoked_at = now
    session.flush()


# --- the signed-in key's workspace (/v1/workspace) -----------------------------------------------------


class WorkspaceView(BaseModel):
    id: uuid.UUID
    name: str
    created_at: datetime


def workspace_view(session: Session, workspace_id: uuid.UUID) -> WorkspaceView:
    """What a client shows after sign-in: the workspace the presented key belongs to."""
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise NotFound("The workspace does not exist.")
    return WorkspaceView(id=workspace.id, name=workspace.name, created_at=workspace.created_at)
