"""Subscriptions: the secret is shown once and kept in the secret store; workspaces never see each other's."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from vkc.adapters.secrets import SecretsManagerStore
from vkc.errors import InvalidInput, NotFound
from vkc.settings import Settings
from vkc.webhooks import service
from vkc.webhooks.schemas import WebhookCreate, WebhookUpdate

from tests.support.world import World


def create(engine: Engine, settings: Settings, secrets: SecretsManagerStore, ws: uuid.UUID, **body: object):
    with Session(engine, expire_on_commit=False) as s, s.begin():
        return service.create_webhook(
            s, ws, WebhookCreate.model_validate({"url": "https://hooks.example.com/a", **body}),
            settings=settings, secrets=secrets,
        )  # fmt: skip


def test_create_stores_the_secret_and_returns_it_once(
    engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World
) -> None:
    created = create(engine, wh_settings, secrets, world.workspace_id, keyword_ids=[str(world.keywords["bank"])])
    name = service.secret_name(wh_settings, world.workspace_id, created.id)
    assert secrets.get(name) == created.secret
    assert created.secret_hint.endswith(created.secret[-4:])
    with Session(engine) as s:
        view = service.get_webhook(s, world.workspace_id, created.id)
        listed = service.list_webhooks(s, world.workspace_id)
    assert "secret" not in view.model_dump()
    assert created.secret not in view.model_dump_json()
    assert [w.id for w in listed] == [created.id]
    assert view.keyword_ids == [world.keywords["bank"]]


def test_other_workspace_gets_404_and_unknown_keywords_404(
    engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World
) -> None:
    created = create(engine, wh_settings, secrets, world.workspace_id)
    with Session(engine) as s:
        with pytest.raises(NotFound):
            service.get_webhook(s, world.other_workspace_id, created.id)
        assert service.list_webhooks(s, world.other_workspace_id) == []
    with pytest.raises(NotFound, match="keyword"):
        create(engine, wh_settings, secrets, world.other_workspace_id, keyword_ids=[str(world.keywords["bank"])])


def test_update_and_delete(engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World) -> None:
    created = create(engine, wh_settings, secrets, world.workspace_id, keyword_ids=[str(world.keywords["bank"])])
    with Session(engine) as s, s.begin():
        changed = service.update_webhook(
            s, world.workspace_id, created.id,
            WebhookUpdate.model_validate({"keyword_ids": None, "active": False, "url": "http://127.0.0.1:1/x"}),
            settings=wh_settings,
        )  # fmt: skip
    assert (changed.keyword_ids, changed.active, changed.url) == (None, False, "http://127.0.0.1:1/x")
    with Session(engine) as s, s.begin():
        rotated = service.rotate_secret(s, world.workspace_id, created.id, secrets=secrets)
    assert rotated.secret != created.secret
    name = service.secret_name(wh_settings, world.workspace_id, created.id)
    assert secrets.get(name) == rotated.secret
    with Session(engine) as s, s.begin():
        service.delete_webhook(s, world.workspace_id, created.id, secrets=secrets)
    assert secrets.get(name) is None
    with Session(engine) as s, pytest.raises(NotFound):
        service.get_webhook(s, world.workspace_id, created.id)


def test_prod_refuses_localhost(
    engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World
) -> None:
    prod = wh_settings.model_copy(update={"stage": "prod"})
    with pytest.raises(InvalidInput, match="localhost"):
        create(engine, prod, secrets, world.workspace_id, url="http://127.0.0.1:8080/x")
