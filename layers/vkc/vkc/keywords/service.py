"""Keyword CRUD, scoped to a workspace (another workspace's keyword is a 404).

Duplicates are the same text in the same kind, compared case-insensitively (the unique index
`uq_keywords_workspace_kind_lower_text` has the last word when two requests race). Every change that
alters what matches is followed by a re-analysis request (``on_change``), so stored comments catch up.

Why the writes commit here rather than in the route: ``on_change`` queues a re-analysis job, which
commits its own row before sending its message; the worker that picks it up must already see the new
rules, so the keyword change is committed first (the transaction's owner is this unit of work).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vkc.analysis.rules import KeywordRule
from vkc.db.models_analysis import Keyword
from vkc.errors import Conflict, NotFound
from vkc.jobs.cursor import decode_cursor, encode_cursor
from vkc.keywords.rules import RULE_FIELDS, validated
from vkc.keywords.schemas import (
    CategoryCount,
    CategoryList,
    KeywordCreate,
    KeywordPage,
    KeywordUpdate,
    KeywordView,
)

#: Starts (or joins) the workspace's re-analysis after a committed change; returns the job id.
OnChange = Callable[[Session, uuid.UUID], uuid.UUID | None]


def to_view(keyword: Keyword, reanalysis_job_id: uuid.UUID | None = None) -> KeywordView:
    return KeywordView.model_validate(
        {
            **{c: getattr(keyword, c) for c in ("id", "text", "category", "kind", "case_sensitive", "whole_word")},
            **{c: getattr(keyword, c) for c in ("phrase_mode", "window", "negatives", "fuzzy", "active")},
            "created_at": keyword.created_at,
            "updated_at": keyword.updated_at,
            "reanalysis_job_id": reanalysis_job_id,
        }
    )


def row_values(rule: KeywordRule) -> dict[str, Any]:
    """The keywords row of a validated rule (create, update and the bulk import write the same columns)."""
    return {
        "text": rule.text,
        "category": rule.category,
        "kind": rule.kind.value,
        "case_sensitive": rule.case_sensitive,
        "whole_word": rule.whole_word,
        "phrase_mode": rule.phrase_mode.value,
        "window": rule.window,
        "negatives": list(rule.negatives),
        "fuzzy": rule.fuzzy,
        "active": rule.active,
    }


def find_duplicate(
    session: Session, workspace_id: uuid.UUID, kind: str, value: str, *, exclude: uuid.UUID | None = None
) -> uuid.UUID | None:
    query = select(Keyword.id).where(
        Keyword.workspace_id == workspace_id, Keyword.kind == kind, func.lower(Keyword.text) == value.lower()
    )
    if exclude is not None:
        query = query.where(Keyword.id != exclude)
    return session.scalars(query.limit(1)).first()


def _conflict(existing: uuid.UUID | None, value: str) -> Conflict:
    return Conflict(
        f"The keyword {value!r} already exists (compared case-insensitively): {existing}.",
        extra={"existing_id": str(existing) if existing else None},
    )


def _load(session: Session, workspace_id: uuid.UUID, keyword_id: uuid.UUID) -> Keyword:
    keyword = session.get(Keyword, keyword_id)
    if keyword is None or keyword.workspace_id != workspace_id:
        raise NotFound(f"Keyword {keyword_id} does not exist.")
    return keyword


def _flush_unique(session: Session, workspace_id: uuid.UUID, rule: KeywordRule) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise _conflict(find_duplicate(session, workspace_id, rule.kind.value, rule.text), rule.text) from None


def create_keyword(
    session: Session, workspace_id: uuid.UUID, body: KeywordCreate, *, on_change: OnChange
) -> KeywordView:
    rule = validated(body.model_dump())
    existing = find_duplicate(session, workspace_id, rule.kind.value, rule.text)
    if existing is not None:
        raise _conflict(existing, rule.text)
    keyword = Keyword(id=uuid.uuid4(), workspace_id=workspace_id, **row_values(rule))
    session.add(keyword)
    _flush_unique(session, workspace_id, rule)
    session.commit()
    session.refresh(keyword)
    job_id = on_change(session, workspace_id) if keyword.active else None
    return to_view(keyword, job_id)


def get_keyword(session: Session, workspace_id: uuid.UUID, keyword_id: uuid.UUID) -> KeywordView:
    return to_view(_load(session, workspace_id, keyword_id))


def update_keyword(
    session: Session, workspace_id: uuid.UUID, keyword_id: uuid.UUID, body: KeywordUpdate, *, on_change: OnChange
) -> KeywordView:
    keyword = _load(session, workspace_id, keyword_id)
    changes = body.model_dump(exclude_unset=True)
    current = {c: getattr(keyword, c) for c in RULE_FIELDS}
    merged = {**current, **changes}
    if "text" in changes and "kind" not in changes:
        merged["kind"] = None  # re-inferred from the new text unless the keyword is a regex
        if keyword.kind == "regex":
            merged["kind"] = "regex"
    rule = validated(merged)
    values = row_values(rule)
    if values == current:
        return to_view(keyword)
    if (values["kind"], values["text"].lower()) != (current["kind"], current["text"].lower()):
        existing = find_duplicate(session, workspace_id, values["kind"], values["text"], exclude=keyword.id)
        if existing is not None:
            raise _conflict(existing, values["text"])
    matching_changed = {k: v for k, v in values.items() if k != "category"} != {
        k: v for k, v in current.items() if k != "category"
    }
    for column, value in values.items():
        setattr(keyword, column, value)
    if not keyword.active:
        drop_matches(session, workspace_id, [keyword.id])
    _flush_unique(session, workspace_id, rule)
    session.commit()
    session.refresh(keyword)
    job_id = on_change(session, workspace_id) if matching_changed else None
    return to_view(keyword, job_id)


def delete_keyword(
    session: Session, workspace_id: uuid.UUID, keyword_id: uuid.UUID, *, on_change: OnChange
) -> uuid.UUID | None:
    """Delete the keyword and its matches (comments' match counts follow at once)."""
    keyword = _load(session, workspace_id, keyword_id)
    was_active = keyword.active
    drop_matches(session, workspace_id, [keyword.id])
    session.execute(delete(Keyword).where(Keyword.id == keyword.id))
    session.commit()
    return on_change(session, workspace_id) if was_active else None


def drop_matches(session: Session, workspace_id: uuid.UUID, keyword_ids: list[uuid.UUID]) -> None:
    """Remove the keywords' matches and lower the affected comments' match_count in one statement.

    By workspace and keyword, the leading columns of ``ix_keyword_matches_workspace_keyword``: no
    index leads with the keyword alone, and without the workspace this read every workspace's matches.
    """
    session.execute(
        text(
            """
            WITH gone AS (
                DELETE FROM keyword_matches WHERE workspace_id = :ws AND keyword_id = ANY(:ids) RETURNING comment_id
            ), per_comment AS (
                SELECT comment_id, count(*) AS n FROM gone GROUP BY comment_id
            )
            UPDATE comments c SET match_count = greatest(c.match_count - p.n, 0)
            FROM per_comment p WHERE c.id = p.comment_id
            """
        ),
        {"ws": workspace_id, "ids": keyword_ids},
    )


def list_keywords(
    session: Session,
    workspace_id: uuid.UUID,
    *,
    category: str | None,
    active: bool | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> KeywordPage:
    """Newest first, keyset-paginated on (created_at, id)."""
    query = select(Keyword).where(Keyword.workspace_id == workspace_id)
    if category is not None:
        query = query.where(func.lower(Keyword.category) == category.strip().lower())
    if active is not None:
        query = query.where(Keyword.active.is_(active))
    if q:
        pattern = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Keyword.text.ilike(pattern), Keyword.category.ilike(pattern)))
    if cursor:
        created, row_id = decode_cursor(cursor)
        query = query.where(or_(Keyword.created_at < created, and_(Keyword.created_at == created, Keyword.id < row_id)))
    rows = list(session.scalars(query.order_by(Keyword.created_at.desc(), Keyword.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].created_at, rows[limit - 1].id) if len(rows) > limit else None
    return KeywordPage(items=[to_view(k) for k in rows[:limit]], next_cursor=next_cursor)


def list_categories(session: Session, workspace_id: uuid.UUID) -> CategoryList:
    rows = session.execute(
        select(
            Keyword.category,
            func.count().label("n"),
            func.count().filter(Keyword.active.is_(True)).label("active"),
        )
        .where(Keyword.workspace_id == workspace_id)
        .group_by(Keyword.category)
    ).all()
    named = sorted((r for r in rows if r.category is not None), key=lambda r: (r.category.lower(), r.category))
    return CategoryList(
        items=[CategoryCount(category=r.category, keywords=r.n, active=r.active) for r in named],
        uncategorized=sum(r.n for r in rows if r.category is None),
    )
