"""Workers that consume a `DurableQueue` the way the worker Lambdas consume SQS, in threads or a process.

Each received message goes through `vkc.jobs.runner.run_task` (what the parse and analyze doors call
per SQS record) with a fresh Lambda-like clock of `task_seconds` + the harvest reserve; a handled
message is acknowledged, a failed one is left to reappear after the visibility timeout (the
partial-batch-failure path), so a crash or a SIGKILL loses nothing.

As a process (the fault suite SIGKILLs it):

    python -m devtools.worker_process --queue-redis redis://127.0.0.1:6379/0 --prefix vkc:faults:x \\
        --emulator-url http://127.0.0.1:PORT/method --token TOKEN --vk-prefix vkc:faults:x:vk

Database and Redis come from the environment (`DB_NAME`, `DB_PORT`, `REDIS_URL`, …) as in a Lambda.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import threading
import time
import uuid
from collections.abc import Callable

import redis
from vkc.adapters.redis_client import get_redis
from vkc.collection.harvest_task import RESERVE_S
from vkc.jobs.context import WorkerDeps
from vkc.jobs.runner import run_task
from vkc.settings import Settings, get_settings
from vkc.vk.breaker import CircuitBreaker
from vkc.vk.client import VkClient
from vkc.vk.pool import COOLDOWN_S, TokenPool
from vkc.vk.tokens import TokenType, VkToken
from vkc.vk.transport import VkTransport
from vkc.wiring.worker import build_worker_deps

from devtools.durable_queue import DurableQueue

log = logging.getLogger("devtools.worker_process")


@dataclasses.dataclass(frozen=True, slots=True)
class WorkerConfig:
    emulator_url: str
    tokens: tuple[str, ...]
    vk_prefix: str
    task_seconds: float = 1.5  # how long a harvest task fetches before it checkpoints and fans out
    vk_timeout_s: float = 3.0
    # < 1 compresses the VK client's waits (token cooldowns after errors 9/14, breaker cooldowns) the
    # way a short visibility timeout compresses SQS's retry spacing, so a test sees hours in seconds
    time_scale: float = 1.0


def build_deps(settings: Settings, queue: DurableQueue, config: WorkerConfig) -> WorkerDeps:
    vk_settings = settings.model_copy(update={"vk_api_url": config.emulator_url})

    def client(workspace_id: uuid.UUID) -> VkClient:
        tokens = [VkToken(t, TokenType.USER) for t in config.tokens]
        redis_client = get_redis(settings)
        if config.time_scale == 1.0:
            return VkClient.create(
                tokens, redis_client, settings=vk_settings, prefix=config.vk_prefix, timeout_s=config.vk_timeout_s
            )
        k = config.time_scale
        breaker = CircuitBreaker(
            redis_client, prefix=config.vk_prefix, cooldown_s=30 * k, max_cooldown_s=1800 * k, probe_timeout_s=30 * k
        )
        pool = TokenPool(
            tokens,
            redis_client,
            prefix=config.vk_prefix,
            breaker=breaker,
            cooldowns={code: s * k for code, s in COOLDOWN_S.items()},
        )
        transport = VkTransport(
            vk_settings.vk_api_url, version=vk_settings.vk_api_version, timeout_s=config.vk_timeout_s
        )
        return VkClient(pool, transport)

    # the runner's "last delivery" must be the queue's: QUEUE_MAX_RECEIVE_COUNT equals maxReceiveCount
    # in the template, and here it equals the durable queue's max_receive
    settings = settings.model_copy(update={"queue_max_receive_count": queue.max_receive})
    return build_worker_deps(
        settings,
        queue=queue,
        vk_client=client,
        remaining_ms=lambda: int((config.task_seconds + RESERVE_S) * 1000),
    )


def _clock(budget_s: float) -> Callable[[], int]:
    """`context.get_remaining_time_in_millis` of an invocation that starts now."""
    end = time.monotonic() + budget_s

    def remaining() -> int:
        return max(0, int((end - time.monotonic()) * 1000))

    return remaining


def handle_one(queue: DurableQueue, deps: WorkerDeps, config: WorkerConfig) -> bool:
    """Receive and run one message; False when none is visible. Failures leave the message queued."""
    got = queue.receive()
    if got is None:
        return False
    task_deps = dataclasses.replace(deps, remaining_ms=_clock(config.task_seconds + RESERVE_S))
    try:
        run_task(got.message, task_deps, receive_count=got.receive_count)
    except Exception as exc:  # the door reports a batch item failure: SQS redelivers after visibility
        log.warning("task %s failed (receive %d): %s: %s", got.message.task, got.receive_count, type(exc).__name__, exc)
        return True
    queue.ack(got.id)
    return True


def work(queue: DurableQueue, deps: WorkerDeps, config: WorkerConfig, stop: threading.Event) -> None:
    """Consume until `stop` is set; a Redis hiccup on the queue itself is waited out like SQS's."""
    while not stop.is_set():
        try:
            busy = handle_one(queue, deps, config)
        except redis.RedisError as exc:
            log.warning("queue unavailable: %s", exc)
            busy = False
        if not busy:
            stop.wait(0.05)


class ThreadWorkers:
    """`threads` consumers in this process (like concurrent Lambda containers); a context manager."""

    def __init__(self, queue: DurableQueue, deps: WorkerDeps, config: WorkerConfig, threads: int = 2) -> None:
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=work, args=(queue, deps, config, self._stop), name=f"worker-{n}", daemon=True)
            for n in range(threads)
        ]

    def __enter__(self) -> ThreadWorkers:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queue-redis", required=True, help="Redis URL holding the queue")
    parser.add_argument("--prefix", required=True, help="the queue's key prefix")
    parser.add_argument("--visibility", type=float, default=2.0)
    parser.add_argument("--max-receive", type=int, default=5)
    parser.add_argument("--emulator-url", required=True)
    parser.add_argument("--token", action="append", required=True)
    parser.add_argument("--vk-prefix", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--task-seconds", type=float, default=1.5)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s worker %(levelname)s %(message)s")
    queue = DurableQueue(
        redis.Redis.from_url(args.queue_redis), args.prefix, visibility_s=args.visibility, max_receive=args.max_receive
    )
    config = WorkerConfig(args.emulator_url, tuple(args.token), args.vk_prefix, task_seconds=args.task_seconds)
    deps = build_deps(get_settings(), queue, config)
    stop = threading.Event()
    threads = [
        threading.Thread(target=work, args=(queue, deps, config, stop), daemon=True) for _ in range(args.threads)
    ]
    for t in threads:
        t.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stop.set()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
