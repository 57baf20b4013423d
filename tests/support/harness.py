"""Fixtures shared by the token and community tests: moto Secrets Manager, the VK emulator, Redis.

Tokens are unique per test run, so the VK client's Redis state (breakers, limiter windows, quotas,
cached types) never mixes with other runs or suites sharing the Redis server.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from vkc.adapters.redis_client import get_redis
from vkc.adapters.secrets import SecretsManagerStore
from vkc.settings import Settings
from vkc.vk_tokens.clients import transport as make_transport
from vkc.vk_tokens.schemas import VkTokenCreate, VkTokenView
from vkc.vk_tokens.service import add_token
from vkc.workspaces.service import create_workspace

from devtools.local_stack.aws import aws_client
from devtools.vk_emulator import EmulatorConfig, generate_dataset, start_emulator
from devtools.vk_emulator.server import Emulator

REGION = "eu-central-1"


@dataclass(frozen=True)
class EmulatorTokens:
    user: str
    user2: str
    service: str
    community: str
    unknown: str  # the emulator answers error 5 for it


@dataclass
class VkEnv:
    emulator: Emulator
    tokens: EmulatorTokens
    moto_url: str
    settings: Settings
    secrets: SecretsManagerStore
    redis: redis.Redis


@pytest.fixture(scope="session")
def emulator_tokens(run_id: str) -> EmulatorTokens:
    tag = f"{run_id}{uuid.uuid4().hex[:6]}"
    return EmulatorTokens(
        user=f"vk1.a.user-{tag}-aaaa1111",
        user2=f"vk1.a.user-{tag}-bbbb2222",
        service=f"service-{tag}-cccc3333",
        community=f"vk1.a.community-{tag}-dddd4444",
        unknown=f"vk1.a.revoked-{tag}-eeee5555",
    )


@pytest.fixture(scope="session")
def emulator(emulator_tokens: EmulatorTokens) -> Iterator[Emulator]:
    t = emulator_tokens
    config = EmulatorConfig(
        dataset=generate_dataset("small", 42),
        tokens={t.user: "user", t.user2: "user", t.service: "service", t.community: "community"},
        rate_limits=False,
    )
    with start_emulator(config) as running:
        yield running


@pytest.fixture(scope="session")
def vk_env(
    settings: Settings, emulator: Emulator, emulator_tokens: EmulatorTokens, moto_url: str, run_id: str
) -> VkEnv:
    vk_settings = settings.model_copy(
        update={"vk_api_url": emulator.url, "vk_tokens_secret_prefix": f"vkc/test-{run_id}/", "aws_region": REGION}
    )
    store = SecretsManagerStore(aws_client("secretsmanager", moto_url, REGION), cache_ttl_s=0)
    return VkEnv(emulator, emulator_tokens, moto_url, vk_settings, store, get_redis(vk_settings))


@pytest.fixture
def workspace_id(engine: Engine) -> uuid.UUID:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        ws, _ = create_workspace(s, f"vk-{uuid.uuid4().hex[:6]}")
    return ws.id


def fresh_token(env: VkEnv, kind: str = "user") -> str:
    """A token the emulator accepts from now on: its own rate window, so tests do not wait on each other."""
    token = f"vk1.a.{kind}-{uuid.uuid4().hex}"
    env.emulator.core.add_token(token, kind)
    return token


def add(engine: Engine, env: VkEnv, workspace_id: uuid.UUID, token: str, label: str | None = None) -> VkTokenView:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        return add_token(
            s,
            workspace_id,
            VkTokenCreate.model_validate({"token": token, "label": label}),
            settings=env.settings,
            redis_client=env.redis,
            secrets=env.secrets,
            transport=make_transport(env.settings),
        )
