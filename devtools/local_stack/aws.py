"""moto in server mode and the queues/buckets template.yaml declares, named per run so runs don't mix.

moto honours visibility timeouts and RedrivePolicy (moves a message to the DLQ on the receive
after maxReceiveCount), so retries and dead-lettering behave as in AWS.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from moto.server import ThreadedMotoServer

from devtools.local_stack.env import DUMMY_CREDENTIALS
from devtools.local_stack.template import SamTemplate

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeNameType


class MotoServer:
    """A moto server thread on 127.0.0.1 (port 0 = ephemeral)."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self.url = ""

    def start(self) -> str:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access-log line per SQS poll is noise
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        if self.url:
            self._server.stop()
            self.url = ""


class MotoProcess:
    """A moto server in a process of its own on 127.0.0.1, with `MotoServer`'s start/stop.

    Why a process: what moto stores (whole export files) then never counts in the caller's memory, which
    tests (tracemalloc) and benchmarks (peak RSS) measure; and its request handling does not share the
    caller's GIL. On Linux the server dies with its parent, so a killed test run leaves no server behind.
    """

    def __init__(self, host: str = "127.0.0.1", *, start_timeout_s: float = 30.0) -> None:
        self._host, self._timeout = host, start_timeout_s
        self._proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> str:
        with socket.socket() as sock:
            sock.bind((self._host, 0))
            port = sock.getsockname()[1]
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _SERVE, "-H", self._host, "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://{self._host}:{port}"
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()  # noqa: S310 - local moto
                break
            except OSError:
                if time.monotonic() > deadline or self._proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("the moto server did not start") from None
                time.sleep(0.1)
        self.url = url
        return url

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
            self._proc = None
        self.url = ""


#: `python -m moto.server`, asking Linux first for SIGTERM when the parent dies (prctl PR_SET_PDEATHSIG;
#: the parent that died before the call is caught by the ppid check)
_SERVE = """
import ctypes, os, signal, sys
if sys.platform == "linux":
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)
    if os.getppid() == 1:
        sys.exit(0)
from moto.server import main
main(sys.argv[1:])
"""


def aws_client(service: str, endpoint_url: str, region: str) -> Any:
    """A boto3 client for the moto endpoint with dummy credentials (never the developer's own)."""
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"],
        config=Config(retries={"max_attempts": 2, "mode": "standard"}, max_pool_connections=32),
    )


def physical_name(run_id: str, logical_id: str, *, lowercase: bool = False) -> str:
    """`<run>-<LogicalId>`: unique per run, recognisable in moto, valid for SQS (and S3 lowercased)."""
    name = f"{run_id}-{logical_id}"
    if lowercase:
        name = re.sub(r"[^a-z0-9-]", "-", name.lower())[:63]
    return name[:80]


@dataclass
class StackResources:
    queue_urls: dict[str, str] = field(default_factory=dict)
    queue_arns: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)


def create_resources(tpl: SamTemplate, run_id: str, sqs: SQSClient, s3: S3Client, region: str) -> StackResources:
    """Create every AWS::SQS::Queue and AWS::S3::Bucket of the template (DLQs first)."""
    out = StackResources()
    queues = tpl.queues()
    ordered = sorted(queues.values(), key=lambda q: q.dlq_logical_id is not None)
    for spec in ordered:
        attributes: dict[QueueAttributeNameType, str] = {
            "VisibilityTimeout": str(spec.visibility_timeout),
            "MessageRetentionPeriod": str(spec.message_retention),
            "SqsManagedSseEnabled": "true" if spec.sse else "false",
        }
        if spec.dlq_logical_id is not None:
            attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": out.queue_arns[spec.dlq_logical_id], "maxReceiveCount": spec.max_receive_count}
            )
        url = sqs.create_queue(QueueName=physical_name(run_id, spec.logical_id), Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        out.queue_urls[spec.logical_id] = url
        out.queue_arns[spec.logical_id] = arn
    for logical_id, props in tpl.buckets().items():
        name = physical_name(run_id, logical_id, lowercase=True)
        if region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})  # type: ignore[typeddict-item]
        if "LifecycleConfiguration" in props:
            rules = [_lifecycle_rule(rule) for rule in props["LifecycleConfiguration"]["Rules"]]
            s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": rules})  # type: ignore[typeddict-item]
        out.buckets[logical_id] = name
    return out


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's lifecycle rule shape → the S3 API's."""
    converted: dict[str, Any] = {"ID": rule.get("Id", "rule"), "Status": rule["Status"], "Filter": {"Prefix": ""}}
    if "ExpirationInDays" in rule:
        converted["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "AbortIncompleteMultipartUpload" in rule:
        days = int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        converted["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
    return converted


def delete_resources(res: StackResources, sqs: SQSClient, s3: S3Client) -> None:
    """Delete the run's queues and buckets (objects first); missing ones are fine."""
    for url in res.queue_urls.values():
        with contextlib.suppress(sqs.exceptions.QueueDoesNotExist):
            sqs.delete_queue(QueueUrl=url)
    for name in res.buckets.values():
        try:
            objects = s3.list_objects_v2(Bucket=name).get("Contents", [])
            for obj in objects:
                s3.delete_object(Bucket=name, Key=obj["Key"])
            s3.delete_bucket(Bucket=name)
        except s3.exceptions.NoSuchBucket:
            pass
