"""What a method handler may know about the call: the dataset and who is calling."""

from __future__ import annotations

from dataclasses import dataclass

from devtools.vk_emulator.config import TokenType
from devtools.vk_emulator.dataset import Dataset


@dataclass(frozen=True, slots=True)
class CallContext:
    dataset: Dataset
    caller_type: TokenType
    user_id: int | None  # the user behind a user token (users.get without ids, own wall)
