"""Set and remove corrections of a comment's labels, and read them back with their history.

The comment row is locked (FOR UPDATE) for the change, so a correction and an analyze batch on the
same comment serialize: the analysis reads the correction it must keep, or the correction sees the
model label the analysis just wrote. Setting a label to the correction already in force changes
nothing and writes no audit row, so a retried PUT is harmless.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vkc.corrections.labels import COLUMNS, Label, LabelValue, parsed, source, stored
from vkc.corrections.schemas import CommentLabels, CorrectionEvent, FlagLabel, LabelsUpdate, SentimentLabel
from vkc.db.models import ApiKey
from vkc.db.models_analysis import LabelCorrection
from vkc.db.models_collection import Comment
from vkc.errors import NotFound
from vkc.workspaces.service import Principal

HISTORY_LIMIT = 100
_BY_FIELD = {cols.field: label for label, cols in COLUMNS.items()}


def _locked(session: Session, workspace_id: uuid.UUID, comment_id: int) -> Comment:
    row = session.scalars(
        select(Comment).where(Comment.id == comment_id, Comment.workspace_id == workspace_id).with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound(f"Comment {comment_id} not found in this workspace.")
    return row


def _model_label(row: Comment, label: Label) -> LabelValue:
    cols = COLUMNS[label]
    value: LabelValue = getattr(row, cols.model if getattr(row, cols.manual) is not None else cols.effective)
    return value


def _set(row: Comment, label: Label, value: LabelValue, who: Principal, key_name: str) -> LabelCorrection | None:
    cols = COLUMNS[label]
    if getattr(row, cols.manual) == value:
        return None
    model = _model_label(row, label)
    event = LabelCorrection(
        workspace_id=row.workspace_id,
        comment_id=row.id,
        label=label.value,
        value=stored(value),
        previous=stored(getattr(row, cols.effective)),
        model_value=stored(model),
        api_key_id=who.api_key_id,
        api_key_name=key_name,
    )
    setattr(row, cols.manual, value)
    setattr(row, cols.effective, model if value is None else value)
    setattr(row, cols.model, None if value is None else model)
    return event


def _apply(session: Session, who: Principal, comment_id: int, changes: dict[Label, LabelValue]) -> CommentLabels:
    row = _locked(session, who.workspace_id, comment_id)
    key_name = session.scalar(select(ApiKey.name).where(ApiKey.id == who.api_key_id)) or ""
    events = [e for label, value in changes.items() if (e := _set(row, label, value, who, key_name)) is not None]
    session.add_all(events)
    session.flush()
    return _labels(session, row)


def correct_labels(session: Session, who: Principal, comment_id: int, update: LabelsUpdate) -> CommentLabels:
    """Set (or, for a label sent as null, remove) the corrections in ``update``; the caller commits."""
    changes: dict[Label, LabelValue] = {_BY_FIELD[f]: getattr(update, f) for f in sorted(update.model_fields_set)}
    return _apply(session, who, comment_id, changes)


def remove_corrections(session: Session, who: Principal, comment_id: int) -> CommentLabels:
    """Remove every correction of the comment: the model's labels are in force again."""
    return _apply(session, who, comment_id, dict.fromkeys(Label))


def comment_labels(session: Session, workspace_id: uuid.UUID, comment_id: int) -> CommentLabels:
    row = session.scalars(
        select(Comment).where(Comment.id == comment_id, Comment.workspace_id == workspace_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"Comment {comment_id} not found in this workspace.")
    return _labels(session, row)


def _state(row: Comment, label: Label) -> dict[str, Any]:
    cols = COLUMNS[label]
    manual, effective = getattr(row, cols.manual), getattr(row, cols.effective)
    return {
        "value": effective,
        "source": source(manual, effective),
        "model": _model_label(row, label),
        "manual": manual,
    }


def _labels(session: Session, row: Comment) -> CommentLabels:
    events = session.scalars(
        select(LabelCorrection)
        .where(LabelCorrection.workspace_id == row.workspace_id, LabelCorrection.comment_id == row.id)
        .order_by(LabelCorrection.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return CommentLabels(
        comment_id=row.id,
        sentiment=SentimentLabel(**_state(row, Label.SENTIMENT)),
        is_spam=FlagLabel(**_state(row, Label.SPAM)),
        has_profanity=FlagLabel(**_state(row, Label.PROFANITY)),
        history=[
            CorrectionEvent(
                id=e.id,
                label=e.label,
                value=parsed(Label(e.label), e.value),
                previous=parsed(Label(e.label), e.previous),
                model_value=parsed(Label(e.label), e.model_value),
                api_key_id=e.api_key_id,
                api_key_name=e.api_key_name,
                created_at=e.created_at,
            )
            for e in events
        ],
    )
