"""Fault injection: decides, per call, whether to fail and how (5xx, hang, or a VK error)."""

from __future__ import annotations

import random
import threading

from devtools.vk_emulator.config import API_FAULT_KINDS, FaultConfig
from devtools.vk_emulator.errors import VkApiError


class FaultInjector:
    """Thread-safe dice for the current FaultConfig; replaceable at runtime."""

    def __init__(self, config: FaultConfig) -> None:
        self._lock = threading.Lock()
        self._config = config
        self._rng = random.Random(config.seed)
        self._captcha_sid = 100_000_000_000

    @property
    def config(self) -> FaultConfig:
        return self._config

    def set(self, config: FaultConfig) -> None:
        with self._lock:
            self._config = config
            self._rng = random.Random(config.seed)

    def roll(self, method: str, *, inner: bool = False, captcha_answered: bool = False) -> str | None:
        """The fault kind to inject for this call, or None. Inner calls only get API errors."""
        cfg = self._config
        probability = cfg.inner_probability if inner else cfg.probability
        if probability <= 0.0 or (cfg.methods is not None and method not in cfg.methods):
            return None
        kinds = [k for k in cfg.kinds if (k in API_FAULT_KINDS or not inner) and not (k == "14" and captcha_answered)]
        if not kinds:
            return None
        with self._lock:
            if self._rng.random() >= probability:
                return None
            return self._rng.choice(kinds)

    def error(self, kind: str) -> VkApiError:
        """The VK error for an API-error kind; captcha errors carry a fresh sid and image URL."""
        code = int(kind)
        if code != 14:
            return VkApiError(code)
        with self._lock:
            self._captcha_sid += 1
            sid = str(self._captcha_sid)
        return VkApiError(
            14, extra={"captcha_sid": sid, "captcha_img": f"https://api.vk.com/captcha.php?sid={sid}&s=1"}
        )
