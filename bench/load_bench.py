"""The local API (LocalStack: its API containers are processes) under sustained concurrent load from another process.

The load generator (`python -m bench.load_bench gen …`, httpx + threads, loopback only) runs in a
subprocess so its CPU and GIL are not the server's. Each route gets `THREADS` concurrent clients for
`SECONDS` (or `MAX_REQUESTS`, whichever comes first) after a short warm-up; a collection of one
emulator community runs first so the read routes return real data.

    load.<route>.rps / .p50_ms / .p99_ms   answered requests (2xx) per second, their latency
    load.<route>.errors                    transport failures, 5xx and 4xx other than 429
    load.<route>.throttled                 429s (0: the per-key limits are off, we measure capacity)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
THREADS = 8
SECONDS = 5.0
MAX_REQUESTS = 3000

# name → (method, path, body kind); bodies are made per request by the generator
ROUTES: dict[str, tuple[str, str, str]] = {
    "get_jobs": ("GET", "/v1/jobs?limit=20", ""),
    "get_comments": ("GET", "/v1/comments?limit=50", ""),
    "get_communities": ("GET", "/v1/communities", ""),
    "get_stats_totals": ("GET", "/v1/stats/totals", ""),
    "post_jobs_probe": ("POST", "/v1/jobs", "probe"),
    "post_keywords": ("POST", "/v1/keywords", "keyword"),
}


def _body(kind: str) -> dict[str, Any] | None:
    if kind == "probe":
        return {"type": "probe", "priority": "low", "payload": {"checks": ["database"]}}
    if kind == "keyword":
        return {"text": f"нагрузка{uuid.uuid4().hex[:12]}", "category": "load"}
    return None


def generate(
    url: str, key: str, method: str, path: str, body: str, threads: int, seconds: float, cap: int
) -> dict[str, Any]:
    """The second process: hammer one route; latencies in ms of every finished request."""
    latencies: list[float] = []
    errors = 0
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client_loop() -> None:
        nonlocal errors
        with httpx.Client(base_url=url, headers={"X-Api-Key": key}, timeout=30) as client:
            while time.perf_counter() < stop_at:
                with lock:
                    if sum(statuses.values()) >= cap:
                        return
                started = time.perf_counter()
                try:
                    response = client.request(method, path, json=_body(body))
                    ok, status = response.status_code < 400, str(response.status_code)
                except httpx.HTTPError as exc:
                    ok, status = False, type(exc).__name__
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    if ok:
                        latencies.append(elapsed)
                    elif status != "429":  # the API's per-key limit answering is not an error
                        errors += 1

    begun = time.perf_counter()
    workers = [threading.Thread(target=client_loop) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - begun
    return {"latencies": latencies, "errors": errors, "wall_s": wall, "statuses": statuses}


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _seed(stack: Any) -> None:
    """One collected community so the read routes have rows to return."""
    from devtools.local_stack.emulator import DEV_VK_TOKENS

    token = next(t for t, kind in DEV_VK_TOKENS.items() if kind == "user")
    with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": stack.api_key}, timeout=30) as api:
        api.post("/v1/vk-tokens", json={"token": token, "label": "load"})
        communities = stack.emulator.handle.dataset.communities.values()
        open_one = next(c for c in communities if c.is_closed == 0 and c.deactivated is None)
        community = api.post("/v1/communities", json={"input": str(open_one.id)}).json()
        job = api.post(f"/v1/communities/{community['id']}/collections", json={}).json()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if api.get(f"/v1/jobs/{job['id']}").json()["status"] in ("succeeded", "failed", "cancelled"):
                return
            time.sleep(0.5)


def _generate_in_subprocess(
    url: str, key: str, method: str, path: str, body: str, *, threads: int, seconds: float, cap: int
) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.load_bench", "gen", "--url", url, "--key", key, "--method", method]
    cmd += ["--path", path, "--body", body, "--threads", str(threads), "--seconds", str(seconds), "--cap", str(cap)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True, timeout=120)
    return dict(json.loads(done.stdout))


def run() -> dict[str, float]:
    from devtools.local_stack import LocalStack

    figures: dict[str, float] = {}
    # capacity, not policy: one key may make 300 reads and 60 writes a minute (tests/e2e/
    # test_limits_idempotency.py holds that); with the limits on, this would measure them
    figures |= _measure(LocalStack)
    figures["load.threads"] = float(THREADS)
    figures["load.rate_limit_enabled"] = 0.0
    return figures


def _measure(stack_class: Any) -> dict[str, float]:
    figures: dict[str, float] = {}
    overrides = {"RATE_LIMIT_ENABLED": "0"}
    with stack_class(
        run_id=f"l{uuid.uuid4().hex[:7]}", auto_schedule=False, emulator=True, env_overrides=overrides
    ) as stack:
        _seed(stack)
        for name, (method, path, body) in ROUTES.items():
            target = [stack.api_url, stack.api_key, method, path, body]
            _generate_in_subprocess(*target, threads=2, seconds=1.0, cap=50)  # warm-up, not measured
            result = _generate_in_subprocess(*target, threads=THREADS, seconds=SECONDS, cap=MAX_REQUESTS)
            lat = result["latencies"]
            figures[f"load.{name}.rps"] = round(len(lat) / result["wall_s"], 1)
            figures[f"load.{name}.p50_ms"] = round(statistics.median(lat), 2) if lat else 0.0
            figures[f"load.{name}.p99_ms"] = round(_percentile(lat, 0.99), 2)
            figures[f"load.{name}.errors"] = float(result["errors"])
            figures[f"load.{name}.throttled"] = float(result["statuses"].get("429", 0))
            print(f"[load] {name}: {len(lat)} ok, statuses {result['statuses']}", file=sys.stderr, flush=True)
    return figures


def main(argv: list[str]) -> int:
    if argv[:1] != ["gen"]:
        print(json.dumps(run(), indent=2))
        return 0
    parser = argparse.ArgumentParser()
    for flag in ("--url", "--key", "--method", "--path"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--body", default="")
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--cap", type=int, default=MAX_REQUESTS)
    a = parser.parse_args(argv[1:])
    print(json.dumps(generate(a.url, a.key, a.method, a.path, a.body, a.threads, a.seconds, a.cap)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
