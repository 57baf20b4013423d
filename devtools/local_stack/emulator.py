"""Start the VK API emulator (devtools.vk_emulator) for VK_API_URL, if it is importable.

The emulator is developed separately; until it lands (or if it fails to import) the stack runs
without it and says so, leaving VK_API_URL unset (or the developer's own VK_API_URL).
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass, field
from typing import Any

#: Dev tokens the emulator accepts (token → type). Not secrets: they only open the local emulator.
DEV_VK_TOKENS: dict[str, str] = {
    "local-user-token-1": "user",
    "local-user-token-2": "user",
    "local-service-token-1": "service",
}


@dataclass
class RunningEmulator:
    url: str | None
    tokens: dict[str, str] = field(default_factory=dict)
    handle: Any = None
    message: str = ""

    @property
    def vk_api_url(self) -> str | None:
        """What VK_API_URL should be: the emulator's /method, else whatever the developer set."""
        if self.url:
            base = self.url.rstrip("/")
            return base if base.endswith("/method") else f"{base}/method"
        return os.environ.get("VK_API_URL") or None

    def stop(self) -> None:
        if self.handle is not None:
            self.handle.stop()
            self.handle = None


def start_vk_emulator(
    *, preset: str = "small", seed: int = 42, host: str = "127.0.0.1", port: int = 0
) -> RunningEmulator:
    """Contract: EmulatorConfig(dataset=generate_dataset(preset, seed), tokens, host, port) → .url, .stop()."""
    try:
        vk = importlib.import_module("devtools.vk_emulator")
        emulator_config, generate_dataset, start_emulator = vk.EmulatorConfig, vk.generate_dataset, vk.start_emulator
    except (ImportError, AttributeError) as exc:
        message = (
            f"VK emulator unavailable ({exc}); VK_API_URL is "
            + (f"{os.environ['VK_API_URL']} (from your environment)" if os.environ.get("VK_API_URL") else "unset")
            + ": parse jobs cannot reach a VK API."
        )
        print(f"[local-stack] {message}", file=sys.stderr)
        return RunningEmulator(url=None, message=message)
    config = emulator_config(
        dataset=generate_dataset(preset=preset, seed=seed), tokens=dict(DEV_VK_TOKENS), host=host, port=port
    )
    handle = start_emulator(config)
    return RunningEmulator(url=str(handle.url), tokens=dict(DEV_VK_TOKENS), handle=handle)
