"""The API over HTTP: the key in `X-Api-Key`, problems turned into `ApiError`, network failures into
errors that say what to check."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from vkc_cli import __version__
from vkc_cli.errors import ApiError, CliError

Params = Mapping[str, Any]
RETRYABLE_STATUS = {429, 502, 503, 504}
MAX_ATTEMPTS = 4
MAX_RETRY_WAIT_S = 10.0


class Api:
    def __init__(
        self, endpoint: str, api_key: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None
    ):
        self.endpoint = endpoint
        self._transport = transport
        self._http = httpx.Client(
            base_url=endpoint,
            headers={"X-Api-Key": api_key, "User-Agent": f"vkc/{__version__}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(self, path: str, params: Params | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, json: Any = None) -> Any:
        return self.request("POST", path, json={} if json is None else json)

    def request(self, method: str, path: str, *, params: Params | None = None, json: Any = None) -> Any:
        """The decoded JSON body of a 2xx; `ApiError` otherwise. GETs are retried on 429/5xx and
        dropped connections (with Retry-After); a POST is sent once (it may have started a job)."""
        query = _clean(params)
        attempts = MAX_ATTEMPTS if method == "GET" else 1
        for attempt in range(1, attempts + 1):
            try:
                response = self._http.request(method, path, params=query, json=json)
            except httpx.TransportError as exc:
                if attempt < attempts and not isinstance(exc, httpx.ConnectError):
                    time.sleep(min(MAX_RETRY_WAIT_S, 0.5 * 2.0**attempt))
                    continue
                raise network_error(self.endpoint, exc) from exc
            if response.status_code in RETRYABLE_STATUS and attempt < attempts:
                time.sleep(_retry_after(response, attempt))
                continue
            return decode(response)
        raise AssertionError("unreachable")  # pragma: no cover

    def pages(
        self, path: str, params: Params | None = None, *, limit: int | None = None, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Every item of a keyset-paged list (`items` + `next_cursor`), at most `limit` of them."""
        cursor: str | None = None
        seen = 0
        while True:
            size = page_size if limit is None else min(page_size, limit - seen)
            if size <= 0:
                return
            page = self.get(path, {**(params or {}), "limit": size, "cursor": cursor})
            for item in page.get("items") or []:
                yield item
                seen += 1
            cursor = page.get("next_cursor")
            if not cursor:
                return

    def download(self, url: str, target: Path) -> int:
        """Stream a presigned URL (no API key: it goes to object storage) into `target`; returns bytes."""
        part = target.with_name(f".{target.name}.part")
        written = 0
        try:
            with (
                httpx.Client(transport=self._transport, timeout=httpx.Timeout(60.0, connect=10.0)) as plain,
                plain.stream("GET", url, follow_redirects=True) as response,
            ):
                if response.status_code >= 400:
                    response.read()
                    raise CliError(
                        f"Download failed: HTTP {response.status_code} from the export link.",
                        hint="Links expire; run `vkc export` again for a fresh one.",
                    )
                with part.open("wb") as fh:
                    for chunk in response.iter_bytes(1 << 16):
                        fh.write(chunk)
                        written += len(chunk)
            part.replace(target)
        except httpx.TransportError as exc:
            raise CliError(f"Download failed: {exc}", hint="Check the network and run `vkc export` again.") from exc
        except OSError as exc:
            raise CliError(
                f"Cannot write {target}: {exc.strerror or exc}", hint="Give a writable --output path."
            ) from exc
        finally:
            part.unlink(missing_ok=True)
        return written


def decode(response: httpx.Response) -> Any:
    if response.is_success:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise CliError(
                f"The endpoint answered {response.status_code} with something that is not JSON.",
                hint="Check that the endpoint is the API's base URL (e.g. https://<api-id>.execute-api.<region>.amazonaws.com).",
            ) from exc
    problem = _problem_body(response)
    raise ApiError(response.status_code, problem, hint=_hint_for(response.status_code, problem))


def _problem_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    text = response.text.strip()[:200]
    return {"title": f"HTTP {response.status_code} {response.reason_phrase}".strip(), "detail": text or None}


def _hint_for(status: int, problem: Mapping[str, Any]) -> str | None:
    if status == 401:
        return "Check the API key: `vkc configure --api-key KEY` (or VKC_API_KEY); `vkc configure` shows which is used."
    if status == 403:
        return "This key may not do that, or the endpoint is not this API (check `vkc configure`)."
    if status == 404 and problem.get("message") == "Not Found":
        return "No such route: is the endpoint the API's base URL, and is the CLI as new as the API?"
    if status == 429:
        return "Too many requests: wait a little and try again."
    if status >= 500:
        request_id = problem.get("request_id")
        return f"A server error; quote request id {request_id} when reporting it." if request_id else None
    return None


def network_error(endpoint: str, exc: httpx.TransportError) -> CliError:
    if isinstance(exc, httpx.ConnectError):
        local = any(h in endpoint for h in ("127.0.0.1", "localhost", "[::1]"))
        hint = (
            "Is the local stack running? Start it with `make up` (then `vkc configure --local`)."
            if local
            else "Check the endpoint (`vkc configure` shows it) and your network."
        )
        return CliError(f"Cannot connect to {endpoint}: {_reason(exc)}", hint=hint)
    if isinstance(exc, httpx.TimeoutException):
        return CliError(f"{endpoint} did not answer in time.", hint="Try again; raise --timeout for slow links.")
    return CliError(f"Network error talking to {endpoint}: {_reason(exc)}", hint="Check the endpoint and your network.")


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__


def _retry_after(response: httpx.Response, attempt: int) -> float:
    value = str(response.headers.get("Retry-After", ""))
    try:
        return min(MAX_RETRY_WAIT_S, max(0.0, float(value)))
    except ValueError:
        return min(MAX_RETRY_WAIT_S, 0.5 * 2.0**attempt)


def _clean(params: Params | None) -> list[tuple[str, str | int | float | bool | None]]:
    """Query pairs without Nones; lists repeat the name; booleans as true/false."""
    out: list[tuple[str, str | int | float | bool | None]] = []
    for key, value in (params or {}).items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if v is None:
                continue
            out.append((key, ("true" if v else "false") if isinstance(v, bool) else str(v)))
    return out
