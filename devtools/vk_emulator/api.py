"""The dispatcher: VK's checks in VK's order, then the method, then the JSON envelope.

Order of checks: token (5), version (8), method (3), token type (27/28), per-second window (6),
daily quota (29), injected faults; then the handler under the dataset lock. Configured latency is
slept before any lock is taken, so concurrent requests overlap like they do against VK.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from devtools.vk_emulator.config import EmulatorConfig, FaultConfig, TokenType, token_type
from devtools.vk_emulator.dataset import Dataset
from devtools.vk_emulator.errors import VkApiError
from devtools.vk_emulator.execute import run_execute
from devtools.vk_emulator.faults import FaultInjector
from devtools.vk_emulator.limits import DailyQuotas, RateWindow
from devtools.vk_emulator.methods import METHODS, wrong_token_error
from devtools.vk_emulator.methods.context import CallContext
from devtools.vk_emulator.params import Params
from devtools.vk_emulator.rawjson import encode
from devtools.vk_emulator.stats import Stats

log = logging.getLogger(__name__)

MIN_VERSION = (5, 81)
_HTTP_FAULT_STATUSES = (500, 502, 503, 504)


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"


def _version_ok(v: str) -> bool:
    try:
        major, _, minor = v.strip().partition(".")
        return (int(major), int(minor or 0)) >= MIN_VERSION
    except ValueError:
        return False


class ApiCore:
    """Holds tokens, limits, faults, latency and stats; answers one `/method/<name>` call."""

    def __init__(self, config: EmulatorConfig, dataset: Dataset) -> None:
        self.dataset = dataset
        self.tokens: dict[str, TokenType] = {t: token_type(kind) for t, kind in config.tokens.items()}
        self.token_users = dict(config.token_user_ids)
        self.rate_limits = config.rate_limits
        self.rps: dict[str, int] = dict(config.rps)
        self.quotas: dict[str, int] = dict(config.quotas)
        self.latency_ms = config.latency_ms
        self.inner_latency_ms = config.execute_inner_latency_ms
        self.max_calls = config.execute_max_calls
        self.max_response_bytes = config.execute_max_response_bytes
        self.max_ops = config.execute_max_operations
        self.error_echo = config.execute_error_echo
        self.window = RateWindow()
        self.daily = DailyQuotas()
        self.faults = FaultInjector(config.faults)
        self.stats = Stats()
        self.stopping = threading.Event()
        self._http_rng = random.Random(0)
        with dataset.lock:
            active = sorted(u.id for u in dataset.users.values() if u.deactivated is None)
        self._default_user = active[0] if active else None

    # ---- runtime controls --------------------------------------------------------------------

    def set_faults(self, faults: FaultConfig) -> None:
        self.faults.set(faults)

    def reset_limits(self) -> None:
        self.window.reset()
        self.daily.reset()

    def add_token(self, token: str, kind: str, user_id: int | None = None) -> None:
        self.tokens[token] = token_type(kind)
        if user_id is not None:
            self.token_users[token] = user_id

    def _sleep(self, ms: float) -> None:
        if ms > 0:
            self.stopping.wait(ms / 1000.0)

    # ---- one request -------------------------------------------------------------------------

    def handle(self, method: str, pairs: Iterable[tuple[str, str]], bearer: str | None = None) -> Reply:
        raw: dict[str, str] = {}
        for key, value in pairs:
            raw[key] = value
        token = raw.pop("access_token", "") or (bearer or "")
        echo = [{"key": "method", "value": method}, {"key": "oauth", "value": "1"}]
        if "v" in raw:
            echo.append({"key": "v", "value": raw["v"]})
        echo.extend({"key": k, "value": v} for k, v in raw.items() if k != "v")
        try:
            try:
                return self._dispatch(method, raw, token)
            except VkApiError:
                raise
            except Exception:
                # An emulator bug must not look like a network failure: answer as VK does (10).
                log.exception("vk_emulator: %s failed", method)
                raise VkApiError(10) from None
        except VkApiError as exc:
            self.stats.error(exc.code)
            return Reply(
                200,
                encode({"error": {"error_code": exc.code, "error_msg": exc.msg, "request_params": echo, **exc.extra}}),
            )

    def _dispatch(self, method: str, raw: dict[str, str], token: str) -> Reply:
        ttype = self.tokens.get(token)
        self.stats.request(token if ttype is not None else "<invalid>", method)
        self._sleep(self.latency_ms)
        if ttype is None:
            raise VkApiError(5) if token else VkApiError(5, "no access_token passed.")
        if not _version_ok(raw.pop("v", "")):
            raise VkApiError(8)
        spec = METHODS.get(method)
        if spec is None:
            raise VkApiError(3)
        if ttype not in spec.allowed:
            raise VkApiError(wrong_token_error(ttype))
        if self.rate_limits and not self.window.admit(token, self.rps.get(ttype, 3)):
            raise VkApiError(6)
        self._take_quota(token, method)
        answered = "captcha_sid" in raw and "captcha_key" in raw
        kind = self.faults.roll(method, captcha_answered=answered)
        if kind is not None:
            self.stats.fault(kind)
            if kind == "http5xx":
                status = self._http_rng.choice(_HTTP_FAULT_STATUSES)
                body = f"<html><body><h1>{status} Server Error</h1>nginx</body></html>".encode()
                return Reply(status, body, "text/html; charset=utf-8")
            if kind == "hang":
                self._sleep(self.faults.config.hang_seconds * 1000.0)
            else:
                raise self.faults.error(kind)
        for key in ("captcha_sid", "captcha_key"):
            raw.pop(key, None)
        params = Params(raw)
        if method == "execute":
            return self._execute(token, ttype, params)
        ctx = CallContext(self.dataset, ttype, self._user_id(token, ttype))
        assert spec.handler is not None
        with self.dataset.lock:
            result = spec.handler(ctx, params)
        return Reply(200, encode({"response": result}))

    def _take_quota(self, token: str, method: str) -> None:
        limit = self.quotas.get(method)
        if limit is not None and not self.daily.take(token, method, limit):
            raise VkApiError(29)

    def _user_id(self, token: str, ttype: TokenType) -> int | None:
        if ttype != "user":
            return None
        return self.token_users.get(token, self._default_user)

    # ---- execute -----------------------------------------------------------------------------

    def _execute(self, token: str, ttype: TokenType, params: Params) -> Reply:
        def inner(method: str, values: dict[str, str]) -> Any:
            return self.call_inner(token, ttype, method, values)

        value, errors = run_execute(params, inner, max_calls=self.max_calls, max_ops=self.max_ops, echo=self.error_echo)
        envelope: dict[str, Any] = {"response": value}
        if errors:
            envelope["execute_errors"] = errors
        body = encode(envelope)
        if len(body) > self.max_response_bytes:
            raise VkApiError(13, "response size is too big")
        return Reply(200, body)

    def call_inner(self, token: str, ttype: TokenType, method: str, values: Mapping[str, str]) -> Any:
        """One API call made from inside execute: quotas count, the per-second window does not."""
        self.stats.inner_call(token, method)
        try:
            return self._inner(token, ttype, method, values)
        except VkApiError as exc:
            self.stats.inner_error(exc.code)
            raise

    def _inner(self, token: str, ttype: TokenType, method: str, values: Mapping[str, str]) -> Any:
        spec = METHODS.get(method)
        if spec is None or spec.handler is None:
            raise VkApiError(3)
        if ttype not in spec.allowed:
            raise VkApiError(wrong_token_error(ttype))
        self._take_quota(token, method)
        kind = self.faults.roll(method, inner=True)
        if kind is not None:
            self.stats.fault(f"inner:{kind}")
            raise self.faults.error(kind)
        self._sleep(self.inner_latency_ms)
        ctx = CallContext(self.dataset, ttype, self._user_id(token, ttype))
        params = Params({k: v for k, v in values.items() if k not in ("access_token", "v")})
        with self.dataset.lock:
            return spec.handler(ctx, params)
