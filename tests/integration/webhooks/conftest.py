"""Webhook fixtures: moto Secrets Manager, a comments world, a live receiver, instant backoff."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine
from vkc.adapters.secrets import SecretsManagerStore
from vkc.jobs.schemas import TaskMessage
from vkc.settings import Priority, Settings, WorkerKind
from vkc.webhooks.delivery import DeliveryPorts
from vkc.webhooks.sender import http_client

from devtools.local_stack.aws import aws_client
from tests.support.receiver import Receiver, running_receiver
from tests.support.world import World, build_world

REGION = "eu-central-1"


@dataclass
class RecordingQueue:
    sent: list[tuple[WorkerKind, Priority, TaskMessage, dict[str, Any]]] = field(default_factory=list)

    def send(self, worker: WorkerKind, priority: Priority, message: TaskMessage, **attrs: Any) -> str:
        self.sent.append((worker, priority, message, attrs))
        return f"m-{len(self.sent)}"


@pytest.fixture(scope="session")
def wh_settings(settings: Settings, run_id: str) -> Settings:
    return settings.model_copy(update={"vk_tokens_secret_prefix": f"vkc/test-{run_id}/", "aws_region": REGION})


@pytest.fixture(scope="session")
def secrets(moto_url: str) -> SecretsManagerStore:
    return SecretsManagerStore(aws_client("secretsmanager", moto_url, REGION), cache_ttl_s=0)


@pytest.fixture
def ports(secrets: SecretsManagerStore) -> DeliveryPorts:
    return DeliveryPorts(secrets=secrets, client=http_client(), sleep=lambda _s: None)


@pytest.fixture
def world(engine: Engine) -> World:
    return build_world(engine)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


@pytest.fixture
def queue() -> RecordingQueue:
    return RecordingQueue()


def new_id() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def secrets_ports_sleeps(secrets: SecretsManagerStore) -> tuple[DeliveryPorts, list[float]]:
    sleeps: list[float] = []
    return DeliveryPorts(secrets=secrets, client=http_client(), sleep=sleeps.append), sleeps
