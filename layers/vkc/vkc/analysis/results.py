"""Plain result records of the engine, and their JSON form.

Why not pydantic here: ``Analyzer.analyze`` builds five of these per comment (plus one per match),
and pydantic's construction cost about 13 µs of a comment's ~90. The engine fills every field
itself, so there is nothing to validate; pydantic stays at the API edge (``analysis_store``'s
schemas), which copies these fields into its own models.

The records are dataclasses with ``slots`` and a hash, but not ``frozen``: a frozen dataclass
sets each field through ``object.__setattr__``, which made one ``Match`` cost 3 µs instead of
0.5. Treat them as read-only all the same (the analyze task shares one result between rows with
the same text).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import Enum
from operator import attrgetter
from typing import Any


def _plain(value: Any, json_mode: bool) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name), json_mode) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        out = [_plain(v, json_mode) for v in value]
        return out if json_mode else type(value)(out)
    if json_mode and isinstance(value, Enum):
        return value.value
    return value


_GETTERS: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _fields_getter(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    names = [f.name for f in dataclasses.fields(cls)]
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    getter: Callable[[Any], tuple[Any, ...]] = attrgetter(*names)
    return getter


class DumpMixin:
    """``model_dump`` as pydantic spelled it, for callers that turned a result into a dict."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        """Pickle as the class and its fields in order (rebuilt by the plain constructor): about
        half the cost of the default slots state, for results sent between processes."""
        cls = type(self)
        getter = _GETTERS.get(cls)
        if getter is None:
            getter = _GETTERS[cls] = _fields_getter(cls)
        return cls, getter(self)

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        """Fields as a dict; ``mode="json"``: lists instead of tuples, enums as their values."""
        out = _plain(self, mode == "json")
        assert isinstance(out, dict)
        return out
