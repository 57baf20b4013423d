"""The metrics hook (aggregation, EMF shape, dimension guard) and log context across thread pools."""

from __future__ import annotations

import io
import json
import logging

import pytest
from aws_lambda_powertools import Logger, Metrics
from vkc import observability
from vkc.adapters.emf import EmfMetricsHook
from vkc.adapters.log_context import log_context
from vkc.observability import ContextThreadPool


@pytest.fixture
def hook() -> EmfMetricsHook:
    h = EmfMetricsHook()
    observability.use_metrics_hook(h)
    yield h
    observability.use_metrics_hook(None)


def test_counts_aggregate_per_name_and_dimensions(hook: EmfMetricsHook) -> None:
    observability.count("VkRequests", method="wall.get", outcome="ok")
    observability.count("VkRequests", 2, method="wall.get", outcome="ok")
    observability.count("VkRequests", method="execute", outcome="retry")
    observability.count("DeadLetters", 0, action="listed")
    drained = {(n, tuple(sorted(d.items()))): v for n, d, v in hook.drain()}
    assert drained == {
        ("VkRequests", (("method", "wall.get"), ("outcome", "ok"))): 3,
        ("VkRequests", (("method", "execute"), ("outcome", "retry"))): 1,
        ("DeadLetters", (("action", "listed"),)): 0,
    }
    assert hook.drain() == []


def test_dimension_values_that_are_not_short_names_are_replaced(hook: EmfMetricsHook) -> None:
    observability.count("Jobs", job_type="collect; drop table", outcome="x" * 200)
    [(_, dims, _)] = hook.drain()
    assert dims == {"job_type": "other", "outcome": "other"}


def test_flush_writes_one_emf_line_per_metric_and_dimensions(
    hook: EmfMetricsHook, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    observability.count("Jobs", job_type="collect", outcome="succeeded")
    hook.flush(Metrics(namespace="Test", service="vkc"))
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    assert line["Jobs"] == [1.0]
    assert line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["service", "job_type", "outcome"]]


def test_a_failing_hook_never_breaks_the_work() -> None:
    class Broken:
        def count(self, name: str, value: float, dimensions: dict[str, str]) -> None:
            raise RuntimeError("boom")

    observability.use_metrics_hook(Broken())
    try:
        observability.count("Jobs", job_type="collect", outcome="failed")
    finally:
        observability.use_metrics_hook(None)


def test_log_keys_reach_pool_threads_and_do_not_leak_out() -> None:
    stream = io.StringIO()
    logger = Logger(service="vkc-test-ctx", logger_handler=logging.StreamHandler(stream))
    child = logging.getLogger("vkc-test-ctx.child")

    with ContextThreadPool(max_workers=2) as pool:
        with log_context(logger, correlation_id="req-1", job_id="job-1"):
            pool.submit(child.info, "inside").result()
        pool.submit(child.info, "after").result()
    lines = {(d := json.loads(x))["message"]: d for x in stream.getvalue().splitlines()}
    assert lines["inside"]["correlation_id"] == "req-1"
    assert lines["inside"]["job_id"] == "job-1"
    assert "correlation_id" not in lines["after"]


def test_nested_log_context_restores_the_outer_keys() -> None:
    stream = io.StringIO()
    logger = Logger(service="vkc-test-nest", logger_handler=logging.StreamHandler(stream))
    with log_context(logger, correlation_id="outer"):
        with log_context(logger, correlation_id="inner", job_id="j"):
            logger.info("in")
        logger.info("out")
    lines = {(d := json.loads(x))["message"]: d for x in stream.getvalue().splitlines()}
    assert lines["in"]["correlation_id"] == "inner"
    assert lines["out"]["correlation_id"] == "outer"
    assert "job_id" not in lines["out"]
