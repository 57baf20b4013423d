"""boto3 clients made once per process. `AWS_ENDPOINT_URL` (moto locally) is honoured by boto3 itself.

boto3 is imported on the first client, not with this module: it costs ~0.2 s of every cold start,
and API routes that never touch AWS (reads) should not pay it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from vkc.observability import instrument

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


@lru_cache(maxsize=8)
def client(service: str, region: str) -> Any:
    instrument("botocore")
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=3,
        read_timeout=10,
        max_pool_connections=24,  # above `sqs_queue.SEND_THREADS` (botocore's default is 10)
    )
    return boto3.client(service, region_name=region, config=config)  # type: ignore[call-overload]


def sqs(region: str) -> SQSClient:
    return client("sqs", region)  # type: ignore[no-any-return]
