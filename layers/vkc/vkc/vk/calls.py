"""A VK call as data, and its outcome: the unit the batcher packs into `execute` and the harvester schedules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vkc.vk.errors import VkError

ParamValue = str | int | float | bool


@dataclass(frozen=True, slots=True)
class VkCall:
    method: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)


@dataclass(slots=True)
class CallResult:
    """Either `value` (the call's `response`) or `error` (a `VkError` carrying its code and policy)."""

    call: VkCall
    value: Any = None
    error: VkError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None
