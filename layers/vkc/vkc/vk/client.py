"""The VK client: a synchronous API whose requests are pipelined on a thread pool.

Why threads and not asyncio: the workers are synchronous Lambda handlers (Powertools' batch processor
calls plain functions), redis-py's and httpx's sync clients are thread-safe, and VK allows only 3
requests/s per token, so what pipelining needs is a handful of requests in flight per token (an
execute takes hundreds of ms), not thousands. `submit()` returns a Future per batch; every thread blocks
in the shared Redis rate limiter, so the rate holds across threads, processes and Lambdas alike.

Every request goes through `_request`: lease a token (`pool`), one exchange (`transport`), and the
policy table (`errors.action_for`) decides what follows: retry with exponential backoff and jitter
(tenacity), rotate to another token, retire the token, or hand the error to the caller (skip, split,
fail). Retries are bounded by `max_attempts` and by the caller's `Deadline`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from typing import Any, Self

import redis
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from vkc import observability
from vkc.observability import ContextThreadPool
from vkc.settings import Settings, get_settings
from vkc.vk import methods
from vkc.vk.calls import CallResult, ParamValue, VkCall
from vkc.vk.deadline import Deadline
from vkc.vk.errors import (
    EXECUTE_RUNTIME_CODE,
    QUOTA_CODE,
    RATE_LIMIT_CODE,
    TOKEN_COOLDOWN_CODES,
    Action,
    VkApiError,
    VkDeadlineError,
    VkError,
    VkNoTokenError,
    VkQuotaError,
    action_for,
)
from vkc.vk.execute import build_code, chunks, halves, inner_counts, unpack
from vkc.vk.models import (
    CommentsPage,
    Community,
    Post,
    Profile,
    ResolvedObject,
    WallPage,
    parse_groups,
    parse_posts_by_id,
    parse_profiles,
    parse_resolved,
)
from vkc.vk.pool import TokenPool
from vkc.vk.tokens import TokenType, VkToken
from vkc.vk.transport import Envelope, VkTransport

log = logging.getLogger(__name__)

_TOKEN_ACTIONS = frozenset({Action.RETRY, Action.ROTATE, Action.RETIRE})
_worker = threading.local()  # set in the client's own threads: they never fan out again (no deadlock)


def _mark_worker() -> None:
    _worker.inside = True


class ClientStats:
    """What the client spent: HTTP requests (retries included), executes, inner calls, errors by code."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.executes = 0
        self.inner_calls = 0
        self.retries = 0
        self.errors: Counter[str] = Counter()

    def add(self, **deltas: int) -> None:
        with self._lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)

    def error(self, exc: BaseException) -> None:
        key = f"vk:{exc.code}" if isinstance(exc, VkApiError) else type(exc).__name__
        with self._lock:
            self.errors[key] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "executes": self.executes,
                "inner_calls": self.inner_calls,
                "retries": self.retries,
                "errors": dict(self.errors),
            }


def _retryable(exc: BaseException) -> bool:
    return not isinstance(exc, VkDeadlineError | VkNoTokenError) and action_for(exc) in _TOKEN_ACTIONS


class VkClient:
    def __init__(
        self,
        pool: TokenPool,
        transport: VkTransport,
        *,
        max_attempts: int = 6,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 8.0,
        inner_retry_rounds: int = 3,
        max_workers: int | None = None,
    ) -> None:
        self.pool = pool
        self.transport = transport
        self.max_attempts = max_attempts
        self.inner_retry_rounds = inner_retry_rounds
        self.stats = ClientStats()
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self._executor = ContextThreadPool(
            max_workers=max_workers or max(4, pool.max_in_flight * len(pool.tokens) + 2),
            thread_name_prefix="vk",
            initializer=_mark_worker,
        )

    @classmethod
    def create(
        cls,
        secrets: Iterable[str | VkToken],
        redis_client: redis.Redis,
        *,
        settings: Settings | None = None,
        prefix: str = "vkc:vk",
        timeout_s: float = 10.0,
        **kwargs: Any,
    ) -> Self:
        """A client on `settings.vk_api_url` / `vk_api_version` with a pool over the given tokens."""
        settings = settings or get_settings()
        tokens = [s if isinstance(s, VkToken) else VkToken(s) for s in secrets]
        pool = TokenPool(tokens, redis_client, prefix=prefix)
        transport = VkTransport(settings.vk_api_url, version=settings.vk_api_version, timeout_s=timeout_s)
        return cls(pool, transport, **kwargs)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self.transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- one request with the policy -----------------------------------------------------------
    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if exc is not None and action_for(exc) in (Action.ROTATE, Action.RETIRE):
            return 0.0  # another token takes over at once
        # exponential backoff with "equal jitter": half fixed, half random, so workers do not retry in step
        ceiling = min(self.backoff_max_s, self.backoff_initial_s * 2 ** (state.attempt_number - 1))
        wait = random.uniform(ceiling / 2, ceiling)
        if isinstance(exc, VkApiError) and exc.code == RATE_LIMIT_CODE:
            wait = max(wait, self.pool.limiter.window_s)
        return wait

    def _request(
        self,
        method: str,
        params: dict[str, ParamValue],
        *,
        inner: dict[str, int] | None = None,
        deadline: Deadline | None = None,
    ) -> tuple[Envelope, VkToken]:
        deadline = deadline or Deadline.never()
        calls = inner if inner is not None else {method: 1}

        def past_deadline(state: RetryCallState) -> bool:
            return state.upcoming_sleep >= deadline.remaining()

        attempts = stop_after_attempt(self.max_attempts)

        retrying = Retrying(
            stop=lambda s: attempts(s) or past_deadline(s),
            wait=self._wait,
            retry=retry_if_exception(_retryable),
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    self.stats.add(retries=1)
                lease = self.pool.acquire(method, calls, deadline)
                self.stats.add(requests=1)
                try:
                    self.pool.sending(lease)
                    envelope = self.transport.post(method, params, lease.token, timeout_s=deadline.remaining())
                except VkError as exc:
                    self.pool.release(lease, exc)
                    self.stats.error(exc)
                    observability.count(observability.VK_REQUESTS, method=method, outcome=action_for(exc).value)
                    log.info("vk %s failed on token %s: %s", method, lease.token.id, exc)
                    raise
                self.pool.release(lease)
                observability.count(observability.VK_REQUESTS, method=method, outcome="ok")
                return envelope, lease.token
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    def request(
        self, method: str, params: dict[str, ParamValue] | None = None, *, deadline: Deadline | None = None
    ) -> Envelope:
        """One plain call with retries and rotation; raises `VkApiError` (skip, fail …) or other `VkError`."""
        return self._request(method, dict(params or {}), deadline=deadline)[0]

    def call(self, call: VkCall, *, deadline: Deadline | None = None) -> Any:
        """The `response` of one plain call."""
        return self.request(call.method, dict(call.params), deadline=deadline).response

    def execute(self, code: str, *, deadline: Deadline | None = None, **args: ParamValue) -> Envelope:
        """Raw `execute` (user tokens only); `args` are readable in VKScript as `Args.<name>`."""
        self.stats.add(executes=1)
        return self.request("execute", {"code": code, **args}, deadline=deadline)

    # --- batches ---------------------------------------------------------------------------------
    @property
    def execute_available(self) -> bool:
        return bool(self.pool.usable("execute"))

    @property
    def pipeline_depth(self) -> int:
        """How many batches are worth having in flight: `max_in_flight` per usable token."""
        usable = self.pool.usable("execute") or self.pool.usable("wall.getComments")
        return max(1, self.pool.max_in_flight * len(usable))

    def submit(self, calls: Sequence[VkCall], *, deadline: Deadline | None = None) -> Future[list[CallResult]]:
        """Run up to 25 calls (one execute, or plain calls without a user token) in the background."""
        return self._executor.submit(self.run, list(calls), deadline=deadline)

    def run(self, calls: Sequence[VkCall], *, deadline: Deadline | None = None) -> list[CallResult]:
        """Every call's result, in order. Retryable per-call failures are retried in bounded rounds."""
        deadline = deadline or Deadline.never()
        results = self._run_once(list(calls), deadline)
        for round_ in range(self.inner_retry_rounds):
            again = [i for i, r in enumerate(results) if r.error is not None and self._retry_call(r.error)]
            if not again or deadline.expired:
                break
            pause = min(0.5 * 2**round_, deadline.remaining())
            time.sleep(pause)
            redo = self._run_once([results[i].call for i in again], deadline)
            for i, result in zip(again, redo, strict=True):
                results[i] = result
        return results

    @staticmethod
    def _retry_call(error: VkError) -> bool:
        if isinstance(error, VkDeadlineError | VkNoTokenError):
            return False
        return action_for(error) in (Action.RETRY, Action.ROTATE)

    def _run_once(self, calls: list[VkCall], deadline: Deadline) -> list[CallResult]:
        if not calls:
            return []
        if not self.execute_available:
            return self._parallel([[c] for c in calls], deadline, plain=True)
        return self._parallel(chunks(calls), deadline, plain=False)

    def _parallel(self, groups: list[list[VkCall]], deadline: Deadline, *, plain: bool) -> list[CallResult]:
        work = self._plain if plain else self._execute_chunk
        if len(groups) == 1 or getattr(_worker, "inside", False):
            return [r for g in groups for r in work(g, deadline)]
        futures = [self._executor.submit(work, g, deadline) for g in groups]
        return [r for f in futures for r in f.result()]

    def _plain(self, group: list[VkCall], deadline: Deadline) -> list[CallResult]:
        out = []
        for call in group:
            try:
                out.append(CallResult(call, value=self.call(call, deadline=deadline)))
            except VkError as exc:
                out.append(CallResult(call, error=exc))
        return out

    def _execute_chunk(self, chunk: list[VkCall], deadline: Deadline) -> list[CallResult]:
        counts = inner_counts(chunk)
        try:
            self.stats.add(executes=1, inner_calls=len(chunk))
            envelope, token = self._request("execute", {"code": build_code(chunk)}, inner=counts, deadline=deadline)
        except VkApiError as exc:
            if exc.code != EXECUTE_RUNTIME_CODE:
                return [CallResult(c, error=exc) for c in chunk]
            if len(chunk) == 1:
                log.info("execute too big for one %s call: sending it plain", chunk[0].method)
                return self._plain(chunk, deadline)
            first, second = halves(chunk)
            log.info("execute error 13 on %d calls: splitting", len(chunk))
            return self._execute_chunk(first, deadline) + self._execute_chunk(second, deadline)
        except VkQuotaError as exc:
            if len(chunk) == 1:
                return [CallResult(chunk[0], error=exc)]
            first, second = halves(chunk)  # no token has room for all of it: smaller batches may fit
            return self._execute_chunk(first, deadline) + self._execute_chunk(second, deadline)
        except VkError as exc:
            return [CallResult(c, error=exc) for c in chunk]
        results = unpack(chunk, envelope)
        for result in results:
            outcome = "ok" if result.error is None else action_for(result.error).value
            observability.count(observability.VK_CALLS, method=result.call.method, outcome=outcome)
            if isinstance(result.error, VkApiError):
                self.stats.error(result.error)
                self._inner_failure(token, result.error)
        return results

    def _inner_failure(self, token: VkToken, error: VkApiError) -> None:
        """An inner call's failure still tells us about the token that made it."""
        if error.code == QUOTA_CODE and error.method:
            self.pool.quota.mark_exhausted(token.id, error.method)
        elif error.code in TOKEN_COOLDOWN_CODES:
            self.pool.breaker.record_failure(
                token.id, f"vk:{error.code}", immediate=True, cooldown_s=self.pool.cooldowns[error.code]
            )

    # --- token types -------------------------------------------------------------------------------
    def detect_token_types(
        self, *, deadline: Deadline | None = None, force: bool = False
    ) -> dict[str, TokenType | None]:
        """Probe each token whose type is unknown (see `vkc.vk.tokens`) and record it in Redis."""
        deadline = deadline or Deadline.after(30)
        for token in self.pool.tokens:
            if token.type is not None and not force:
                continue
            detected = self._probe(token, deadline)
            if detected is not None:
                self.pool.record_type(token, detected)
                log.info("VK token %s is a %s token", token.id, detected.value)
        return {t.id: t.type for t in self.pool.tokens}

    def _probe_call(self, token: VkToken, method: str, params: dict[str, ParamValue], deadline: Deadline) -> Any:
        lease = self.pool.acquire(method, {method: 1}, deadline, only=token)
        self.stats.add(requests=1)
        try:
            self.pool.sending(lease)
            envelope = self.transport.post(method, params, token, timeout_s=deadline.remaining())
        except VkError as exc:
            # 27/28 are the answers a probe looks for; only 5/17 (and transport failures) reflect on the token
            healthy = isinstance(exc, VkApiError) and exc.code not in (5, 17)
            self.pool.release(lease, None if healthy else exc)
            raise
        self.pool.release(lease)
        return envelope.response

    def _probe(self, token: VkToken, deadline: Deadline) -> TokenType | None:
        try:
            self._probe_call(token, "execute", {"code": "return 1;"}, deadline)
        except VkApiError as exc:
            if exc.code == 28:
                return TokenType.SERVICE
            if exc.code in (5, 17):
                self.pool.breaker.retire(token.id, f"vk:{exc.code}")
            return None
        try:  # user and community tokens both run execute; only a community token is refused wall methods
            self._probe_call(token, "wall.getById", {"posts": "1_1"}, deadline)
        except VkApiError as exc:
            if exc.code == 27:
                return TokenType.COMMUNITY
            if exc.code in (5, 17):
                self.pool.breaker.retire(token.id, f"vk:{exc.code}")
                return None
        return TokenType.USER

    # --- typed methods -------------------------------------------------------------------------------
    def resolve_screen_name(self, screen_name: str, *, deadline: Deadline | None = None) -> ResolvedObject | None:
        return parse_resolved(self.call(methods.resolve_screen_name(screen_name), deadline=deadline))

    def groups_get_by_id(
        self, group_ids: Sequence[int | str], *, fields: str = methods.GROUP_FIELDS, deadline: Deadline | None = None
    ) -> list[Community]:
        out: list[Community] = []
        for i in range(0, len(group_ids), methods.MAX_GROUP_IDS):
            part = group_ids[i : i + methods.MAX_GROUP_IDS]
            out += parse_groups(self.call(methods.groups_get_by_id(part, fields), deadline=deadline))
        return out

    def users_get(
        self, user_ids: Sequence[int | str], *, fields: str = methods.PROFILE_FIELDS, deadline: Deadline | None = None
    ) -> list[Profile]:
        out: list[Profile] = []
        for i in range(0, len(user_ids), methods.MAX_USER_IDS):
            part = user_ids[i : i + methods.MAX_USER_IDS]
            out += parse_profiles(self.call(methods.users_get(part, fields), deadline=deadline))
        return out

    def wall_get(
        self, owner_id: int, *, offset: int = 0, count: int = methods.PAGE, deadline: Deadline | None = None
    ) -> WallPage:
        return WallPage.model_validate(self.call(methods.wall_get(owner_id, offset, count), deadline=deadline))

    def wall_get_by_id(self, posts: Sequence[tuple[int, int]], *, deadline: Deadline | None = None) -> list[Post]:
        out: list[Post] = []
        for i in range(0, len(posts), methods.MAX_POST_IDS):
            part = posts[i : i + methods.MAX_POST_IDS]
            out += parse_posts_by_id(self.call(methods.wall_get_by_id(part), deadline=deadline))
        return out

    def wall_get_comments(
        self,
        owner_id: int,
        post_id: int,
        *,
        offset: int = 0,
        comment_id: int | None = None,
        deadline: Deadline | None = None,
    ) -> CommentsPage:
        call = methods.wall_get_comments(owner_id, post_id, offset, comment_id)
        return CommentsPage.model_validate(self.call(call, deadline=deadline))
