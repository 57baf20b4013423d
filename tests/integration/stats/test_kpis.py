"""KPI cards: a period beside the previous one of equal length, figures checked by hand on the known world."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session
from vkc.db.engine import session_scope
from vkc.errors import InvalidInput
from vkc.stats.kpis import kpis
from vkc.stats.scope import Scope

from tests.support.world import World, ts


@pytest.fixture
def s(world: World) -> Iterator[Session]:
    with session_scope() as session:
        yield session


def test_period_against_the_previous_one(s: Session, world: World) -> None:
    # now: c (positive, matched, c1) and d (neutral, spam, c2); before: a and b (negative, matched, c1)
    k = kpis(s, world.workspace_id, Scope(date_from=ts("2024-02-01T00:00:00"), date_to=ts("2024-03-31T00:00:00")))
    assert k.previous_to == k.date_from
    assert k.date_from - k.previous_from == timedelta(days=59)
    assert k.comments.model_dump() == {"current": 2, "previous": 2, "change": 0, "change_pct": 0.0}
    assert k.matched_comments.model_dump() == {"current": 1, "previous": 2, "change": -1, "change_pct": -50.0}
    assert k.negative_share.model_dump() == {"current": 0.0, "previous": 1.0, "change_points": -100.0}
    assert k.spam_share.model_dump() == {"current": 0.5, "previous": 0.0, "change_points": 50.0}
    assert k.communities.model_dump() == {"current": 2, "previous": 1, "change": 1, "change_pct": 100.0}
    assert k.monitored_communities.model_dump() == {"current": 0, "previous": None, "change": None, "change_pct": None}


def test_empty_previous_period_has_no_relative_change(s: Session, world: World) -> None:
    k = kpis(s, world.workspace_id, Scope(date_from=ts("2024-01-01T00:00:00"), date_to=ts("2024-01-31T00:00:00")))
    assert k.comments.model_dump() == {"current": 2, "previous": 0, "change": 2, "change_pct": None}
    assert k.negative_share.model_dump() == {"current": 1.0, "previous": None, "change_points": None}


def test_scope_narrows_and_other_workspaces_never_count(s: Session, world: World) -> None:
    window = {"date_from": ts("2024-01-01T00:00:00"), "date_to": ts("2024-04-01T00:00:00")}
    k = kpis(s, world.workspace_id, Scope(community_id=[world.communities["c2"]], **window))
    assert (k.comments.current, k.spam_share.current, k.communities.current) == (1, 1.0, 1)
    theirs = kpis(s, world.other_workspace_id, Scope(**window))
    assert (theirs.comments.current, theirs.negative_share.current) == (1, 1.0)


def test_window_must_be_forward_and_bounded(s: Session, world: World) -> None:
    with pytest.raises(InvalidInput):
        kpis(s, world.workspace_id, Scope(date_from=ts("2024-02-01T00:00:00"), date_to=ts("2024-01-01T00:00:00")))
    with pytest.raises(InvalidInput):
        kpis(s, world.workspace_id, Scope(date_from=ts("2019-01-01T00:00:00"), date_to=ts("2024-01-01T00:00:00")))
