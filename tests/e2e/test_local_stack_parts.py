"""The local stack's pieces without services: event shapes, response mapping, weights, env resolution."""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from devtools.local_stack.env import LocalResources, UnresolvableValue, ValueResolver, function_environment
from devtools.local_stack.http_adapter import Route, build_event, map_response, match_route, routes_from_template
from devtools.local_stack.scheduler import schedule_event
from devtools.local_stack.sqs_poller import QueueBinding, SqsPoller, failed_ids
from devtools.local_stack.template import SamTemplate, merge_globals


@pytest.fixture(scope="module")
def tpl() -> SamTemplate:
    return SamTemplate.load()


def resources(tpl: SamTemplate) -> LocalResources:
    queues = tpl.queues()
    return LocalResources(
        run_id="u1",
        region="eu-central-1",
        moto_url="http://127.0.0.1:1",
        db_name="vkc_t_u1",
        queue_urls={q: f"http://127.0.0.1:1/123456789012/u1-{q}" for q in queues},
        queue_arns={q: f"arn:aws:sqs:eu-central-1:123456789012:u1-{q}" for q in queues},
        buckets={"ExportsBucket": "u1-exportsbucket"},
        redis_url="redis://127.0.0.1:6379/3",
        vk_api_url=None,
        api_url="http://127.0.0.1:2",
    )


def test_routes_follow_api_gateway_precedence(tpl: SamTemplate) -> None:
    routes = routes_from_template(tpl)
    route, params = match_route(routes, "GET", "/v1/jobs/abc%20d") or (None, {})
    assert route is not None
    assert route.route_key == "ANY /v1/{proxy+}"
    assert params == {"proxy": "jobs/abc d"}
    assert match_route(routes, "POST", "/swagger") is None  # only GET /swagger is routed
    assert match_route(routes, "GET", "/health") is None  # {proxy+} needs at least one segment
    exact = [Route.of("GET", "/v1/jobs"), Route.of("ANY", "/v1/{proxy+}")]
    assert match_route(sorted(exact, key=Route.specificity), "GET", "/v1/jobs")[0].path == "/v1/jobs"  # type: ignore[index]


def test_event_shape_is_http_api_v2() -> None:
    route = Route.of("ANY", "/v1/{proxy+}")
    event = build_event(
        method="post",
        raw_path="/v1/jobs",
        raw_query="a=1&a=2&b=&c=x%20y",
        headers=[("Content-Type", "application/json"), ("X-Multi", "1"), ("x-multi", "2"), ("Cookie", "s=1; t=2")],
        body=b'{"k": 1}',
        route=route,
        path_parameters={"proxy": "jobs"},
        source_ip="10.0.0.9",
    )
    assert event["version"] == "2.0"
    assert event["routeKey"] == "ANY /v1/{proxy+}"
    assert event["rawQueryString"] == "a=1&a=2&b=&c=x%20y"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "", "c": "x y"}
    assert event["headers"]["x-multi"] == "1,2"
    assert "cookie" not in event["headers"]
    assert event["cookies"] == ["s=1", "t=2"]
    assert event["body"] == '{"k": 1}'
    assert event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    assert ctx["http"]["method"] == "POST"
    assert ctx["http"]["sourceIp"] == "10.0.0.9"
    assert ctx["stage"] == "$default"
    assert ctx["requestId"]
    assert isinstance(ctx["timeEpoch"], int)


def test_binary_body_is_base64() -> None:
    event = build_event(
        method="PUT",
        raw_path="/v1/x",
        raw_query="",
        headers=[("content-type", "application/octet-stream")],
        body=b"\x00\xff",
        route=Route.of("ANY", "/v1/{proxy+}"),
        path_parameters={},
        source_ip="127.0.0.1",
    )
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\xff"
    assert "queryStringParameters" not in event


def test_response_mapping() -> None:
    r = map_response({"statusCode": 201, "headers": {"X-A": "1"}, "cookies": ["a=1", "b=2"], "body": "hi"})
    assert (r.status, r.body) == (201, b"hi")
    assert ("set-cookie", "a=1") in r.headers
    assert ("set-cookie", "b=2") in r.headers
    r = map_response({"statusCode": 200, "body": base64.b64encode(b"\x01").decode(), "isBase64Encoded": True})
    assert r.body == b"\x01"
    r = map_response({"statusCode": 200, "multiValueHeaders": {"X-M": ["1", "2"]}, "body": ""})
    assert [v for k, v in r.headers if k == "X-M"] == ["1", "2"]
    r = map_response({"plain": "dict"})  # payload 2.0: a non-proxy result becomes a JSON 200
    assert (r.status, json.loads(r.body)) == (200, {"plain": "dict"})


def test_batch_item_failure_semantics() -> None:
    records = [{"messageId": "a"}, {"messageId": "b"}]
    assert failed_ids(None, records) == set()
    assert failed_ids({"batchItemFailures": []}, records) == set()
    assert failed_ids({"batchItemFailures": [{"itemIdentifier": "b"}]}, records) == {"b"}
    assert failed_ids({"batchItemFailures": [{"itemIdentifier": ""}]}, records) == {"a", "b"}
    assert failed_ids({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, records) == {"a", "b"}


def test_queues_are_picked_by_maximum_concurrency_weights() -> None:
    bindings = [
        QueueBinding("High", "u", "a", 10, 20),
        QueueBinding("Normal", "u", "a", 10, 10),
        QueueBinding("Low", "u", "a", 10, 4),
    ]

    def worker(event: dict[str, Any]) -> None:
        return None

    poller = SqsPoller("F", sqs=None, bindings=bindings, containers=[worker], region="r")  # type: ignore[arg-type]
    firsts = Counter(poller._pick_order()[0].name for _ in range(34 * 10))
    assert firsts == {"High": 200, "Normal": 100, "Low": 40}
    order = [b.name for b in poller._pick_order()]
    assert sorted(order) == ["High", "Low", "Normal"]  # the others follow as fallbacks


def test_environment_resolution(tpl: SamTemplate) -> None:
    res = resources(tpl)
    env = function_environment(tpl, "ParseWorkerFunction", res)
    assert env["QUEUE_URL_ANALYZE_LOW"].endswith("/u1-AnalyzeLowQueue")
    assert env["EXPORTS_BUCKET"] == "u1-exportsbucket"
    assert env["VK_TOKENS_SECRET_PREFIX"] == "vkc/u1/"
    assert "VK_API_URL" not in env  # no emulator and none in the developer's environment
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    resolver = ValueResolver(tpl, res)
    assert resolver.resolve({"Fn::Sub": "${AWS::Region}/${Stage}"}) == "eu-central-1/local"
    assert resolver.resolve({"Fn::GetAtt": ["ParseHighQueue", "QueueName"]}) == "u1-ParseHighQueue"
    with pytest.raises(UnresolvableValue):
        resolver.resolve({"Fn::GetAtt": ["DbProxy", "Endpoint"]})


def test_globals_merge_like_sam() -> None:
    merged = merge_globals(
        {"Timeout": 30, "Layers": ["L1"], "Environment": {"Variables": {"A": "1", "B": "1"}}},
        {"Timeout": 90, "Layers": ["L2"], "Environment": {"Variables": {"B": "2"}}},
    )
    assert merged == {"Timeout": 90, "Layers": ["L1", "L2"], "Environment": {"Variables": {"A": "1", "B": "2"}}}


def test_schedule_v2_event_fills_context_attributes(tpl: SamTemplate) -> None:
    (spec,) = tpl.schedules()
    event = schedule_event(spec, region="eu-central-1", when=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert event["scheduled_time"] == "2026-01-02T03:04:05Z"
    assert "<aws.scheduler" not in json.dumps(event)
    assert spec.interval_seconds == 60
