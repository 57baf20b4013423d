from __future__ import annotations

import pytest

from tests.support.world import World, build_world


@pytest.fixture(scope="module")
def world(settings: object) -> World:
    from vkc.db.engine import get_engine

    return build_world(get_engine())
