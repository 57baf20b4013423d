"""The per-workspace webhook limit holds when many subscriptions are created at once."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from vkc.adapters.secrets import SecretsManagerStore
from vkc.db.models_webhooks import Webhook
from vkc.errors import Conflict
from vkc.settings import Settings
from vkc.webhooks import service
from vkc.webhooks.schemas import WebhookCreate, WebhookCreated
from vkc.workspaces.service import create_workspace

from tests.racing import race, racing_engine

__all__ = ["racing_engine"]

RACERS = 8
FREE_PLACES = 2


def test_concurrent_creates_never_pass_the_limit(
    racing_engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore
) -> None:
    with Session(racing_engine, expire_on_commit=False) as s, s.begin():
        ws, _ = create_workspace(s, f"hooks-{uuid.uuid4().hex[:6]}")
        for n in range(service.MAX_WEBHOOKS_PER_WORKSPACE - FREE_PLACES):
            s.add(Webhook(workspace_id=ws.id, url=f"https://h{n}.example.com/", secret_name=f"n{n}", secret_hint="x"))

    def create(session: Session) -> WebhookCreated:
        body = WebhookCreate.model_validate({"url": "https://hooks.example.com/a"})
        created = service.create_webhook(session, ws.id, body, settings=wh_settings, secrets=secrets)
        session.commit()
        return created

    outcomes = race(racing_engine, [create] * RACERS)

    assert len(outcomes.results) == FREE_PLACES
    assert [type(e) for e in outcomes.errors] == [Conflict] * (RACERS - FREE_PLACES)
    with Session(racing_engine) as s:
        count = s.scalar(select(func.count()).select_from(Webhook).where(Webhook.workspace_id == ws.id))
    assert count == service.MAX_WEBHOOKS_PER_WORKSPACE
