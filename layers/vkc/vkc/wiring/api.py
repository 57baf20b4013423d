"""The API process's composition place: the adapters the routes use, built once per container.

Routes ask `ApiDeps` for what they need and hand it to the domain; the domain never builds an engine, a
queue, a store or a client. Adapters that only some routes need (SQS and the secret store through boto3,
S3, the VK transport and the webhook HTTP client through httpx) are built on their first use, so a GET
that sends no message does not pay for them at cold start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, cached_property
from typing import TYPE_CHECKING

import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from vkc.adapters.redis_client import get_redis
from vkc.db.engine import get_engine
from vkc.settings import Settings
from vkc.wiring.once import PerSettings

if TYPE_CHECKING:
    import httpx

    from vkc.adapters.sqs_deadletters import SqsDeadLetterQueues
    from vkc.adapters.sqs_queue import SqsTaskQueue
    from vkc.cache import ReadCache
    from vkc.ports import ObjectStore, SecretStore
    from vkc.vk.transport import VkTransport


class ApiDeps:
    """One per API process; every attribute is built once, on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def engine(self) -> Engine:
        return get_engine(self.settings)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return sessionmaker(bind=self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises."""
        with self.sessions() as session, session.begin():
            yield session

    @cached_property
    def redis(self) -> redis.Redis:
        return get_redis(self.settings)

    @cached_property
    def read_cache(self) -> ReadCache:
        from vkc.cache import read_cache

        return read_cache(self.settings, self.redis)

    @cache  # noqa: B019 - one instance per process, kept for the process's life
    def queue(self) -> SqsTaskQueue:
        from vkc.adapters.aws import sqs
        from vkc.adapters.sqs_queue import SqsTaskQueue

        return SqsTaskQueue(self.settings, sqs(self.settings.aws_region))

    @cache  # noqa: B019
    def dead_letter_queues(self) -> SqsDeadLetterQueues:
        from vkc.adapters.aws import sqs
        from vkc.adapters.sqs_deadletters import SqsDeadLetterQueues

        return SqsDeadLetterQueues(self.settings, sqs(self.settings.aws_region))

    def secrets(self) -> SecretStore:
        from vkc.adapters.secrets import secret_store

        return secret_store(self.settings)

    def object_store(self) -> ObjectStore:
        from vkc.adapters.s3 import exports_store

        return exports_store(self.settings)

    def vk_transport(self) -> VkTransport:
        # httpx and the VK transport load when a route calls VK (adding a community or a token)
        from vkc.vk_tokens.clients import transport

        return transport(self.settings)

    @cache  # noqa: B019
    def http_client(self) -> httpx.Client:
        """The client webhook test pings are sent with."""
        from vkc.webhooks.sender import http_client

        return http_client()


#: the API process's dependencies (built on the first request)
api_deps = PerSettings(ApiDeps)


def warm_before_snapshot() -> None:
    """What a SnapStart snapshot of the API keeps so that no restored copy pays for it again: the ORM
    mappers configured (SQLAlchemy does it on the first query otherwise) and, with IAM database auth,
    the token signer imported. Nothing connects: connections never belong in a snapshot."""
    from sqlalchemy.orm import configure_mappers

    import vkc.db.all_models  # noqa: F401 - every mapped class, so that configure_mappers sees them all
    from vkc.db import iam_token
    from vkc.settings import get_settings

    configure_mappers()
    if get_settings().db_iam_auth:
        iam_token.prepare()


def after_restore() -> None:
    """The API's restore hook: fresh random state, no pre-snapshot connection, clients and
    credentials re-read, the dependencies rebuilt on the next request (`vkc.wiring.snapstart`)."""
    from vkc.wiring import snapstart

    snapstart.after_restore(api_deps)
