"""The SecretStore port on AWS Secrets Manager (moto locally): VK tokens encrypted at rest with KMS.

Why the care around errors and logs: botocore's DEBUG logs print request parameters and response
bodies (`SecretString` included), and its `ParamValidationError` quotes the offending value. So every
botocore failure is replaced by a `SecretStoreError` naming only the operation and the AWS error code
(`from None`: no chained cause), and a filter drops botocore DEBUG records that carry a `SecretString`.
Reads are cached per process for a few minutes: a collection task loads the workspace's pool on every
run, and a token's value never changes under the same name (the name ends with the token's hash).
"""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from vkc.adapters.aws import client as aws_client
from vkc.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

_BOTOCORE_LOGGERS = (
    "botocore.endpoint",
    "botocore.parsers",
    "botocore.hooks",
    "botocore.auth",
    "botocore.retryhandler",
)


class SecretStoreError(RuntimeError):
    """A Secrets Manager call failed. The message names the operation and AWS' error code, never a value."""


class _DropSecretRecords(logging.Filter):
    """Drop botocore records that would print a secret (its DEBUG request/response dumps)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a malformed record: drop rather than risk printing its args
            return False
        return "SecretString" not in text


def _install_log_filter() -> None:
    for name in _BOTOCORE_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropSecretRecords) for f in logger.filters):
            logger.addFilter(_DropSecretRecords())


class SecretsManagerStore:
    """Implements `vkc.vk_tokens.ports.SecretStore`."""

    def __init__(self, client: SecretsManagerClient, *, cache_ttl_s: float = 300.0, kms_key_id: str | None = None):
        self._client = client
        self._ttl = cache_ttl_s
        self._kms_key_id = kms_key_id
        self._cache: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        _install_log_filter()

    def put(self, name: str, value: str, *, description: str = "") -> None:
        create: dict[str, Any] = {"Name": name, "SecretString": value, "Description": description[:2048]}
        if self._kms_key_id:
            create["KmsKeyId"] = self._kms_key_id
        try:
            self._client.create_secret(**create)
        except ClientError as exc:
            if _code(exc) != "ResourceExistsException":
                raise SecretStoreError(f"Secrets Manager CreateSecret failed: {_code(exc)}") from None
            self._call("PutSecretValue", lambda: self._client.put_secret_value(SecretId=name, SecretString=value))
        except BotoCoreError as exc:
            raise SecretStoreError(f"Secrets Manager CreateSecret failed: {type(exc).__name__}") from None
        with self._lock:
            self._cache[name] = (value, time.monotonic() + self._ttl)

    def get(self, name: str) -> str | None:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(name)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            response = self._client.get_secret_value(SecretId=name)
        except ClientError as exc:
            if _code(exc) == "ResourceNotFoundException":
                self._forget(name)
                return None
            raise SecretStoreError(f"Secrets Manager GetSecretValue failed: {_code(exc)}") from None
        except BotoCoreError as exc:
            raise SecretStoreError(f"Secrets Manager GetSecretValue failed: {type(exc).__name__}") from None
        value = response.get("SecretString")
        if value is None:
            raise SecretStoreError("Secrets Manager GetSecretValue returned no SecretString")
        with self._lock:
            self._cache[name] = (value, now + self._ttl)
        return value

    def delete(self, name: str) -> None:
        self._forget(name)
        try:
            self._client.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
        except ClientError as exc:
            if _code(exc) != "ResourceNotFoundException":
                raise SecretStoreError(f"Secrets Manager DeleteSecret failed: {_code(exc)}") from None
        except BotoCoreError as exc:
            raise SecretStoreError(f"Secrets Manager DeleteSecret failed: {type(exc).__name__}") from None

    def _forget(self, name: str) -> None:
        with self._lock:
            self._cache.pop(name, None)

    @staticmethod
    def _call(operation: str, fn: Any) -> Any:
        try:
            return fn()
        except (ClientError, BotoCoreError) as exc:
            code = _code(exc) if isinstance(exc, ClientError) else type(exc).__name__
            raise SecretStoreError(f"Secrets Manager {operation} failed: {code}") from None


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))


@lru_cache(maxsize=4)
def _store(region: str) -> SecretsManagerStore:
    return SecretsManagerStore(aws_client("secretsmanager", region))


def secret_store(settings: Settings) -> SecretsManagerStore:
    """The process-wide store (one boto3 client and one cache per container)."""
    return _store(settings.aws_region)
