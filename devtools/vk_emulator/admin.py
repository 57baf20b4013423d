"""Admin endpoints under `/_emulator/`: runtime switches, mutations, stats and ground truth over HTTP.

They mirror the Python API of the running emulator so tests in another process (the local stack,
e2e runs) can drive it the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from devtools.vk_emulator.config import FaultConfig

if TYPE_CHECKING:
    from devtools.vk_emulator.server import Emulator

Route = Callable[["Emulator", dict[str, Any]], tuple[int, Any]]


class AdminError(Exception):
    """A bad admin request (HTTP 400)."""


def _require(body: dict[str, Any], *names: str) -> list[Any]:
    missing = [n for n in names if n not in body]
    if missing:
        raise AdminError(f"missing fields: {', '.join(missing)}")
    return [body[n] for n in names]


def _health(emu: Emulator, body: dict[str, Any]) -> tuple[int, Any]:
    return 200, {"ok": True, "url": emu.url}


def _stats(emu: Emulator, body: dict[str, Any]) -> tuple[int, Any]:
    return 200, emu.stats()


def _reset_limits(emu: Emulator, body: dict[str, Any]) -> tuple[int, Any]:
    emu.reset_limits()
    return 200, {"ok": True}


def _reset_stats(emu: Emulator, body: dict[str, Any]) -> tuple[int, Any]:
    emu.core.stats.reset()
    return 200, {"ok": True}


def _get_faults(emu: Emulator, body: dict[str, Any]) -> tuple[int, Any]:
    return 200, emu.core.faults.config.to_json()


def _put_faults(emu: Emulator, body: dict[str, Any]) -> tuple[int, Any]:
    try:
        faults = FaultConfig.from_json(body)
    except (ValueError, TypeError) as exc:
        raise AdminError(str(exc)) from None
    emu.set_faults(faults)
    return 200, faults.to_json()


def _put_limits(emu: Emulator, body: dict[str, Any]) -> tuple[int, Any]:
    emu.set_limits(
        rate_limits=bool(body["rate_limits"]) if "rate_limits" in body else None,
        rps={str(k): int(v) for k, v in body["rps"].items()} if "rps" in body else None,
        quotas={str(k): int(v) for k, v in body["quotas"].items()} if "quotas" in body else None,
    )
    core = emu.core
    return 200, {"rate_limits": core.rate_limits, "rps": core.rps, "quotas": core.quotas}


def _put_latency(emu: Emulator, body: dict[str, Any]) -> tuple[int, Any]:
    emu.set_latency(
        latency_ms=float(body["latency_ms"]) if "latency_ms" in body else None,
        execute_inner_latency_ms=float(body["execute_inner_latency_ms"])
        if "execute_inner_latency_ms" in body
        else None,
    )
    return 200, {"latency_ms": emu.core.latency_ms, "execute_inner_latency_ms": emu.core.inner_latency_ms}


def _post_token(emu: Emulator, body: dict[str, Any]) -> tuple[int, Any]:
    token, kind = _require(body, "token", "type")
    try:
        emu.core.add_token(str(token), str(kind), int(body["user_id"]) if body.get("user_id") is not None else None)
    except ValueError as exc:
        raise AdminError(str(exc)) from None
    return 201, {"ok": True}


def _post_post(emu: Emulator, body: dict[str, Any]) -> tuple[int, Any]:
    owner_id, text = _require(body, "owner_id", "text")
    from_id = body.get("from_id")
    try:
        post_id = emu.add_post(int(owner_id), str(text), from_id=None if from_id is None else int(from_id))
    except KeyError as exc:
        raise AdminError(str(exc)) from None
    return 201, {"post_id": post_id}


def _post_comment(emu: Emulator, body: dict[str, Any]) -> tuple[int, Any]:
    owner_id, post_id, text, from_id = _require(body, "owner_id", "post_id", "text", "from_id")
    reply_to = body.get("reply_to")
    try:
        comment_id = emu.add_comment(
            int(owner_id), int(post_id), str(text), int(from_id), reply_to=None if reply_to is None else int(reply_to)
        )
    except KeyError as exc:
        raise AdminError(str(exc)) from None
    return 201, {"comment_id": comment_id}


def _ground_truth(emu: Emulator, body: dict[str, Any]) -> tuple[int, Any]:
    return 200, emu.dataset.ground_truth()


def _dataset(emu: Emulator, body: dict[str, Any]) -> tuple[int, Any]:
    return 200, emu.dataset.to_dict()


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "health"): _health,
    ("GET", "stats"): _stats,
    ("POST", "reset-limits"): _reset_limits,
    ("POST", "reset-stats"): _reset_stats,
    ("GET", "faults"): _get_faults,
    ("PUT", "faults"): _put_faults,
    ("PUT", "limits"): _put_limits,
    ("PUT", "latency"): _put_latency,
    ("POST", "tokens"): _post_token,
    ("POST", "posts"): _post_post,
    ("POST", "comments"): _post_comment,
    ("GET", "ground-truth"): _ground_truth,
    ("GET", "dataset"): _dataset,
}


def route(emu: Emulator, verb: str, name: str, body: dict[str, Any]) -> tuple[int, Any]:
    """(HTTP status, JSON body) for an admin request."""
    handler = ROUTES.get((verb, name))
    if handler is None:
        known = sorted({n for _, n in ROUTES})
        return 404, {"error": f"no admin endpoint {verb} /_emulator/{name}", "endpoints": known}
    try:
        return handler(emu, body)
    except (AdminError, ValueError, TypeError, AttributeError) as exc:
        return 400, {"error": str(exc)}
