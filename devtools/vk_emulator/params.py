"""Request parameters as VK reads them: strings in, typed values out, error 100 on bad input."""

from __future__ import annotations

from collections.abc import Mapping

from devtools.vk_emulator.errors import param_error


class Params:
    """A method's parameters (already without access_token and v)."""

    __slots__ = ("raw",)

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = dict(raw)

    def has(self, name: str) -> bool:
        return self.raw.get(name, "") != ""

    def get_str(self, name: str, default: str = "") -> str:
        return self.raw.get(name, default) or default

    def get_int(self, name: str, default: int | None = None) -> int:
        value = self.raw.get(name, "")
        if value == "":
            if default is None:
                raise param_error(f"{name} is undefined")
            return default
        try:
            return int(value)
        except ValueError:
            raise param_error(f"{name} not integer") from None

    def optional_int(self, name: str) -> int | None:
        return self.get_int(name) if self.has(name) else None

    def flag(self, name: str) -> bool:
        """VK flags: 1/0, also true/false as clients send them."""
        value = self.raw.get(name, "").strip().lower()
        return value not in ("", "0", "false", "no")

    def get_list(self, name: str) -> list[str]:
        return [item.strip() for item in self.raw.get(name, "").split(",") if item.strip()]

    def clamp(self, name: str, default: int, low: int, high: int) -> int:
        """VK silently clamps `count`-like values into range."""
        return max(low, min(high, self.get_int(name, default)))
