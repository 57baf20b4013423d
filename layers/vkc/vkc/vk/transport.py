"""One HTTP exchange with VK: a form-encoded POST to `{vk_api_url}/{method}` with `v=5.199`.

The transport knows nothing about retries, tokens' health or batching: it turns one exchange into
either the decoded envelope or one exception of `vkc.vk.errors`. Tokens travel in the POST body (never
in the URL), and no httpx exception escapes: httpx errors carry the request, whose body holds the token,
so each is replaced by our own class naming only the method and the failure kind (`from None`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from vkc.observability import instrument
from vkc.vk.errors import (
    VkApiError,
    VkBadResponseError,
    VkConnectionError,
    VkHttpStatusError,
    VkTimeoutError,
)
from vkc.vk.tokens import VkToken

log = logging.getLogger(__name__)

Params = Mapping[str, str | int | float | bool]


@dataclass(slots=True)
class Envelope:
    """A successful answer: `response` plus, for execute, the inner calls' `execute_errors`."""

    response: Any
    execute_errors: list[dict[str, Any]] = field(default_factory=list)
    elapsed_s: float = 0.0


def redact(text: str, secret: str) -> str:
    return text.replace(secret, "***") if secret and secret in text else text


def _form_value(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def api_error_from(payload: Mapping[str, Any], *, method: str, secret: str = "") -> VkApiError:
    """Build a `VkApiError` from VK's `error` object or an `execute_errors` entry."""
    code = payload.get("error_code")
    message = redact(str(payload.get("error_msg", "")), secret)[:500]
    params: dict[str, str] = {}
    for item in payload.get("request_params") or []:
        if isinstance(item, dict) and item.get("key") not in ("access_token", None):
            params[str(item["key"])] = redact(str(item.get("value", "")), secret)[:200]
    extra = {
        k: v
        for k, v in payload.items()
        if k in ("captcha_sid", "captcha_img", "redirect_uri", "error_subcode", "confirmation_text")
    }
    inner_method = payload.get("method")
    return VkApiError(
        int(code) if isinstance(code, int | str) and str(code).lstrip("-").isdigit() else -1,
        message,
        method=str(inner_method) if inner_method else params.get("method", method),
        params=params,
        extra=extra,
    )


class VkTransport:
    """Thread-safe (httpx.Client is): one instance per process, shared by the client's threads."""

    def __init__(
        self,
        base_url: str,
        *,
        version: str = "5.199",
        timeout_s: float = 10.0,
        http_client: httpx.Client | None = None,
        max_connections: int = 32,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.version = version
        self.timeout_s = timeout_s
        self._own_client = http_client is None
        if self._own_client:
            instrument("httpx")
        self._http = http_client or httpx.Client(
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={"Accept": "application/json"},
        )

    def close(self) -> None:
        if self._own_client:
            self._http.close()

    def post(self, method: str, params: Params, token: VkToken, *, timeout_s: float | None = None) -> Envelope:
        """One exchange. Raises a `VkTransportError` or a `VkApiError`; never an httpx error."""
        secret = token.reveal()
        data = {k: _form_value(v) for k, v in params.items()}
        data["v"] = self.version
        data["access_token"] = secret
        timeout = min(self.timeout_s, timeout_s) if timeout_s is not None else self.timeout_s
        started = time.monotonic()
        try:
            resp = self._http.post(f"{self.base_url}/{method}", data=data, timeout=max(timeout, 0.05))
        except httpx.TimeoutException as exc:
            raise VkTimeoutError(f"{type(exc).__name__} on {method} after {timeout:.1f}s", method=method) from None
        except httpx.HTTPError as exc:
            raise VkConnectionError(f"{type(exc).__name__} on {method}", method=method) from None
        finally:
            del data, secret
        elapsed = time.monotonic() - started
        if not 200 <= resp.status_code < 300:
            raise VkHttpStatusError(resp.status_code, method=method)
        try:
            body = json.loads(resp.content)  # JSON ints stay Python ints (never via float)
        except ValueError:
            raise VkBadResponseError(f"non-JSON body on {method}", method=method) from None
        if not isinstance(body, dict):
            raise VkBadResponseError(f"unexpected body type on {method}", method=method)
        if "error" in body:
            error = body["error"]
            if not isinstance(error, dict):
                raise VkBadResponseError(f"malformed error object on {method}", method=method)
            raise api_error_from(error, method=method, secret=token.reveal())
        if "response" not in body:
            raise VkBadResponseError(f"no response field on {method}", method=method)
        errors = body.get("execute_errors") or []
        log.debug("vk %s token=%s %.0fms", method, token.id, elapsed * 1000)
        return Envelope(body["response"], [e for e in errors if isinstance(e, dict)], elapsed)
