"""`vkc.vk` re-exports its submodules' names lazily (importing one submodule must not load the client)."""

from __future__ import annotations

import pytest
import vkc.vk as vk


def test_every_exported_name_resolves_to_its_submodules_object() -> None:
    assert set(vk.__all__) == set(vk._SOURCE)
    for name in vk.__all__:
        value = getattr(vk, name)
        assert getattr(value, "__module__", vk._SOURCE[name]) == vk._SOURCE[name], name
        assert name in dir(vk)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        vk.Nope  # type: ignore[attr-defined]  # noqa: B018
