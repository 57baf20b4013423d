"""The analyze worker as Lambda starts it: a fresh interpreter holding only its artifact and the layer.

Regression: webhook alerts were subscribed to new matches when `vkc.webhooks.alerts` was imported,
and nothing the analyze worker loads imported it. In the one-process local stack the API had already
imported it, so every test passed while a deployed worker stored matches and alerted nobody.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time
import uuid
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from vkc.db.models import Job
from vkc.db.models_analysis import KeywordMatch
from vkc.db.models_collection import Comment
from vkc.db.models_webhooks import Webhook, WebhookEvent
from vkc.keywords import service as keywords
from vkc.keywords.schemas import KeywordCreate
from vkc.settings import Settings

from devtools.local_stack.aws import aws_client
from tests.support.factories import make_community

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-central-1"
QUEUES = [f"{w}-{p}" for w in ("parse", "analyze") for p in ("high", "normal", "low")]

# Runs inside the fresh interpreter: what the Lambda runtime does with one SQS batch.
LAMBDA_BOOT = """
import json, sys
sys.path[:0] = json.loads(sys.argv[1])
import app

class Context:
    function_name = "AnalyzeWorkerFunction"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:AnalyzeWorkerFunction"
    aws_request_id = "req-1"
    log_group_name = "/aws/lambda/AnalyzeWorkerFunction"
    log_stream_name = "local"
    def get_remaining_time_in_millis(self):
        return 300_000

result = app.lambda_handler(json.loads(sys.stdin.read()), Context())
print("RESULT " + json.dumps(result))
"""


def _sqs_event(queue_arn: str, body: dict[str, object]) -> dict[str, object]:
    now_ms = str(int(time.time() * 1000))
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "r-1",
                "body": json.dumps(body),
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": now_ms,
                    "SenderId": "local",
                    "ApproximateFirstReceiveTimestamp": now_ms,
                },
                "messageAttributes": {},
                "md5OfBody": "0",
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
        ]
    }


def _lambda_env(settings: Settings, moto_url: str, queue_urls: dict[str, str]) -> dict[str, str]:
    """Only what Lambda and the template give the function (no PYTHONPATH, no dev settings)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_LAMBDA_FUNCTION_NAME": "AnalyzeWorkerFunction",
        "POWERTOOLS_SERVICE_NAME": "vkc-analyze-worker",
        "POWERTOOLS_METRICS_NAMESPACE": "VkComments",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "STAGE": "test",
        "DB_HOST": settings.db_host,
        "DB_NAME": settings.db_name,
        "DB_IAM_AUTH": "0",
        "DB_SSL": "0",
        "REDIS_URL": settings.redis_url,
    }
    for name, url in queue_urls.items():
        env[f"QUEUE_URL_{name.replace('-', '_').upper()}"] = url
    return env


def test_a_fresh_analyze_worker_queues_webhook_alerts_for_new_matches(
    engine: Engine, settings: Settings, moto_url: str
) -> None:
    sqs = aws_client("sqs", moto_url, REGION)
    prefix = f"alone-{uuid.uuid4().hex[:6]}"
    queue_urls = {name: sqs.create_queue(QueueName=f"{prefix}-{name}")["QueueUrl"] for name in QUEUES}
    workspace_id, community_id = make_community(engine)
    with Session(engine, expire_on_commit=False) as s:
        keyword = keywords.create_keyword(s, workspace_id, KeywordCreate(text="доставка"), on_change=lambda *_: None)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        s.add(
            Webhook(
                workspace_id=workspace_id,
                url="https://hooks.example.com/vkc",
                secret_name=f"vkc/test/{uuid.uuid4()}",
                secret_hint="abcd",
            )
        )
        job = Job(
            id=uuid.uuid4(),
            workspace_id=workspace_id,
            type="collect",
            priority="high",
            status="succeeded",
            payload={"community_id": str(community_id)},
            community_id=community_id,
            attempts=1,
            correlation_id="corr-alone",
        )
        s.add(job)
        comment = Comment(
            workspace_id=workspace_id,
            community_id=community_id,
            owner_id=-1001,
            post_id=1,
            comment_id=7,
            text="Доставкой опять недовольны, третий день жду",
            content_hash="h-alone",
        )
        s.add(comment)
    message = {
        "job_id": str(job.id),
        "task": "analyze.comments",
        "task_id": f"{job.id}:root.a0",
        "params": {"comment_ids": [comment.id]},
    }
    arn = f"arn:aws:sqs:{REGION}:123456789012:{prefix}-analyze-high"
    sys_path = [
        str(ROOT / "functions" / "analyze_worker"),
        str(ROOT / "layers" / "vkc"),
        sysconfig.get_paths()["purelib"],
    ]

    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", LAMBDA_BOOT, json.dumps(sys_path)],
        input=json.dumps(_sqs_event(arn, message)),
        capture_output=True,
        text=True,
        env=_lambda_env(settings, moto_url, queue_urls),
        cwd="/",
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.rsplit("RESULT ", 1)[1])
    assert result == {"batchItemFailures": []}
    with Session(engine) as s:
        events = s.scalars(select(WebhookEvent).where(WebhookEvent.workspace_id == workspace_id)).all()
        matched = s.scalar(select(func.count()).select_from(KeywordMatch).where(KeywordMatch.comment_id == comment.id))
    assert matched == 1, "the worker must have stored the match"
    assert len(events) == 1, "the new match must become a webhook event"
    payload_keywords = {m["keyword"]["id"] for m in events[0].payload["data"]["matches"]}
    assert payload_keywords == {str(keyword.id)}
    received = sqs.receive_message(QueueUrl=queue_urls["analyze-high"], MaxNumberOfMessages=10)
    bodies = [json.loads(m["Body"]) for m in received.get("Messages", [])]
    assert [b["task"] for b in bodies] == ["webhooks.deliver"]
    assert bodies[0]["params"]["event_id"] == str(events[0].id)
