"""The Secrets Manager adapter on moto: round trip, idempotent delete, and errors that never carry a value."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError
from vkc.adapters.secrets import SecretsManagerStore, SecretStoreError

from devtools.local_stack.aws import aws_client
from tests.support.harness import REGION


@pytest.fixture
def store(moto_url: str) -> SecretsManagerStore:
    return SecretsManagerStore(aws_client("secretsmanager", moto_url, REGION), cache_ttl_s=60)


def test_put_get_replace_delete(store: SecretsManagerStore) -> None:
    name = f"vkc/t/{uuid.uuid4().hex}"
    assert store.get(name) is None
    store.put(name, "first-value-123456")
    store.put(name, "second-value-123456")  # exists: the value is replaced
    assert store.get(name) == "second-value-123456"
    store.delete(name)
    store.delete(name)  # missing is fine
    assert store.get(name) is None


def test_reads_are_cached_until_delete(store: SecretsManagerStore, moto_url: str) -> None:
    name = f"vkc/t/{uuid.uuid4().hex}"
    store.put(name, "cached-value-123456")
    aws_client("secretsmanager", moto_url, REGION).delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    assert store.get(name) == "cached-value-123456"  # a collection task re-reads within the TTL for free
    store.delete(name)
    assert store.get(name) is None


class _EchoingClient:
    """A client whose AWS error message would quote the value (AWS does not, but we must not rely on it)."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def _fail(self, **_: Any) -> None:
        error = {"Error": {"Code": "InternalServiceError", "Message": f"boom {self.secret}"}}
        raise ClientError(cast(Any, error), "CreateSecret")

    create_secret = put_secret_value = get_secret_value = delete_secret = _fail


def test_errors_name_the_operation_never_the_value(store: SecretsManagerStore) -> None:
    secret = "do-not-print-" + uuid.uuid4().hex
    echoing = SecretsManagerStore(cast(Any, _EchoingClient(secret)))
    calls: list[Callable[[], object]] = [
        lambda: echoing.put("n", secret),
        lambda: echoing.get("n"),
        lambda: echoing.delete("n"),
    ]
    for call in calls:
        with pytest.raises(SecretStoreError) as err:
            call()
        assert secret not in str(err.value)
        assert "InternalServiceError" in str(err.value)
        assert err.value.__cause__ is None
        assert err.value.__suppress_context__
    with pytest.raises(SecretStoreError) as err:
        store.put(f"vkc/t/{uuid.uuid4().hex}", cast(Any, {"value": secret}))  # botocore's own validation
    assert secret not in str(err.value)
    assert "ParamValidationError" in str(err.value)


def test_botocore_debug_dumps_of_secrets_are_dropped(
    store: SecretsManagerStore, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "log-leak-check-" + uuid.uuid4().hex
    name = f"vkc/t/{uuid.uuid4().hex}"
    caplog.set_level(logging.DEBUG)
    logging.getLogger("botocore").setLevel(logging.DEBUG)
    try:
        store.put(name, secret)
        store._cache.clear()
        assert store.get(name) == secret
    finally:
        logging.getLogger("botocore").setLevel(logging.NOTSET)
        store.delete(name)
    assert any(r.name.startswith("botocore") for r in caplog.records)
    assert secret not in caplog.text
