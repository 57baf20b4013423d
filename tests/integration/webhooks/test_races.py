"""Webhooks under concurrent requests: the per-workspace limit holds, and secret rotations take turns."""

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

from tests.support.racing import Outcomes, backend_pid, in_background, race, racing_engine, wait_until_done_or_blocked

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


def test_a_second_rotation_waits_so_the_stored_secret_matches_the_hint(
    racing_engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore
) -> None:
    with Session(racing_engine, expire_on_commit=False) as s, s.begin():
        ws, _ = create_workspace(s, f"rot-{uuid.uuid4().hex[:6]}")
        body = WebhookCreate.model_validate({"url": "https://hooks.example.com/r"})
        hook = service.create_webhook(s, ws.id, body, settings=wh_settings, secrets=secrets)
    name = service.secret_name(wh_settings, ws.id, hook.id)
    second = Outcomes()
    pid: list[int] = []

    def rotate_again() -> None:
        with Session(racing_engine, expire_on_commit=False) as s:
            pid.append(backend_pid(s))
            second.run(lambda: service.rotate_secret(s, ws.id, hook.id, secrets=secrets))
            s.commit()

    with Session(racing_engine, expire_on_commit=False) as s:
        first = service.rotate_secret(s, ws.id, hook.id, secrets=secrets)
        racer = in_background(rotate_again)
        wait_until_done_or_blocked(racing_engine, racer, pid)
        assert secrets.get(name) == first.secret  # the second has not written over an uncommitted rotation
        s.commit()
    racer.join()

    [latest] = second.results
    assert secrets.get(name) == latest.secret
    with Session(racing_engine) as s:
        assert service.get_webhook(s, ws.id, hook.id).secret_hint == latest.secret_hint
