"""An SQS event source mapping for moto: receive, call the worker with Lambda's SQS event, delete.

Semantics follow Lambda with `ReportBatchItemFailures`: records listed in `batchItemFailures` stay
on the queue (redelivered after the visibility timeout, dead-lettered by moto after
maxReceiveCount); a raising handler or an unknown/empty itemIdentifier fails the whole batch.
Priority follows the template's MaximumConcurrency: queues are picked by smooth weighted
round-robin on their caps and each queue keeps at most its cap of batches in flight. `containers`
are the slots of the function's concurrency: at most that many batches run at once.
"""

from __future__ import annotations

import base64
import hashlib
import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

Worker = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class QueueBinding:
    """One SQS event of a worker function, bound to its moto queue."""

    name: str
    url: str
    arn: str
    batch_size: int
    max_concurrency: int


def to_lambda_record(message: MessageTypeDef, arn: str, region: str) -> dict[str, Any]:
    """SQS ReceiveMessage output → one record of Lambda's SQS event."""
    attributes: dict[str, Any] = {}
    for key, value in message.get("MessageAttributes", {}).items():
        attr: dict[str, Any] = {
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value["DataType"],
        }
        if "StringValue" in value:
            attr["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            attr["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
        attributes[key] = attr
    body = message.get("Body", "")
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": body,
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": attributes,
        "md5OfBody": message.get("MD5OfBody") or hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def failed_ids(result: Any, records: Sequence[dict[str, Any]]) -> set[str]:
    """Message ids Lambda would leave on the queue for this handler result."""
    all_ids = {r["messageId"] for r in records}
    if not isinstance(result, dict) or not result.get("batchItemFailures"):
        return set()
    failures = set()
    for item in result["batchItemFailures"]:
        ident = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not ident or ident not in all_ids:
            return all_ids  # Lambda treats a malformed response as a failed batch
        failures.add(ident)
    return failures


class SqsPoller:
    """Feeds one worker function from its queues; `containers` are independent handler copies."""

    def __init__(
        self,
        function_id: str,
        sqs: SQSClient,
        bindings: Sequence[QueueBinding],
        containers: Sequence[Worker],
        region: str,
        on_error: Callable[[str], None] | None = None,
        describe: Callable[[BaseException], str] | None = None,
    ) -> None:
        if not containers:
            raise ValueError("a poller needs at least one container")
        self.function_id = function_id
        self.sqs = sqs
        self.bindings = list(bindings)
        self.region = region
        self._free: queue.Queue[Worker] = queue.Queue()
        for container in containers:
            self._free.put(container)
        self._pool = ThreadPoolExecutor(max_workers=len(containers), thread_name_prefix=f"local-{function_id}")
        self._in_flight: dict[str, int] = {b.name: 0 for b in self.bindings}
        self._current: dict[str, int] = {b.name: 0 for b in self.bindings}
        self._lock = threading.Lock()
        self._busy = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"poll-{function_id}", daemon=True)
        self._on_error = on_error or (lambda msg: print(msg, file=sys.stderr))
        self._describe = describe or (lambda exc: "".join(traceback.format_exception(exc)))
        self.stats = {"batches": 0, "deleted": 0, "failed": 0, "errors": 0}

    @property
    def busy(self) -> int:
        """Receives and batches in progress (drain waits for 0)."""
        with self._lock:
            return self._busy

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._pool.shutdown(wait=True)

    def _pick_order(self) -> list[QueueBinding]:
        """Queues with spare capacity: the smooth-weighted-round-robin winner (weights =
        MaximumConcurrency) first, then the others in template order (high first), so the weights
        decide the share under load and an idle queue never delays a busy one."""
        with self._lock:
            eligible = [b for b in self.bindings if self._in_flight[b.name] < b.max_concurrency]
            if not eligible:
                return []
            total = sum(b.max_concurrency for b in eligible)
            for b in eligible:
                self._current[b.name] += b.max_concurrency
            best = max(eligible, key=lambda b: self._current[b.name])
            self._current[best.name] -= total
            return [best, *(b for b in eligible if b is not best)]

    def _run(self) -> None:
        idle_rounds = 0
        while not self._stop.is_set():
            try:
                container = self._free.get(timeout=0.2)
            except queue.Empty:
                continue
            got_work = False
            for binding in self._pick_order():
                messages = self._receive(binding)
                if messages:
                    self._submit(binding, messages, container)
                    got_work = True
                    break
            if got_work:
                idle_rounds = 0
            else:
                self._free.put(container)
                idle_rounds += 1
                self._stop.wait(min(0.05 * idle_rounds, 0.5))

    def _receive(self, binding: QueueBinding) -> list[MessageTypeDef]:
        with self._lock:
            self._busy += 1
        try:
            response = self.sqs.receive_message(
                QueueUrl=binding.url,
                MaxNumberOfMessages=min(binding.batch_size, 10),
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            messages = response.get("Messages", [])
        except Exception as exc:
            if not self._stop.is_set():
                self._on_error(f"[{self.function_id}] receive from {binding.name} failed: {exc}")
            messages = []
        with self._lock:
            if messages:
                self._in_flight[binding.name] += 1  # the receive's busy count passes to the batch
            else:
                self._busy -= 1
        return messages

    def _submit(self, binding: QueueBinding, messages: list[MessageTypeDef], container: Worker) -> None:
        def run() -> None:
            try:
                self.run_batch(binding, messages, container)
            except Exception:
                self._on_error(f"[{self.function_id}] batch bookkeeping failed:\n{traceback.format_exc()}")
            finally:
                with self._lock:
                    self._in_flight[binding.name] -= 1
                    self._busy -= 1
                self._free.put(container)

        self._pool.submit(run)

    def run_batch(self, binding: QueueBinding, messages: Sequence[MessageTypeDef], container: Worker) -> Any:
        """Invoke the worker with one batch, then delete what succeeded."""
        records = [to_lambda_record(m, binding.arn, self.region) for m in messages]
        try:
            result = container({"Records": records})
        except Exception as exc:  # a function error fails the whole batch, as in Lambda
            self._count(errors=1)
            self._on_error(f"[{self.function_id}] batch from {binding.name} failed:\n{self._describe(exc)}")
            return None
        failed = failed_ids(result, records)
        done = [r for r in records if r["messageId"] not in failed]
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            entries = [{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)]
            self.sqs.delete_message_batch(QueueUrl=binding.url, Entries=entries)  # type: ignore[arg-type]
        self._count(batches=1, deleted=len(done), failed=len(failed))
        return result

    def _count(self, **increments: int) -> None:
        with self._lock:
            for key, value in increments.items():
                self.stats[key] += value


def queue_depths(sqs: SQSClient, urls: dict[str, str]) -> dict[str, dict[str, int]]:
    """Visible / in flight / delayed counts per queue (moto's Approximate* attributes)."""
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    depths: dict[str, dict[str, int]] = {}
    for logical_id, url in urls.items():
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]  # type: ignore[arg-type]
        depths[logical_id] = {
            "visible": int(attrs.get("ApproximateNumberOfMessages", 0)),
            "not_visible": int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0)),
            "delayed": int(attrs.get("ApproximateNumberOfMessagesDelayed", 0)),
        }
    return depths


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
