from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.support.world import World, build_world


@pytest.fixture(scope="module")
def world(settings: object) -> World:
    from vkc.db.engine import get_engine

    return build_world(get_engine())


@pytest.fixture
def fresh_world(engine: Engine) -> World:
    """A world of its own, for tests that change moderation flags."""
    return build_world(engine)
