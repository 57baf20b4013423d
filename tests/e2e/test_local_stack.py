"""The local stack end to end: resources from template.yaml, HTTP like API Gateway, workers via SQS."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.local_stack import LocalStack
from devtools.local_stack.sqs_poller import QueueBinding, SqsPoller
from devtools.local_stack.template import SamTemplate


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(run_id=f"t{int(time.time() * 1000) % 10**8}", auto_schedule=False, emulator=True) as s:
        yield s


def http(
    stack: LocalStack, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    hdrs = {"X-Api-Key": stack.api_key, **({"Content-Type": "application/json"} if data else {}), **(headers or {})}
    url = f"{stack.api_url}{path}"
    request = urllib.request.Request(url, data=data, method=method, headers=hdrs)  # noqa: S310 - local http
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def test_environment_comes_from_the_template_with_local_values(stack: LocalStack) -> None:
    tpl = SamTemplate.load()
    for name in tpl.globals_function["Environment"]["Variables"]:
        assert name in stack.env, name
    env = stack.env
    assert env["STAGE"] == "local"
    assert env["DB_HOST"] == "127.0.0.1"
    assert env["DB_IAM_AUTH"] == "0"
    assert env["DB_SSL"] == "0"
    assert env["DB_NAME"] == stack.db_name
    assert env["REDIS_URL"].startswith("redis://127.0.0.1:6379/")
    assert env["AWS_ENDPOINT_URL"] == stack.moto_url
    assert env["QUEUE_URL_PARSE_HIGH"] == stack.resources.queue_urls["ParseHighQueue"]
    assert env["EXPORTS_BUCKET"] == stack.resources.buckets["ExportsBucket"]
    assert env["POWERTOOLS_LOG_LEVEL"] == "DEBUG"  # !If [IsProd, …] evaluated with Stage=local
    assert env["CORS_ORIGINS"] == stack.api_url
    assert stack.settings.db_name == stack.db_name
    assert stack.emulator.url, stack.emulator.message  # devtools.vk_emulator is wired in
    assert env["VK_API_URL"] == stack.vk_api_url
    assert env["VK_API_URL"].endswith("/method")
    assert stack.vk_tokens


def test_queues_mirror_the_template(stack: LocalStack) -> None:
    tpl = SamTemplate.load()
    for logical_id, spec in tpl.queues().items():
        url = stack.resources.queue_urls[logical_id]
        assert stack.run_id in url
        attrs = stack.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert int(attrs["VisibilityTimeout"]) == spec.visibility_timeout
        if spec.dlq_logical_id:
            redrive = json.loads(attrs["RedrivePolicy"])
            assert redrive["deadLetterTargetArn"] == stack.resources.queue_arns[spec.dlq_logical_id]
            assert int(redrive["maxReceiveCount"]) == spec.max_receive_count
    bucket = stack.resources.buckets["ExportsBucket"]
    rules = stack.s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rules[0]["Expiration"]["Days"] == 7


def test_http_health_and_gateway_404(stack: LocalStack) -> None:
    status, _, body = http(stack, "GET", "/health/live")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    # GET/HEAD outside the API's paths are the dashboard's files (a missing one is the site's 404)
    status, _, body = http(stack, "POST", "/not-routed")
    assert (status, json.loads(body)) == (404, {"message": "Not Found"})
    status, _, body = http(stack, "GET", "/not-a-file")
    assert (status, body) == (404, b"Not Found")


def test_cors_preflight_and_simple_request(stack: LocalStack) -> None:
    origin = stack.api_url
    status, headers, _ = http(
        stack, "OPTIONS", "/v1/jobs", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
    )
    assert status == 204
    assert headers["access-control-allow-origin"] == origin
    assert "POST" in headers["access-control-allow-methods"]
    status, headers, _ = http(stack, "GET", "/health/live", headers={"Origin": "https://evil.example"})
    assert status == 200
    assert "access-control-allow-origin" not in headers


def test_job_flows_from_api_through_sqs_to_the_worker(stack: LocalStack) -> None:
    status, headers, body = http(
        stack, "POST", "/v1/jobs", {"type": "probe", "priority": "normal", "payload": {"checks": ["database"]}}
    )
    assert status == 202, body
    job = json.loads(body)
    stack.drain(timeout=60)
    status, _, body = http(stack, "GET", headers["location"])
    assert status == 200
    done = json.loads(body)
    assert done["status"] == "succeeded", done
    assert done["attempts"] == 1
    assert done["id"] == job["id"]


def test_unauthenticated_request_is_a_problem(stack: LocalStack) -> None:
    status, headers, body = http(stack, "GET", "/v1/jobs", headers={"X-Api-Key": "wrong"})
    assert status == 401
    assert headers["content-type"].startswith("application/problem+json")
    assert json.loads(body)["status"] == 401


def test_scheduler_tick_on_demand(stack: LocalStack) -> None:
    result = stack.tick_scheduler()
    assert isinstance(result, dict)


def test_poller_deletes_successes_keeps_failures_and_moto_dead_letters(stack: LocalStack) -> None:
    """Against a scratch queue pair with a 1 s visibility timeout, so redelivery is observable."""
    sqs = stack.sqs
    dlq = sqs.create_queue(QueueName=f"{stack.run_id}-scratch-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    url = sqs.create_queue(
        QueueName=f"{stack.run_id}-scratch", Attributes={"VisibilityTimeout": "1", "RedrivePolicy": redrive}
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    try:
        for body in ("ok-1", "bad", "ok-2"):
            sqs.send_message(
                QueueUrl=url,
                MessageBody=body,
                MessageAttributes={"job_type": {"DataType": "String", "StringValue": "probe"}},
            )
        seen: list[dict[str, Any]] = []

        def worker(event: dict[str, Any]) -> dict[str, Any]:
            seen.extend(event["Records"])
            bad = [r["messageId"] for r in event["Records"] if r["body"] == "bad"]
            return {"batchItemFailures": [{"itemIdentifier": i} for i in bad]}

        binding = QueueBinding("Scratch", url, arn, batch_size=10, max_concurrency=2)
        poller = SqsPoller("Scratch", sqs, [binding], [worker], stack.region)
        poller.start()
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                dead = int(sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["All"])["Attributes"][
                    "ApproximateNumberOfMessages"])  # fmt: skip
                if dead:
                    break
                time.sleep(0.2)
        finally:
            poller.stop()
        assert dead == 1
        record = seen[0]
        assert record["eventSource"] == "aws:sqs"
        assert record["eventSourceARN"] == arn
        assert record["awsRegion"] == stack.region
        assert record["attributes"]["ApproximateReceiveCount"] == "1"
        assert record["messageAttributes"]["job_type"] == {
            "stringValue": "probe",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        }
        bodies = [r["body"] for r in seen]
        assert bodies.count("ok-1") == 1
        assert bodies.count("ok-2") == 1
        assert bodies.count("bad") == 2  # delivered maxReceiveCount times, then dead-lettered
        moved = sqs.receive_message(QueueUrl=dlq)["Messages"]
        assert moved[0]["Body"] == "bad"
    finally:
        sqs.delete_queue(QueueUrl=url)
        sqs.delete_queue(QueueUrl=dlq)


def test_drain_times_out_with_depths_when_nothing_consumes() -> None:
    with LocalStack(pollers=False, auto_schedule=False, emulator=False) as s:
        s.sqs.send_message(QueueUrl=s.resources.queue_urls["ParseLowQueue"], MessageBody="{}")
        with pytest.raises(TimeoutError, match="ParseLowQueue"):
            s.drain(timeout=0.5)
        assert s.queue_depths()["ParseLowQueue"]["visible"] == 1
    # the run's database is gone after exit
    import pg8000.native

    conn = pg8000.native.Connection(user="postgres", host="127.0.0.1", database="postgres")
    try:
        assert not conn.run("SELECT 1 FROM pg_database WHERE datname = :n", n=s.db_name)
    finally:
        conn.close()


def test_every_function_runs_in_its_own_processes_listed_in_the_state(stack: LocalStack) -> None:
    stack.tick_scheduler()
    functions = stack.state()["functions"]
    assert set(functions) == set(SamTemplate.load().function_ids)
    assert functions["ApiFunction"]["concurrency"] >= 4
    assert functions["SchedulerFunction"]["concurrency"] == 1
    api, scheduler = functions["ApiFunction"]["pids"], functions["SchedulerFunction"]["pids"]
    assert api  # one API container starts with the stack
    assert scheduler
    assert os.getpid() not in api + scheduler
    assert not set(api) & set(scheduler)
    assert "ApiFunction.log" in functions["ApiFunction"]["log"]


def test_stopping_a_stack_ends_its_containers() -> None:
    with LocalStack(pollers=False, auto_schedule=False, emulator=False) as s:
        s.invoke("SchedulerFunction", {})
        pids = [pid for pids in s.function_pids().values() for pid in pids]
        assert len(pids) >= 2
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists()]
