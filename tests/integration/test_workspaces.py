"""API keys: random, shown once, stored only as hashes, resolving to exactly one workspace."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from vkc.db.models import ApiKey
from vkc.errors import Unauthorized
from vkc.workspaces.keys import hash_key
from vkc.workspaces.service import authenticate, create_workspace


def test_key_is_stored_only_as_hash_and_authenticates(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        ws, key = create_workspace(s, "acme")
    with Session(engine) as s, s.begin():
        stored = s.scalars(select(ApiKey).where(ApiKey.workspace_id == ws.id)).one()
        assert stored.key_hash == hash_key(key)
        assert key not in (stored.prefix, stored.key_hash)
        assert authenticate(s, key).workspace_id == ws.id


@pytest.mark.parametrize("presented", [None, "", "vkc_not-a-real-key"])
def test_missing_or_wrong_key_is_refused(engine: Engine, presented: str | None) -> None:
    with Session(engine) as s, s.begin(), pytest.raises(Unauthorized):
        authenticate(s, presented)


def test_revoked_key_is_refused(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        ws, key = create_workspace(s, "revoked")
        s.execute(update(ApiKey).where(ApiKey.workspace_id == ws.id).values(revoked_at="2026-01-01T00:00:00Z"))
    with Session(engine) as s, s.begin(), pytest.raises(Unauthorized):
        authenticate(s, key)


def test_two_workspaces_get_different_keys(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        a, key_a = create_workspace(s, "a")
        b, key_b = create_workspace(s, "b")
        assert key_a != key_b
        assert authenticate(s, key_a).workspace_id == a.id
        assert authenticate(s, key_b).workspace_id == b.id
