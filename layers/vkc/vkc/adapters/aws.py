"""boto3 clients made once per process. `AWS_ENDPOINT_URL` (moto locally) is honoured by boto3 itself."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=3, read_timeout=10)


@lru_cache(maxsize=8)
def client(service: str, region: str) -> Any:
    return boto3.client(service, region_name=region, config=_CONFIG)  # type: ignore[call-overload]


def sqs(region: str) -> SQSClient:
    return client("sqs", region)  # type: ignore[no-any-return]
