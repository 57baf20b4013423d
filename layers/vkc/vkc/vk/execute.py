"""Packing calls into `execute` (≤ 25 per request) and unpacking the answers slot by slot.

VK runs `return [API.m1({...}), API.m2({...}), …];` as one request against the rate limit. A failed
inner call evaluates to `false` and appends an entry to `execute_errors`; a failure can be listed twice
(under the inner method and again under `execute`), so slots are matched to entries by method and in
order, never by position or count. `null` instead of a list means every call failed. Error 13 on the
whole execute (response too big) means: split the batch in halves and send each half.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from vkc.vk.calls import CallResult, VkCall
from vkc.vk.errors import VkApiError, VkBadResponseError
from vkc.vk.transport import Envelope, api_error_from

MAX_CALLS = 25


def build_code(calls: Sequence[VkCall]) -> str:
    """VKScript returning one slot per call; parameters as JSON object literals."""
    if not 0 < len(calls) <= MAX_CALLS:
        raise ValueError(f"an execute holds 1..{MAX_CALLS} calls, got {len(calls)}")
    parts = [f"API.{c.method}({json.dumps(dict(c.params), ensure_ascii=False, separators=(',', ':'))})" for c in calls]
    return "return [" + ",".join(parts) + "];"


def inner_counts(calls: Sequence[VkCall]) -> dict[str, int]:
    """Calls per method: what the quota counters are charged with."""
    return dict(Counter(c.method for c in calls))


def chunks(calls: Sequence[VkCall], size: int = MAX_CALLS) -> list[list[VkCall]]:
    return [list(calls[i : i + size]) for i in range(0, len(calls), size)]


def halves(calls: Sequence[VkCall]) -> tuple[list[VkCall], list[VkCall]]:
    mid = (len(calls) + 1) // 2
    return list(calls[:mid]), list(calls[mid:])


def unpack(calls: Sequence[VkCall], envelope: Envelope) -> list[CallResult]:
    """One `CallResult` per call: its value, or the `execute_errors` entry its `false` slot stands for."""
    response = envelope.response
    if response is None:
        response = [False] * len(calls)
    if not isinstance(response, list) or len(response) != len(calls):
        raise VkBadResponseError("execute returned a different number of slots", method="execute")
    entries = list(envelope.execute_errors)
    taken = [False] * len(entries)
    results: list[CallResult] = []
    for call, value in zip(calls, response, strict=True):
        if value is not False:
            results.append(CallResult(call, value=value))
            continue
        match = next(
            (i for i, e in enumerate(entries) if not taken[i] and e.get("method") == call.method),
            None,
        )
        if match is None:
            error = VkApiError(0, "false slot without an execute_errors entry", method=call.method)
        else:
            taken[match] = True
            error = api_error_from(entries[match], method=call.method)
        results.append(CallResult(call, error=error))
    return results
