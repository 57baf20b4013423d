"""Emulator settings: what a test or the CLI may tune (tokens, limits, latency, faults, execute caps)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from devtools.vk_emulator.dataset import Dataset

TokenType = Literal["user", "service", "community"]
TOKEN_TYPES: tuple[TokenType, ...] = ("user", "service", "community")
TOKEN_TYPE_ALIASES: dict[str, TokenType] = {
    "user": "user",
    "service": "service",
    "community": "community",
    "group": "community",
}

FAULT_KINDS = ("http5xx", "hang", "1", "6", "9", "10", "14")
API_FAULT_KINDS = ("1", "6", "9", "10", "14")

DEFAULT_RPS: dict[TokenType, int] = {"user": 3, "service": 3, "community": 20}
DEFAULT_QUOTAS: dict[str, int] = {"wall.get": 5000}


def token_type(name: str) -> TokenType:
    """Accept VK's word "group" as well as "community" for community tokens."""
    try:
        return TOKEN_TYPE_ALIASES[name.lower()]
    except KeyError:
        raise ValueError(f"unknown token type {name!r}; use user, service or community") from None


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """Random failures: each request fails with `probability`, picking one of `kinds` uniformly.

    Kinds: "http5xx" (a 5xx from the gateway), "hang" (sleep `hang_seconds`, then answer, to trip
    client timeouts) and the API errors "1", "6", "9", "10", "14" (14 carries captcha_sid/captcha_img).
    `inner_probability` applies the API-error kinds to execute's inner calls (they become `false`).
    `methods` restricts injection to those method names (None = all).
    """

    probability: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    hang_seconds: float = 30.0
    inner_probability: float = 0.0
    methods: tuple[str, ...] | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        unknown = [k for k in self.kinds if k not in FAULT_KINDS]
        if unknown:
            raise ValueError(f"unknown fault kinds {unknown}; allowed: {FAULT_KINDS}")
        if not 0.0 <= self.probability <= 1.0 or not 0.0 <= self.inner_probability <= 1.0:
            raise ValueError("fault probabilities must be within [0, 1]")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaultConfig:
        """Build from the admin endpoint's JSON body (unknown keys are an error)."""
        allowed = {"probability", "kinds", "hang_seconds", "inner_probability", "methods", "seed"}
        extra = set(data) - allowed
        if extra:
            raise ValueError(f"unknown fault settings {sorted(extra)}")
        kinds = tuple(str(k) for k in data.get("kinds", FAULT_KINDS))
        methods = data.get("methods")
        return cls(
            probability=float(data.get("probability", 0.0)),
            kinds=kinds,
            hang_seconds=float(data.get("hang_seconds", 30.0)),
            inner_probability=float(data.get("inner_probability", 0.0)),
            methods=tuple(str(m) for m in methods) if methods is not None else None,
            seed=int(data["seed"]) if data.get("seed") is not None else None,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "probability": self.probability,
            "kinds": list(self.kinds),
            "hang_seconds": self.hang_seconds,
            "inner_probability": self.inner_probability,
            "methods": list(self.methods) if self.methods is not None else None,
            "seed": self.seed,
        }


@dataclass(slots=True)
class EmulatorConfig:
    """Everything `start_emulator` needs. `dataset=None` generates the `small` preset with seed 42.

    `tokens` maps a token string to "user", "service" or "community". `quotas` are daily
    per-(token, method) call limits (error 29); an empty mapping disables them. `rate_limits=False`
    turns off the per-second window (error 6). Latencies are slept without holding any lock.
    """

    dataset: Dataset | None = None
    tokens: Mapping[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    port: int = 0
    rate_limits: bool = True
    rps: Mapping[str, int] = field(default_factory=lambda: {str(k): v for k, v in DEFAULT_RPS.items()})
    quotas: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_QUOTAS))
    latency_ms: float = 0.0
    execute_inner_latency_ms: float = 0.0
    faults: FaultConfig = field(default_factory=FaultConfig)
    execute_max_calls: int = 25
    execute_max_response_bytes: int = 5 * 1024 * 1024
    execute_max_operations: int = 200_000
    execute_error_echo: bool = False
    token_user_ids: Mapping[str, int] = field(default_factory=dict)
