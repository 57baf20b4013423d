"""Per API key and route class request limits in Redis (GCRA); see `gcra`."""

from __future__ import annotations

from vkc.ratelimit.gcra import Decision, Limit, RateLimiter

__all__ = ["Decision", "Limit", "RateLimiter"]
