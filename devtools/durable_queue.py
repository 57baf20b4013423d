"""A small durable task queue in Redis with SQS's delivery semantics, for the fault-injection suite.

Why not the in-memory RecordingQueue: a worker process that is SIGKILLed must not take its messages
with it. Here, as on SQS, a received message stays stored and only becomes invisible for
`visibility_s`; it is deleted when the worker acknowledges it, and becomes visible again (with
`receive_count` + 1) when the worker dies or fails. After `max_receive` receives it moves to the
dead-letter list instead. Several processes can share one queue: every transition is one Lua script
on the Redis server's clock.

Keys (all under `prefix`, which the caller owns): `:ready` (list of ids), `:inflight` (zset id →
visible-again time), `:body` (hash id → JSON), `:count` (hash id → receives), `:dlq` (list), `:seq`,
`:redelivered` (receives after the first), `:delayed` (zset id → visible-from time, for sends with a
delay, as SQS DelaySeconds).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

import redis
from vkc.jobs.schemas import TaskMessage
from vkc.settings import Priority, WorkerKind

# Expired in-flight messages go back to the head of `ready`; then one is popped, counted, and either
# hidden for `visibility` seconds or, past `max_receive`, moved to the dead-letter list.
_RECEIVE = """
local ready, inflight, body, count, dlq = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local visibility, max_receive = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
for _, id in ipairs(redis.call('ZRANGEBYSCORE', inflight, '-inf', now)) do
  redis.call('ZREM', inflight, id)
  redis.call('LPUSH', ready, id)
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[7], '-inf', now)) do
  redis.call('ZREM', KEYS[7], id)
  redis.call('RPUSH', ready, id)
end
while true do
  local id = redis.call('LPOP', ready)
  if not id then return nil end
  local payload = redis.call('HGET', body, id)
  if payload then
    local n = redis.call('HINCRBY', count, id, 1)
    if n > 1 then redis.call('INCR', KEYS[6]) end
    if n > max_receive then
      redis.call('RPUSH', dlq, id)
    else
      redis.call('ZADD', inflight, now + visibility, id)
      return {id, payload, tostring(n)}
    end
  end
end
"""

# A delayed send: stored now, visible (moved to `ready` by a receive) `delay` seconds later on Redis' clock.
_SEND_DELAYED = """
local t = redis.call('TIME')
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[3]), ARGV[1])
return 1
"""

_ACK = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
"""


@dataclass(frozen=True, slots=True)
class Received:
    id: str
    worker: WorkerKind
    message: TaskMessage
    receive_count: int


class DurableQueue:
    """A `TaskQueue` (producer side) and an SQS-like consumer: `receive`, `ack`, `release`."""

    def __init__(self, client: redis.Redis, prefix: str, *, visibility_s: float = 2.0, max_receive: int = 5) -> None:
        self.redis = client
        self.prefix = prefix
        self.visibility_s = visibility_s
        self.max_receive = max_receive
        self._receive = client.register_script(_RECEIVE)
        self._ack = client.register_script(_ACK)
        self._send_delayed = client.register_script(_SEND_DELAYED)

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    def send(
        self,
        worker: WorkerKind,
        priority: Priority,
        message: TaskMessage,
        *,
        correlation_id: str,
        workspace_id: str,
        job_type: str,
        delay_s: int = 0,
    ) -> str:
        seq = int(cast(Any, self.redis.incr(self._key("seq"))))
        msg_id = f"m{seq}"
        payload = json.dumps({"worker": worker.value, "priority": priority.value, "body": message.model_dump_json()})
        if delay_s > 0:
            self._send_delayed(keys=[self._key("body"), self._key("delayed")], args=[msg_id, payload, delay_s])
            return msg_id
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(self._key("body"), msg_id, payload)
        pipe.rpush(self._key("ready"), msg_id)
        pipe.execute()
        return msg_id

    def receive(self) -> Received | None:
        keys = [self._key(k) for k in ("ready", "inflight", "body", "count", "dlq", "redelivered", "delayed")]
        got = self._receive(keys=keys, args=[self.visibility_s, self.max_receive])
        if got is None:
            return None
        raw_id, raw_payload, raw_count = (v.decode() if isinstance(v, bytes) else str(v) for v in got)
        payload = json.loads(raw_payload)
        return Received(
            id=raw_id,
            worker=WorkerKind(payload["worker"]),
            message=TaskMessage.model_validate_json(payload["body"]),
            receive_count=int(raw_count),
        )

    def ack(self, msg_id: str) -> None:
        """Delete a handled message (a no-op when another delivery already deleted it)."""
        self._ack(keys=[self._key("inflight"), self._key("body"), self._key("count")], args=[msg_id])

    def depths(self) -> dict[str, int]:
        return {
            "ready": int(cast(Any, self.redis.llen(self._key("ready")))),
            "inflight": int(cast(Any, self.redis.zcard(self._key("inflight")))),
            "dlq": int(cast(Any, self.redis.llen(self._key("dlq")))),
            "delayed": int(cast(Any, self.redis.zcard(self._key("delayed")))),
            "redelivered": int(cast(Any, self.redis.get(self._key("redelivered"))) or 0),
        }

    def max_inflight_receives(self) -> int:
        """The highest receive count among messages in flight (0 when none)."""
        ids = cast(list[bytes], self.redis.zrange(self._key("inflight"), 0, -1))
        if not ids:
            return 0
        counts = cast(list[bytes | None], self.redis.hmget(self._key("count"), ids))
        return max(int(c) for c in counts if c is not None) if any(counts) else 0

    @property
    def empty(self) -> bool:
        d = self.depths()
        return d["ready"] == 0 and d["inflight"] == 0 and d["delayed"] == 0

    def delete_all(self) -> None:
        names = ("ready", "inflight", "body", "count", "dlq", "seq", "redelivered", "delayed")
        self.redis.delete(*(self._key(k) for k in names))
