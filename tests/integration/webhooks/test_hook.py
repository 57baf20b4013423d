"""The workers' subscription of webhook alerts to `NewMatchesStored` queues alerts for the job that stored them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from vkc.adapters.secrets import SecretsManagerStore
from vkc.analysis_store.hooks import NewMatchesStored, StoredMatch, notify_new_matches
from vkc.db.models_analysis import KeywordMatch
from vkc.db.models_collection import Comment
from vkc.events import EventBus
from vkc.settings import Settings
from vkc.webhooks import alerts
from vkc.wiring.worker import subscriptions

from tests.integration.webhooks.conftest import RecordingQueue
from tests.integration.webhooks.test_delivery import job_of, subscribe
from tests.support.world import World


def stored(engine: Engine, ws: uuid.UUID) -> list[StoredMatch]:
    with Session(engine) as s:
        rows = s.scalars(select(KeywordMatch).where(KeywordMatch.workspace_id == ws).order_by(KeywordMatch.id))
        return [
            StoredMatch(
                id=m.id,
                comment_id=m.comment_id,
                keyword_id=m.keyword_id,
                matched_text=m.matched_text,
                start=m.start,
                end=m.end,
                lemmas=tuple(m.lemmas),
                fuzzy=m.fuzzy,
                snippet=m.snippet,
                highlight_start=m.highlight_start,
                highlight_end=m.highlight_end,
                source="collection",
            )
            for m in rows
        ]


@pytest.fixture
def hooked_queue(queue: RecordingQueue) -> RecordingQueue:
    return queue


@pytest.fixture
def events(hooked_queue: RecordingQueue) -> EventBus:
    """The bus a worker builds: the alerts hear new matches and queue on the worker's queue."""
    return subscriptions(hooked_queue)


def test_the_workers_wire_alerts_to_new_matches(queue: RecordingQueue) -> None:
    assert len(subscriptions(queue).subscribers(NewMatchesStored)) == 1


def test_matches_stored_by_a_named_job_are_queued_for_it(
    engine: Engine,
    wh_settings: Settings,
    secrets: SecretsManagerStore,
    world: World,
    hooked_queue: RecordingQueue,
    events: EventBus,
) -> None:
    subscribe(engine, wh_settings, secrets, world.workspace_id, "https://a.example.com/h")
    job_id = job_of(engine, world)
    with Session(engine) as s, s.begin():
        s.info[alerts.ALERT_JOB_KEY] = (job_id, "corr-9")
        notify_new_matches(s, world.workspace_id, stored(engine, world.workspace_id), events)
    ((_, _, message, attrs),) = hooked_queue.sent
    assert (message.job_id, message.task, attrs["correlation_id"]) == (job_id, alerts.DELIVER_TASK, "corr-9")


def test_without_a_named_job_the_collecting_job_is_used(
    engine: Engine,
    wh_settings: Settings,
    secrets: SecretsManagerStore,
    world: World,
    hooked_queue: RecordingQueue,
    events: EventBus,
) -> None:
    subscribe(engine, wh_settings, secrets, world.workspace_id, "https://a.example.com/h")
    job_id = job_of(engine, world)
    with Session(engine) as s, s.begin():
        s.execute(update(Comment).where(Comment.workspace_id == world.workspace_id).values(first_seen_job_id=job_id))
    with Session(engine) as s, s.begin():
        notify_new_matches(s, world.workspace_id, stored(engine, world.workspace_id), events)
    assert [m.job_id for _, _, m, _ in hooked_queue.sent] == [job_id]


def test_no_webhooks_no_events(engine: Engine, world: World, hooked_queue: RecordingQueue, events: EventBus) -> None:
    with Session(engine) as s, s.begin():
        notify_new_matches(s, world.workspace_id, stored(engine, world.workspace_id), events)
    assert hooked_queue.sent == []
