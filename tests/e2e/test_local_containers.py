"""Local execution environments behave like Lambda's: own process, own sys.path, one invocation at a
time, function errors and timeouts, scaling up to a cap, and no process outliving the stack.

A scratch function (written to a temporary CodeUri) lets each test look at the container from inside.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from devtools.local_stack.container import (
    ContainerImage,
    ContainerProcess,
    FunctionError,
    FunctionTimeout,
    dependency_paths,
    reserved_environment,
)
from devtools.local_stack.function_pool import FunctionPool
from devtools.local_stack.template import REPO_ROOT, FunctionSpec

LAYER = REPO_ROOT / "layers" / "vkc"

SCRATCH = """
import importlib.util, json, os, sys, time
from pathlib import Path

CALLS = []  # module state: lives as long as this container
MODULES = ("devtools", "tests", "vkc", "pydantic")


def handler(event, context):
    CALLS.append(event.get("action"))
    action = event.get("action")
    if action == "look":
        return {
            "pid": os.getpid(),
            "sys_path": sys.path,
            "cwd": os.getcwd(),
            "importable": {m: importlib.util.find_spec(m) is not None for m in MODULES},
            "env": {k: os.environ.get(k) for k in ("AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                                                    "LAMBDA_TASK_ROOT", "AWS_REGION", "SCRATCH_SETTING")},
            "calls": list(CALLS),
            "remaining_ms": context.get_remaining_time_in_millis(),
        }
    if action == "raise":
        raise ValueError("the handler refused")
    if action == "sleep":
        time.sleep(event["seconds"])
        return {"pid": os.getpid()}
    if action == "gather":  # wait until `n` invocations are in progress at once, each in its own process
        Path(event["dir"], str(os.getpid())).touch()
        deadline = time.monotonic() + 20
        while len(os.listdir(event["dir"])) < event["n"] and time.monotonic() < deadline:
            time.sleep(0.02)
        return {"pid": os.getpid(), "seen": len(os.listdir(event["dir"]))}
    if action == "exit":
        os._exit(3)
    if "Records" in event:  # an SQS batch: one bad record makes the handler raise
        if any(r["body"] == "bad" for r in event["Records"]):
            raise RuntimeError("a record it cannot handle")
        return {"batchItemFailures": []}
    return None
"""


def scratch_image(tmp_path: Path, *, timeout: int = 10, env: dict[str, str] | None = None) -> ContainerImage:
    code = tmp_path / "scratch_fn"
    code.mkdir(exist_ok=True)
    (code / "app.py").write_text(textwrap.dedent(SCRATCH))
    spec = FunctionSpec(
        logical_id="ScratchFunction",
        code_uri=code,
        handler="app.handler",
        runtime="python3.13",
        architectures=("arm64",),
        timeout=timeout,
        memory_size=256,
        environment={},
        reserved_concurrency=None,
        properties={},
    )
    environment = {**reserved_environment(spec, "eu-central-1", "t"), **(env or {})}
    return ContainerImage(
        function=spec,
        task_paths=(str(code), str(LAYER)),
        dependency_paths=dependency_paths(),
        environment=environment,
        log_file=tmp_path / "scratch.log",
    )


def test_a_container_is_its_own_process_with_only_the_function_layer_and_dependencies(tmp_path: Path) -> None:
    container = ContainerProcess(scratch_image(tmp_path, env={"SCRATCH_SETTING": "on"}), "eu-central-1", 0)
    try:
        seen: dict[str, Any] = container.invoke({"action": "look"})
        again: dict[str, Any] = container.invoke({"action": "look"})
    finally:
        container.stop()
    assert seen["pid"] != os.getpid()
    assert again["pid"] == seen["pid"]  # warm: the same process serves the next invocation
    assert again["calls"] == ["look", "look"]  # … with its module state
    code = str(tmp_path / "scratch_fn")
    assert seen["sys_path"][:2] == [code, str(LAYER)]
    assert str(REPO_ROOT) not in seen["sys_path"]
    assert seen["importable"] == {"devtools": False, "tests": False, "vkc": True, "pydantic": True}
    assert seen["cwd"] == code
    assert seen["env"] == {
        "AWS_LAMBDA_FUNCTION_NAME": "t-ScratchFunction",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "LAMBDA_TASK_ROOT": code,
        "AWS_REGION": "eu-central-1",
        "SCRATCH_SETTING": "on",
    }
    assert 0 < seen["remaining_ms"] <= 10_000
    log = (tmp_path / "scratch.log").read_text()
    assert "START RequestId:" in log
    assert "REPORT RequestId:" in log


def test_a_handler_exception_is_a_function_error_and_the_container_stays_warm(tmp_path: Path) -> None:
    container = ContainerProcess(scratch_image(tmp_path), "eu-central-1", 0)
    try:
        first = container.invoke({"action": "look"})["pid"]
        with pytest.raises(FunctionError) as raised:
            container.invoke({"action": "raise"})
        assert raised.value.error["errorType"] == "ValueError"
        assert raised.value.error["errorMessage"] == "the handler refused"
        assert any("the handler refused" in line for line in raised.value.error["stackTrace"])
        assert container.invoke({"action": "look"})["pid"] == first
    finally:
        container.stop()
    assert "ValueError: the handler refused" in (tmp_path / "scratch.log").read_text()


def test_an_invocation_past_the_timeout_kills_the_container_and_the_next_one_cold_starts(tmp_path: Path) -> None:
    container = ContainerProcess(scratch_image(tmp_path, timeout=1), "eu-central-1", 0)
    try:
        first = container.invoke({"action": "look"})["pid"]
        with pytest.raises(FunctionTimeout):
            container.invoke({"action": "sleep", "seconds": 30})
        assert not _alive(first)
        after: dict[str, Any] = container.invoke({"action": "look"})
        assert after["pid"] != first
        assert after["calls"] == ["look"]  # a new process: fresh module state
    finally:
        container.stop()


def test_a_runtime_that_exits_fails_its_invocation_and_the_next_one_cold_starts(tmp_path: Path) -> None:
    container = ContainerProcess(scratch_image(tmp_path), "eu-central-1", 0)
    try:
        with pytest.raises(FunctionError, match="exit code 3"):
            container.invoke({"action": "exit"})
        assert container.invoke({"action": "look"})["calls"] == ["look"]
    finally:
        container.stop()


def test_the_pool_runs_concurrent_invocations_in_separate_processes_up_to_its_cap(tmp_path: Path) -> None:
    pool = FunctionPool(scratch_image(tmp_path), "eu-central-1", cap=3)
    gather = tmp_path / "gather"
    gather.mkdir()
    results: list[dict[str, Any]] = []
    event = {"action": "gather", "dir": str(gather), "n": 3}
    try:
        threads = [threading.Thread(target=lambda: results.append(pool.invoke(event))) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len({r["pid"] for r in results}) == 3
        assert all(r["seen"] == 3 for r in results)  # all three were in progress at the same time
        assert sorted(pool.pids()) == sorted(r["pid"] for r in results)
        # a fourth concurrent invocation waits for a free container instead of starting a fourth
        more = [pool.invoke({"action": "look"})["pid"] for _ in range(4)]
        assert set(more) <= set(pool.pids())
        assert len(pool.pids()) == 3
    finally:
        pool.close()
    assert pool.pids() == []
    assert not any(_alive(r["pid"]) for r in results)


def test_restart_retires_the_containers_and_applies_the_new_environment(tmp_path: Path) -> None:
    pool = FunctionPool(scratch_image(tmp_path), "eu-central-1", cap=2)
    try:
        before = pool.invoke({"action": "look"})
        pool.restart(scratch_image(tmp_path, env={"SCRATCH_SETTING": "changed"}))
        after = pool.invoke({"action": "look"})
    finally:
        pool.close()
    assert after["pid"] != before["pid"]
    assert not _alive(before["pid"])
    assert after["env"]["SCRATCH_SETTING"] == "changed"


def test_a_container_does_not_outlive_its_parent(tmp_path: Path) -> None:
    """The stack process killed with SIGKILL (no cleanup): its containers leave by themselves."""
    image = scratch_image(tmp_path)
    script = textwrap.dedent(
        f"""
        import json, sys, time
        from pathlib import Path
        from devtools.local_stack.container import ContainerImage, ContainerProcess, dependency_paths
        from devtools.local_stack.template import FunctionSpec
        spec = FunctionSpec(**json.loads({json.dumps(_spec_kwargs(image))!r}))
        image = ContainerImage(spec, {image.task_paths!r}, dependency_paths(), {image.environment!r}, None)
        c = ContainerProcess(image, "eu-central-1", 0)
        print(c.invoke({{"action": "look"}})["pid"], flush=True)
        time.sleep(60)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert _alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child)
    finally:
        if parent.poll() is None:
            parent.kill()


def _spec_kwargs(image: ContainerImage) -> dict[str, Any]:
    f = image.function
    return {
        "logical_id": f.logical_id,
        "code_uri": str(f.code_uri),
        "handler": f.handler,
        "runtime": f.runtime,
        "architectures": list(f.architectures),
        "timeout": f.timeout,
        "memory_size": f.memory_size,
        "environment": {},
        "reserved_concurrency": None,
        "properties": {},
    }


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by its parent) is gone as far as work goes
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_an_sqs_batch_whose_handler_raised_stays_on_the_queue_whole(tmp_path: Path) -> None:
    from devtools.local_stack.aws import MotoServer, aws_client
    from devtools.local_stack.sqs_poller import QueueBinding, SqsPoller

    server = MotoServer()
    sqs = aws_client("sqs", server.start(), "eu-central-1")
    pool = FunctionPool(scratch_image(tmp_path), "eu-central-1", cap=1)
    try:
        url = sqs.create_queue(QueueName="scratch", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        poller = SqsPoller("Scratch", sqs, [QueueBinding("Scratch", url, arn, 10, 1)], [pool.invoke], "eu-central-1")
        entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(("ok-1", "bad", "ok-2"))]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)  # type: ignore[arg-type]
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
        assert len(messages) == 3
        assert poller.run_batch(poller.bindings[0], messages, pool.invoke) is None
        assert poller.stats["errors"] == 1
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
        assert attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "3"  # none deleted
        good = [m for m in messages if m["Body"] != "bad"]
        assert poller.run_batch(poller.bindings[0], good, pool.invoke) == {"batchItemFailures": []}
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
        assert attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "1"  # the good ones deleted
    finally:
        pool.close()
        server.stop()
