"""The Powertools idempotency machinery behind `api_routes.idempotency` (the middleware).

A module of its own because `aws_lambda_powertools.utilities.idempotency` imports boto3 with its
package (~0.15 s of a cold start): the middleware imports this on the first POST that carries an
Idempotency-Key, so a GET never loads it.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyInconsistentStateError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.cache import CachePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from api_routes.deps import deps

__all__ = [
    "IdempotencyAlreadyInProgressError",
    "IdempotencyInconsistentStateError",
    "IdempotencyPersistenceLayerError",
    "IdempotencyValidationError",
    "guard",
]

with warnings.catch_warnings():
    # Powertools 3.x: CachePersistenceLayer is an alias of the @deprecated RedisCachePersistenceLayer and
    # warns on construction and subclassing although it is the recommended name (v4 removes the old one).
    warnings.filterwarnings(
        "ignore", message=".*RedisCachePersistenceLayer will be removed", category=DeprecationWarning
    )

    class ValidatingCachePersistenceLayer(CachePersistenceLayer):
        """Keeps the payload hash when a record completes.

        Powertools 3.37's Redis layer rewrites the record on completion without its `validation`
        attribute, so an identical retry of a completed request fails payload validation (the
        TypeScript port fixed the same bug: powertools-lambda-typescript#5705). DynamoDB keeps it.
        """

        def _update_record(self, data_record: DataRecord) -> None:
            mapping: dict[str, Any] = {
                self.data_attr: data_record.response_data,
                self.status_attr: data_record.status,
                self.expiry_attr: data_record.expiry_timestamp,
            }
            if self.payload_validation_enabled:
                mapping[self.validation_key_attr] = data_record.payload_hash
            ttl = self._get_expiry_second(data_record.expiry_timestamp)
            self.client.set(name=data_record.idempotency_key, value=self._json_serializer(mapping), ex=ttl)


@lru_cache(maxsize=1)
def _store() -> ValidatingCachePersistenceLayer:
    client: Any = deps().redis  # redis.Redis satisfies the protocol at runtime; its stubs differ
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*RedisCachePersistenceLayer will be removed", category=DeprecationWarning
        )
        return ValidatingCachePersistenceLayer(client=client)


def _config(app: APIGatewayHttpResolver) -> IdempotencyConfig:
    config = IdempotencyConfig(
        event_key_jmespath="[workspace_id, key, method, path]",
        payload_validation_jmespath="body_sha256",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=deps().settings.idempotency_ttl_s,
        hash_function="sha256",
    )
    with contextlib.suppress(AttributeError):  # in-progress records then expire with this invocation
        config.register_lambda_context(app.lambda_context)
    return config


def guard(
    run: Callable[..., dict[str, Any]], app: APIGatewayHttpResolver, *, key_prefix: str
) -> Callable[..., dict[str, Any]]:
    """`run(request=...)` made idempotent on the request's (workspace, key, method, path), body-hash validated."""
    return idempotent_function(
        data_keyword_argument="request",
        persistence_store=_store(),
        config=_config(app),
        key_prefix=key_prefix,
    )(run)
