"""One signed HTTP attempt at delivering an event, and whether trying again could help.

The response body is never read (a receiver cannot make us download megabytes), redirects are never
followed (a public URL must not bounce a signed request to an internal one), and the connection trusts
no proxy settings from the environment. Errors are described by type and status only: neither the
secret nor the body ever reaches a log line or the delivery log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import httpx

from vkc.observability import instrument
from vkc.webhooks.signing import (
    ATTEMPT_HEADER,
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)
from vkc.webhooks.urls import UnsafeDestination, check_destination

TIMEOUT_S = 5.0
USER_AGENT = "vkc-webhooks/1"
#: statuses worth retrying: the receiver is overloaded, restarting or asked us to slow down
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class AttemptResult:
    ok: bool
    status_code: int | None
    duration_ms: int
    error: str | None
    retryable: bool


@lru_cache(maxsize=1)
def http_client() -> httpx.Client:
    """One pooled client per process (Lambda containers reuse it across invocations)."""
    instrument("httpx")
    return httpx.Client(
        timeout=httpx.Timeout(TIMEOUT_S),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
    )


def send_once(
    client: httpx.Client,
    url: str,
    *,
    secret: str,
    body: bytes,
    event_id: str,
    event_type: str,
    attempt: int,
    allow_loopback: bool,
    clock: Callable[[], float] = time.time,
) -> AttemptResult:
    """POST the body with a fresh timestamp and signature; never raises for network or HTTP failures."""
    started = time.perf_counter()

    def done(ok: bool, status: int | None, error: str | None, retryable: bool) -> AttemptResult:
        return AttemptResult(ok, status, int((time.perf_counter() - started) * 1000), error, retryable)

    try:
        check_destination(url, allow_loopback=allow_loopback)
    except UnsafeDestination as exc:
        return done(False, None, str(exc), exc.retryable)
    timestamp = int(clock())
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_ID_HEADER: event_id,
        EVENT_TYPE_HEADER: event_type,
        ATTEMPT_HEADER: str(attempt),
    }
    try:
        with client.stream("POST", url, content=body, headers=headers, timeout=TIMEOUT_S) as response:
            status = response.status_code
    except httpx.TimeoutException:
        return done(False, None, f"timed out after {TIMEOUT_S:g} s", True)
    except httpx.HTTPError as exc:
        return done(False, None, f"{type(exc).__name__}: {_short(exc)}", True)
    if 200 <= status < 300:
        return done(True, status, None, False)
    if 300 <= status < 400:
        return done(False, status, f"HTTP {status}: redirects are not followed; use the final URL", False)
    return done(False, status, f"HTTP {status}", status in RETRYABLE_STATUSES)


def _short(exc: Exception) -> str:
    return str(exc)[:200] or "no detail"
