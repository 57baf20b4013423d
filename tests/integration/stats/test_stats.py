"""Statistics against the known world: every figure checked by hand, another workspace never counted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session
from vkc.db.engine import session_scope
from vkc.errors import InvalidInput
from vkc.stats import authors, breakdowns, lemmas, sentiment, timeline, totals
from vkc.stats.schemas import Interval, SentimentGroup
from vkc.stats.scope import Scope

from tests.support.world import World, ts


@pytest.fixture
def s(world: World) -> Iterator[Session]:
    with session_scope() as session:
        yield session


def test_workspace_totals(s: Session, world: World) -> None:
    t = totals.workspace_totals(s, world.workspace_id)
    assert t.model_dump() == {
        "communities": 2,
        "posts": 3,
        "comments": 5,
        "replies": 1,
        "authors": 4,
        "analyzed_comments": 4,
        "matched_comments": 3,
        "matches": 5,
        "keywords": 3,
        "active_keywords": 3,
        "viewed_comments": 1,
        "archived_comments": 1,
    }
    other = totals.workspace_totals(s, world.other_workspace_id)
    assert (other.comments, other.matches, other.communities) == (1, 1, 1)


def test_per_community(s: Session, world: World) -> None:
    rows = breakdowns.per_community(s, world.workspace_id, Scope(), 50)
    got = [(r.name, r.posts, r.comments, r.replies, r.matched_comments, r.matches, r.authors) for r in rows]
    assert got == [("Городские новости", 2, 3, 1, 3, 5, 2), ("Барахолка", 1, 2, 0, 0, 0, 2)]
    assert rows[0].last_comment_at == ts("2024-02-01T08:30:00")
    assert rows[1].last_comment_at == ts("2024-03-05T12:00:00")  # the undated comment does not count
    scoped = breakdowns.per_community(s, world.workspace_id, Scope(date_from=ts("2024-03-01T00:00:00")), 50)
    assert [(r.name, r.comments) for r in scoped] == [("Барахолка", 1), ("Городские новости", 0)]


def test_per_keyword_counts_matches_and_distinct_comments(s: Session, world: World) -> None:
    rows = breakdowns.per_keyword(s, world.workspace_id, Scope(), 50)
    assert [(r.text, r.category, r.matches, r.matched_comments) for r in rows] == [
        ("банк", "finance", 3, 2),
        ("кредит", "finance", 1, 1),
        ("школа", "education", 1, 1),
    ]
    scoped = breakdowns.per_keyword(s, world.workspace_id, Scope(community_id=[world.communities["c2"]]), 50)
    assert [(r.text, r.matches) for r in scoped] == [("банк", 0), ("кредит", 0), ("школа", 0)]


def test_per_category(s: Session, world: World) -> None:
    rows = breakdowns.per_category(s, world.workspace_id, Scope(), 50)
    assert [(r.category, r.keywords, r.matches, r.matched_comments) for r in rows] == [
        ("finance", 2, 4, 2),
        ("education", 1, 1, 1),
    ]


def test_timeline_per_day_in_a_time_zone(s: Session, world: World) -> None:
    scope = Scope(date_from=ts("2024-01-09T00:00:00"), date_to=ts("2024-01-11T00:00:00"))
    utc = timeline.timeline(s, world.workspace_id, scope, interval=Interval.DAY, tz="UTC")
    assert [(p.start.isoformat(), p.comments, p.matched_comments, p.negative) for p in utc.points] == [
        ("2024-01-09T00:00:00+00:00", 0, 0, 0),
        ("2024-01-10T00:00:00+00:00", 2, 2, 2),
    ]
    # UTC-11: a (10:00Z) is 23:00 on the 9th local, b (11:00Z) is 00:00 on the 10th
    samoa = timeline.timeline(s, world.workspace_id, scope, interval=Interval.DAY, tz="Pacific/Pago_Pago")
    assert [(p.start.isoformat(), p.comments) for p in samoa.points] == [
        ("2024-01-08T00:00:00-11:00", 0),
        ("2024-01-09T00:00:00-11:00", 1),
        ("2024-01-10T00:00:00-11:00", 1),
    ]


def test_timeline_per_hour(s: Session, world: World) -> None:
    scope = Scope(date_from=ts("2024-01-10T09:00:00"), date_to=ts("2024-01-10T12:00:00"))
    moscow = timeline.timeline(s, world.workspace_id, scope, interval=Interval.HOUR, tz="Europe/Moscow")
    assert [(p.start.isoformat(), p.comments) for p in moscow.points] == [
        ("2024-01-10T12:00:00+03:00", 0),
        ("2024-01-10T13:00:00+03:00", 1),
        ("2024-01-10T14:00:00+03:00", 1),
    ]


def test_timeline_refuses_unknown_zones_and_long_windows(s: Session, world: World) -> None:
    for bad in ["Mars/Olympus", "", "../etc/passwd", "Europe/Moscow "]:
        with pytest.raises(InvalidInput):
            timeline.timeline(s, world.workspace_id, Scope(), interval=Interval.DAY, tz=bad)
    long = Scope(date_from=ts("2024-01-01T00:00:00"), date_to=ts("2024-03-01T00:00:00"))
    with pytest.raises(InvalidInput):
        timeline.timeline(s, world.workspace_id, long, interval=Interval.HOUR, tz="UTC")


def test_top_authors_with_names(s: Session, world: World) -> None:
    rows = authors.top_authors(s, world.workspace_id, Scope(), 10)
    assert [(r.vk_id, r.name, r.comments, r.matched_comments) for r in rows] == [
        (11, "Иван Петров", 2, 2),
        (12, "Мария Сидорова", 1, 1),
        (13, "Спам Бот", 1, 0),
        (14, None, 1, 0),
    ]
    assert rows[0].url == "https://vk.com/id11"
    assert [r.vk_id for r in authors.top_authors(s, world.workspace_id, Scope(), 1)] == [11]


def test_top_lemmas(s: Session, world: World) -> None:
    window = Scope(date_from=ts("2024-01-01T00:00:00"), date_to=ts("2024-04-01T00:00:00"))
    top = lemmas.top_lemmas(s, world.workspace_id, window, 3)
    assert top.comments == 4
    assert [(i.lemma, i.count) for i in top.items] == [("банк", 3), ("дешёвый", 1), ("довольный", 1)]
    with pytest.raises(InvalidInput):
        lemmas.top_lemmas(
            s, world.workspace_id, Scope(date_from=ts("2020-01-01T00:00:00"), date_to=ts("2024-01-01T00:00:00")), 3
        )


def test_trending_lemmas_against_the_previous_window(s: Session, world: World) -> None:
    # current: Jan 10 (a, b); previous day: nothing stored; with min_count 1 every lemma rises
    scope = Scope(date_from=ts("2024-01-10T00:00:00"), date_to=ts("2024-01-11T00:00:00"))
    result = lemmas.trending(s, world.workspace_id, scope, 3, min_count=1)
    assert result.baseline_from == ts("2024-01-09T00:00:00")
    first = result.items[0]
    assert (first.lemma, first.current, first.baseline) == ("банк", 3, 0)
    # current: Feb 1 (c: школа…); previous 22 days hold a and b (банк): банк is not trending now
    later = Scope(date_from=ts("2024-01-10T12:00:00"), date_to=ts("2024-02-02T00:00:00"))
    rising = lemmas.trending(s, world.workspace_id, later, 10, min_count=1)
    assert "банк" not in [t.lemma for t in rising.items]
    assert "школа" in [t.lemma for t in rising.items]
    assert lemmas.trending(s, world.workspace_id, scope, 10).items == []  # nothing reaches 5 occurrences


def test_sentiment_distribution(s: Session, world: World) -> None:
    overall = sentiment.distribution(s, world.workspace_id, Scope(), SentimentGroup.NONE, 10).rows
    assert [(r.total, r.positive, r.neutral, r.negative, r.unanalyzed, r.average_score) for r in overall] == [
        (5, 1, 1, 2, 1, -0.175)
    ]
    per_community = sentiment.distribution(s, world.workspace_id, Scope(), SentimentGroup.COMMUNITY, 10).rows
    assert [(r.name, r.total, r.negative, r.unanalyzed) for r in per_community] == [
        ("Городские новости", 3, 2, 0),
        ("Барахолка", 2, 0, 1),
    ]
    per_keyword = sentiment.distribution(s, world.workspace_id, Scope(), SentimentGroup.KEYWORD, 10).rows
    # a is matched by "банк" twice: it counts, and weighs in the average, once
    assert [(r.name, r.total, r.negative, r.average_score) for r in per_keyword] == [
        ("банк", 2, 2, -0.7),
        ("кредит", 1, 1, -0.6),
        ("школа", 1, 0, 0.7),
    ]
