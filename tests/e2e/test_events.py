"""Every file in events/ is a valid event for its function: invoke each in its container process.

Same path as `make invoke FN=<LogicalId> EVENT=events/<file>.json` (a throwaway local stack:
moto, a fresh migrated database, Redis), without pollers so queued messages stay observable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.local_stack import LocalStack
from devtools.local_stack.oneshot import load_event
from devtools.local_stack.template import REPO_ROOT, SamTemplate

EVENTS = REPO_ROOT / "events"
FUNCTION_OF = {
    "api_get_health.json": "ApiFunction",
    "api_get_ready.json": "ApiFunction",
    "api_post_job.json": "ApiFunction",
    "api_post_job_invalid.json": "ApiFunction",
    "api_list_jobs.json": "ApiFunction",
    "sqs_parse_high_batch.json": "ParseWorkerFunction",
    "sqs_analyze_batch.json": "AnalyzeWorkerFunction",
    "schedule_tick.json": "SchedulerFunction",
    "migrate.json": "MigrateFunction",
}


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(pollers=False, auto_schedule=False, emulator=False) as s:
        yield s


def invoke(stack: LocalStack, name: str) -> Any:
    return stack.invoke(FUNCTION_OF[name], load_event(EVENTS / name, stack.api_key))


def test_every_event_file_is_mapped_and_every_function_has_one() -> None:
    files = {p.name for p in EVENTS.glob("*.json")} - {"env.json"}
    assert files == set(FUNCTION_OF)
    assert set(FUNCTION_OF.values()) == set(SamTemplate.load().function_ids)


def test_env_json_sets_only_template_variables() -> None:
    """`sam local invoke --env-vars` ignores names the template doesn't declare."""
    declared = set(SamTemplate.load().globals_function["Environment"]["Variables"])
    env = json.loads((EVENTS / "env.json").read_text())
    assert set(env["Parameters"]) <= declared


def test_health(stack: LocalStack) -> None:
    result = invoke(stack, "api_get_health.json")
    assert result["statusCode"] == 200
    assert json.loads(result["body"]) == {"status": "ok"}


def test_ready(stack: LocalStack) -> None:
    result = invoke(stack, "api_get_ready.json")
    assert result["statusCode"] == 200, result["body"]


def test_post_job_is_accepted_and_queued(stack: LocalStack) -> None:
    before = stack.queue_depths()["ParseHighQueue"]["visible"]
    result = invoke(stack, "api_post_job.json")
    assert result["statusCode"] == 202, result["body"]
    body = json.loads(result["body"])
    assert body["status"] == "queued"
    assert {k.lower(): v for k, v in result["headers"].items()}["location"] == f"/v1/jobs/{body['id']}"
    assert stack.queue_depths()["ParseHighQueue"]["visible"] == before + 1


def test_invalid_job_is_a_problem_document(stack: LocalStack) -> None:
    result = invoke(stack, "api_post_job_invalid.json")
    assert 400 <= result["statusCode"] < 500
    headers = {k.lower(): v for k, v in result["headers"].items()}
    assert headers["content-type"].startswith("application/problem+json")
    problem = json.loads(result["body"])
    assert problem["status"] == result["statusCode"]
    assert problem["title"]


def test_list_jobs(stack: LocalStack) -> None:
    result = invoke(stack, "api_list_jobs.json")
    assert result["statusCode"] == 200, result["body"]
    assert "items" in json.loads(result["body"])


@pytest.mark.parametrize("name", ["sqs_parse_high_batch.json", "sqs_analyze_batch.json"])
def test_sqs_batches_report_partial_failures(stack: LocalStack, name: str) -> None:
    event = json.loads((EVENTS / name).read_text())
    result = invoke(stack, name)
    assert isinstance(result, dict)
    failures = result["batchItemFailures"]
    assert all(set(f) == {"itemIdentifier"} for f in failures)
    ids = [r["messageId"] for r in event["Records"]]
    # the first record names an unknown job (skipped = done), the second is malformed (fails alone)
    assert [f["itemIdentifier"] for f in failures] == ids[1:]


def test_schedule_tick(stack: LocalStack) -> None:
    result = invoke(stack, "schedule_tick.json")
    assert isinstance(result, dict)
    assert "error" not in result


def test_migrate(stack: LocalStack) -> None:
    result = invoke(stack, "migrate.json")
    assert result["status"] == "ok"
    assert result["revision"]


def test_event_files_are_http_api_v2(stack: LocalStack) -> None:
    for name, fid in FUNCTION_OF.items():
        if fid != "ApiFunction":
            continue
        event = json.loads((EVENTS / name).read_text())
        assert event["version"] == "2.0"
        assert event["requestContext"]["stage"] == "$default"
        assert event["routeKey"] == event["requestContext"]["routeKey"]
        assert all(k == k.lower() for k in event["headers"])
        assert Path(event["rawPath"]).is_absolute()
