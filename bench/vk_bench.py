"""VK collection throughput: the harvester against the emulator with VK's limits on.

Setup
- Dataset: `generate_dataset("large", seed=42)`, fixed subset = the first four open communities in
  ascending owner-id order (about half of the preset: ≈ 2,400 posts, ≈ 160k comments). Both runs
  collect exactly this subset and are checked against the ground truth (every comment, same ids).
- Emulator in its own process (`python -m devtools.vk_emulator`), rate limits on (3 rps per user
  token in a sliding 1-s window), latency 150 ms per request + 4 ms per call inside execute, so a full
  execute takes ≈ 250 ms: a realistic VK round trip.
- Client: `VkClient` + `Harvester`, Redis-backed limiter (window 1 s + an adaptive margin: 0.03 s at
  first, creeping down to 0.02 s, widened after any error 6; grants restamped when the request leaves).
  Run A: one user token, one worker. Run B: four user tokens, four concurrent workers (processes, each
  with its own client, as four Lambdas would be) sharing the tokens through Redis; each worker
  harvests one community. Every worker is its own process (run A's too): the clock starts when all
  have imported and built their clients. (Until 2026-12 run B used threads of one interpreter; their
  GIL contention delayed sends by up to ~0.1 s after the grant and cost 3-4 errors 6 per run.)

Figures
- `vk.requests_lower_bound_per_10k_comments`: the fewest requests the subset's shape allows at 25
  calls per execute: ceil((wall pages + top-level pages + thread pages) / 25), where a post with
  comments needs ceil(top-level / 100) pages (≥ 1), a thread of more than 10 replies ceil(replies / 100)
  pages and a wall ceil(posts / 100) pages; per 10,000 collected comments.
- `vk.requests_per_10k_comments`: requests the run spent (retries included), per 10,000 comments.
- `vk.ceiling_fraction_1_token`: the ceiling is 3 executes/s × the calls the shape needs, i.e. the
  shortest possible time is lower_bound_requests / 3 s. Fraction = that time ÷ the measured time of
  run A (so batching waste and pacing gaps both count against it).
- `vk.execute_rate_fraction_1_token`: executes sent per second in run A ÷ 3 (pacing alone).
- `vk.speedup_4_tokens`: run A time ÷ run B time.
- `vk.comments_per_s_1_token`, `vk.comments_per_s_4_tokens`, `vk.errors_6` (both runs; must be 0),
  `vk.errors_6_1_token` (run A's share).
"""

from __future__ import annotations

import gc
import json
import math
import multiprocessing
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import redis
from vkc.vk.client import VkClient
from vkc.vk.deadline import Deadline
from vkc.vk.harvest import Harvester
from vkc.vk.models import Comment, Community, Post, Profile
from vkc.vk.pool import TokenPool
from vkc.vk.tokens import TokenType, VkToken
from vkc.vk.transport import VkTransport

from devtools.vk_emulator import generate_dataset

PRESET, SEED, COMMUNITIES = "large", 42, 4
LATENCY_MS, INNER_LATENCY_MS = 150, 4
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_emulator(tokens: list[str]) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    cmd = [sys.executable, "-m", "devtools.vk_emulator", "--preset", PRESET, "--seed", str(SEED)]
    cmd += ["--port", str(port), "--latency-ms", str(LATENCY_MS), "--inner-latency-ms", str(INNER_LATENCY_MS)]
    for t in tokens:
        cmd += ["--token", f"user:{t}"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("VK_API_URL="):
            return proc, line.strip().split("=", 1)[1]
    raise RuntimeError("the emulator did not start")


def _emulator_stats(url: str) -> dict[str, Any]:
    base = url.rsplit("/method", 1)[0]
    with urllib.request.urlopen(f"{base}/_emulator/stats", timeout=10) as resp:  # noqa: S310 - local emulator
        data: dict[str, Any] = json.loads(resp.read())
        return data


def _shape(gt: dict[str, Any], owners: list[int]) -> tuple[int, int]:
    """(lower-bound requests, comments) of the subset."""
    keep = set(owners)
    tops: Counter[tuple[int, int]] = Counter()
    replies: Counter[tuple[int, int, int]] = Counter()
    comments = 0
    for c in gt["comments"]:
        if c["owner_id"] not in keep:
            continue
        comments += 1
        if c["parent_id"] is None:
            tops[(c["owner_id"], c["post_id"])] += 1
        else:
            replies[(c["owner_id"], c["post_id"], c["parent_id"])] += 1
    posts = [p for p in gt["posts"] if p["owner_id"] in keep]
    calls = sum(math.ceil(n / 100) for n in Counter(p["owner_id"] for p in posts).values())
    calls += sum(max(1, math.ceil(tops[(p["owner_id"], p["post_id"])] / 100)) for p in posts if p["comments_count"])
    calls += sum(math.ceil(n / 100) for n in replies.values() if n > 10)
    return math.ceil(calls / 25), comments


class KeySink:
    """Keeps only each comment's owner-scoped key: the benchmark measures collection, not retention
    (a worker hands pages to the database and drops them; 160k models in memory would only add GC)."""

    def __init__(self) -> None:
        self.keys: set[tuple[int, int, int]] = set()

    def posts(self, owner_id: int, posts: list[Post]) -> None:
        pass

    def comments(self, owner_id: int, post_id: int, comments: list[Comment]) -> None:
        self.keys.update((owner_id, post_id, c.id) for c in comments)

    def authors(self, profiles: list[Profile], groups: list[Community]) -> None:
        pass


def _client(url: str, rds: redis.Redis, prefix: str, secrets: list[str]) -> VkClient:
    tokens = [VkToken(s, TokenType.USER) for s in secrets]  # types known: no probes inside the timing
    return VkClient(TokenPool(tokens, rds, prefix=prefix), VkTransport(url, timeout_s=15))


def _work(url: str, prefix: str, secrets: list[str], owners: list[int], ready: Any, go: Any, out: Any) -> None:
    """One worker process (one Lambda): its own client over the shared tokens; reports what it did."""
    rds = redis.Redis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    client = _client(url, rds, prefix, secrets)
    sink = KeySink()
    ready.set()
    go.wait()
    report = Harvester(client, sink).harvest(owners, deadline=Deadline.after(600))
    out.put((report.requests, len(sink.keys), report.complete, time.time()))
    client.close()


def _run(url: str, rds: redis.Redis, secrets: list[str], owner_groups: list[list[int]]) -> tuple[float, int, int, int]:
    """(seconds, requests, comments, incomplete workers) for one worker process per owner group; the
    clock starts once every process has imported and built its client, and stops at the last finish."""
    prefix = f"bench:vk:{uuid.uuid4().hex[:8]}"
    ctx = multiprocessing.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    readies = [ctx.Event() for _ in owner_groups]
    procs = [
        ctx.Process(target=_work, args=(url, prefix, secrets, owners, ready, go, out))
        for owners, ready in zip(owner_groups, readies, strict=True)
    ]
    for p in procs:
        p.start()
    for ready in readies:
        ready.wait(timeout=120)
    started = time.time()
    go.set()
    results = [out.get(timeout=900) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    elapsed = max(r[3] for r in results) - started
    keys = list(rds.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        rds.delete(*keys)
    return elapsed, sum(r[0] for r in results), sum(r[1] for r in results), sum(1 for r in results if not r[2])


def run() -> dict[str, float]:
    one, four = ["bench-a1"], [f"bench-b{i}" for i in range(1, 5)]
    proc, url = _start_emulator(one + four)
    try:
        gt = generate_dataset(PRESET, SEED).ground_truth()
        open_owners = sorted({p["owner_id"] for p in gt["posts"] if p["accessible"]})
        owners = open_owners[:COMMUNITIES]
        lower_bound, comments = _shape(gt, owners)
        del gt  # the ground truth is big: keep it out of the garbage collector's way while timing
        gc.collect()
        rds = redis.Redis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
        t1, req1, got1, bad1 = _run(url, rds, one, [owners])
        errors_6_run_a = _emulator_stats(url).get("errors", {}).get("6", 0)
        t4, req4, got4, bad4 = _run(url, rds, four, [[o] for o in owners])
        stats = _emulator_stats(url)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    if got1 != comments or got4 != comments or bad1 or bad4:
        raise RuntimeError(f"incomplete collection: {got1}/{got4} of {comments} comments")
    per10k = 10_000 / comments
    return {
        "vk.ceiling_fraction_1_token": round(lower_bound / 3 / t1, 3),
        "vk.execute_rate_fraction_1_token": round(req1 / t1 / 3, 3),
        "vk.speedup_4_tokens": round(t1 / t4, 2),
        "vk.requests_per_10k_comments": round(req1 * per10k, 2),
        "vk.requests_per_10k_comments_4_workers": round(req4 * per10k, 2),
        "vk.requests_lower_bound_per_10k_comments": round(lower_bound * per10k, 2),
        "vk.comments_per_s_1_token": round(comments / t1),
        "vk.comments_per_s_4_tokens": round(comments / t4),
        "vk.seconds_1_token": round(t1, 1),
        "vk.seconds_4_tokens": round(t4, 1),
        "vk.comments_collected": float(comments),
        "vk.errors_6": float(stats.get("errors", {}).get("6", 0)),
        "vk.errors_6_1_token": float(errors_6_run_a),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
