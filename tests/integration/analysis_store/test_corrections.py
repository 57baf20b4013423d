"""Analyst corrections against the real database: they outlive re-analysis, drive search, stats and
exports, are audited, and feed the quality report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from vkc.comments.filters import CommentFilters
from vkc.comments.keyset import CommentSort
from vkc.comments.search import count_comments, search_comments
from vkc.corrections.quality import quality_report
from vkc.corrections.schemas import LabelsUpdate, QualityPeriod
from vkc.corrections.service import comment_labels, correct_labels, remove_corrections
from vkc.db.models import ApiKey
from vkc.db.models_analysis import LabelCorrection
from vkc.errors import NotFound
from vkc.exports.columns import values_of
from vkc.exports.rows import iter_export_batches
from vkc.exports.schemas import ExportColumn
from vkc.stats.schemas import SentimentGroup
from vkc.stats.scope import Scope
from vkc.stats.sentiment import distribution
from vkc.workspaces.service import Principal

from tests.integration.analysis_store.conftest import Space

NEGATIVE = "Ужасная доставка, всё сломано, больше никогда не закажу"
POSITIVE = "Отличный магазин, спасибо, всё понравилось!"
SPAM = "Заработок без вложений, пиши в лс! Подробности в лс"


def _who(space: Space) -> Principal:
    with Session(space.engine) as s:
        key_id = s.scalars(select(ApiKey.id).where(ApiKey.workspace_id == space.workspace_id)).one()
    return Principal(space.workspace_id, key_id)


def _correct(space: Space, comment_id: int, **labels: object) -> None:
    with Session(space.engine) as s, s.begin():
        correct_labels(s, _who(space), comment_id, LabelsUpdate.model_validate(labels))


def _events(space: Space, comment_id: int) -> list[tuple[str, str | None, str | None, str | None, str]]:
    with Session(space.engine) as s:
        rows = s.scalars(
            select(LabelCorrection).where(LabelCorrection.comment_id == comment_id).order_by(LabelCorrection.id)
        ).all()
        return [(e.label, e.value, e.previous, e.model_value, e.api_key_name) for e in rows]


def test_a_correction_survives_reanalysis_and_removing_it_restores_the_model(space: Space) -> None:
    [neg, pos] = space.comments(NEGATIVE, POSITIVE)
    space.analyze([neg, pos])
    assert (space.row(neg).sentiment, space.row(pos).sentiment) == ("negative", "positive")

    _correct(space, neg, sentiment="positive", has_profanity=True)
    row = space.row(neg)
    assert (row.sentiment, row.sentiment_manual, row.sentiment_model) == ("positive", "positive", "negative")
    assert (row.has_profanity, row.profanity_manual, row.profanity_model) == (True, True, False)

    space.analyze([neg], force=True)  # a redelivered or forced analysis
    space.keyword("доставка")  # a keyword change: the comment is stale and analyzed again
    counts = space.analyze([neg, pos])
    assert counts.analyzed == 2
    row = space.row(neg)
    assert (row.sentiment, row.sentiment_manual, row.sentiment_model) == ("positive", "positive", "negative")
    assert (row.has_profanity, row.profanity_model) == (True, False)
    assert row.match_count == 1  # the analysis itself did run

    with Session(space.engine) as s:
        labels = comment_labels(s, space.workspace_id, neg)
    assert labels.sentiment.model_dump() == {
        "value": "positive",
        "source": "manual",
        "model": "negative",
        "manual": "positive",
    }
    assert labels.is_spam.model_dump() == {"value": False, "source": "model", "model": False, "manual": None}

    with Session(space.engine) as s, s.begin():
        after = remove_corrections(s, _who(space), neg)
    assert after.sentiment.model_dump() == {"value": "negative", "source": "model", "model": "negative", "manual": None}
    row = space.row(neg)
    assert (row.sentiment, row.sentiment_manual, row.sentiment_model, row.has_profanity) == (
        "negative",
        None,
        None,
        False,
    )


def test_corrections_are_audited_and_a_repeated_one_writes_nothing(space: Space) -> None:
    [cid] = space.comments(NEGATIVE)
    space.analyze([cid])
    _correct(space, cid, sentiment="neutral")
    _correct(space, cid, sentiment="neutral")  # a retried PUT
    _correct(space, cid, sentiment="positive", is_spam=None)  # is_spam had no correction: nothing to drop
    _correct(space, cid, sentiment=None)
    assert _events(space, cid) == [
        ("sentiment", "neutral", "negative", "negative", "default"),
        ("sentiment", "positive", "neutral", "negative", "default"),
        ("sentiment", None, "positive", "negative", "default"),
    ]
    with Session(space.engine) as s:
        history = comment_labels(s, space.workspace_id, cid).history
    assert [(e.label, e.value) for e in history] == [
        ("sentiment", None),
        ("sentiment", "positive"),
        ("sentiment", "neutral"),
    ]
    assert {e.api_key_id for e in history} == {_who(space).api_key_id}
    assert all(abs(e.created_at - datetime.now(UTC)) < timedelta(minutes=5) for e in history)


def test_a_comment_of_another_workspace_is_not_found(space: Space) -> None:
    from tests.support.factories import make_community

    other = Space(space.engine, *make_community(space.engine, vk_id=3003))
    [foreign] = other.comments(NEGATIVE)
    with Session(space.engine) as s, s.begin(), pytest.raises(NotFound):
        correct_labels(s, _who(space), foreign, LabelsUpdate(sentiment="positive"))
    with Session(space.engine) as s, pytest.raises(NotFound):
        comment_labels(s, space.workspace_id, foreign)
    assert other.row(foreign).sentiment_manual is None


def test_a_spam_correction_survives_the_duplicate_signal(space: Space) -> None:
    first = space.comments(SPAM, post=1) + space.comments(SPAM, post=2)
    space.analyze(first)
    _correct(space, first[0], is_spam=False)
    third = space.comments(SPAM, post=3)
    space.analyze(third)  # the third copy flags the earlier two as duplicates
    kept = space.row(first[0])
    assert "duplicate_text" in (kept.spam_reasons or [])
    assert (kept.is_spam, kept.spam_manual, kept.spam_model) == (False, False, True)
    assert space.row(first[1]).is_spam


def test_search_stats_and_exports_use_the_effective_label(space: Space) -> None:
    [neg, pos] = space.comments(NEGATIVE, POSITIVE)
    space.analyze([neg, pos])
    _correct(space, neg, sentiment="positive", is_spam=True)
    with Session(space.engine) as s:
        found = search_comments(s, space.workspace_id, CommentFilters(sentiment=["positive"]))
        assert sorted(i.id for i in found.items) == [neg, pos]
        assert count_comments(s, space.workspace_id, CommentFilters(sentiment=["negative"])) == 0
        assert [i.id for i in search_comments(s, space.workspace_id, CommentFilters(is_spam=True)).items] == [neg]
        view = {i.id: i for i in found.items}
        assert (view[neg].sentiment_source, view[neg].is_spam_source, view[neg].has_profanity_source) == (
            "manual",
            "manual",
            "model",
        )
        assert view[pos].sentiment_source == "model"

        stats = distribution(s, space.workspace_id, Scope(), SentimentGroup.NONE, 10).rows[0]
        assert (stats.positive, stats.negative, stats.manual) == (2, 0, 1)

        columns = [ExportColumn.ID, ExportColumn.SENTIMENT, ExportColumn.SENTIMENT_SOURCE, ExportColumn.IS_SPAM_SOURCE]
        exported = [
            values_of(r, columns)
            for batch in iter_export_batches(s, space.workspace_id, CommentFilters(), CommentSort.DATE_DESC)
            for r in batch
        ]
    assert sorted(exported, key=lambda v: int(str(v[0]))) == [
        [neg, "positive", "manual", "manual"],
        [pos, "positive", "model", "model"],
    ]


def test_the_quality_report_compares_model_and_corrections(space: Space) -> None:
    ids = space.comments(NEGATIVE, NEGATIVE + " !", POSITIVE, POSITIVE + " !", "просто текст без оценки")
    space.analyze(ids)
    model = [space.row(i).sentiment for i in ids]
    assert model[:4] == ["negative", "negative", "positive", "positive"]
    _correct(space, ids[0], sentiment="negative")  # confirmed
    _correct(space, ids[1], sentiment="positive")  # model said negative
    _correct(space, ids[2], sentiment="positive", is_spam=True)  # confirmed; spam the model missed
    _correct(space, ids[3], sentiment="neutral")
    _correct(space, ids[3], sentiment=None)  # dropped again: not compared
    [late] = space.comments("ещё не проанализирован")
    _correct(space, late, sentiment="negative")  # not analyzed yet: counted apart

    with Session(space.engine) as s:
        report = quality_report(s, space.workspace_id)
        sentiment = report.labels.sentiment
        assert (sentiment.compared, sentiment.agreed, sentiment.agreement_rate, sentiment.unanalyzed) == (
            3,
            2,
            0.6667,
            1,
        )
        assert sentiment.classes == ["positive", "neutral", "negative"]
        assert sentiment.matrix["negative"] == {"positive": 1, "neutral": 0, "negative": 1}
        assert sentiment.matrix["positive"] == {"positive": 1, "neutral": 0, "negative": 0}
        assert sum(sum(r.values()) for r in sentiment.matrix.values()) == 3
        spam = report.labels.spam
        assert (spam.compared, spam.agreed, spam.agreement_rate) == (1, 0, 0.0)
        assert spam.matrix == {"true": {"true": 0, "false": 0}, "false": {"true": 1, "false": 0}}
        assert report.labels.profanity.compared == 0
        assert report.labels.profanity.agreement_rate is None

        monthly = quality_report(s, space.workspace_id, period=QualityPeriod.MONTH)
        assert len(monthly.periods) == 1
        assert monthly.periods[0].labels == monthly.labels
        assert monthly.periods[0].period_start == datetime.now(UTC).replace(
            day=1, hour=0, minute=0, second=0, microsecond=0
        )
        future = quality_report(s, space.workspace_id, date_from=datetime.now(UTC) + timedelta(days=1))
        assert future.labels.sentiment.compared == 0


def test_labels_are_validated() -> None:
    from pydantic import ValidationError

    for bad in ({}, {"sentiment": "angry"}, {"is_spam": "yes"}, {"has_profanity": 1}, {"mood": "ok"}):
        with pytest.raises(ValidationError):
            LabelsUpdate.model_validate(bad)
    assert LabelsUpdate.model_validate({"sentiment": None}).model_fields_set == {"sentiment"}
