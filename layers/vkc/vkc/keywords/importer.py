"""Bulk keyword import: every data line of the upload ends up created, duplicate or invalid (with why).

Synchronous by design: validation is local (no VK calls) and 10,000 lines take well under a second,
so the caller gets the per-line report in the response. Valid lines are inserted with one statement.

The import commits before ``on_change`` queues the re-analysis, for the reason `vkc.keywords.service`
gives: the re-analysis must see every keyword the import created.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from vkc.db.models_analysis import Keyword
from vkc.errors import InvalidInput
from vkc.keywords.errors import PayloadTooLarge
from vkc.keywords.rules import RuleError, check_rule, clean_category
from vkc.keywords.schemas import ImportLine, ImportOutcome, ImportReport, KeywordImportRequest
from vkc.keywords.service import OnChange, row_values
from vkc.keywords.upload import UploadInvalid, UploadTooLarge, parse_upload

_INSERT_CHUNK = 2_000


def import_keywords(
    session: Session, workspace_id: uuid.UUID, request: KeywordImportRequest, *, on_change: OnChange
) -> ImportReport:
    try:
        parsed = parse_upload(request.content, request.format)
    except UploadTooLarge as exc:
        raise PayloadTooLarge(str(exc)) from None
    except UploadInvalid as exc:
        raise InvalidInput(str(exc)) from None
    default_category = clean_category(request.default_category)
    lines: dict[int, ImportLine] = {}
    first_line: dict[tuple[str, str], int] = {}
    candidates: list[tuple[int, dict[str, Any]]] = []
    for row in parsed.rows:
        fields: dict[str, Any] = {"text": row.text, "category": row.category or default_category, "kind": row.kind}
        try:
            rule = check_rule(fields)
        except RuleError as exc:
            lines[row.line] = ImportLine(line=row.line, text=row.text, outcome=ImportOutcome.INVALID, reason=exc.reason)
            continue
        key = (rule.kind.value, rule.text.lower())
        earlier = first_line.setdefault(key, row.line)
        if earlier != row.line:
            lines[row.line] = ImportLine(
                line=row.line,
                text=row.text,
                outcome=ImportOutcome.DUPLICATE,
                reason=f"Repeats line {earlier}.",
                duplicate_of_line=earlier,
            )
            continue
        candidates.append((row.line, row_values(rule)))
    existing = _existing(session, workspace_id, [v for _, v in candidates])
    fresh = []
    for number, values in candidates:
        found = existing.get((values["kind"], values["text"].lower()))
        if found is not None:
            lines[number] = _duplicate_of_existing(number, values["text"], found)
        else:
            fresh.append((number, values))
    created = _insert(session, workspace_id, [v for _, v in fresh])
    raced = _existing(session, workspace_id, [v for n, v in fresh if (v["kind"], v["text"].lower()) not in created])
    for number, values in fresh:
        key = (values["kind"], values["text"].lower())
        if key in created:
            lines[number] = ImportLine(
                line=number, text=values["text"], outcome=ImportOutcome.CREATED, keyword_id=created[key]
            )
        else:  # inserted meanwhile by a concurrent request
            lines[number] = _duplicate_of_existing(number, values["text"], raced.get(key))
    session.commit()
    job_id = on_change(session, workspace_id) if created else None
    report = [lines[n] for n in sorted(lines)]
    return ImportReport(
        format=parsed.format,
        header=parsed.header,
        created=sum(1 for ln in report if ln.outcome is ImportOutcome.CREATED),
        duplicates=sum(1 for ln in report if ln.outcome is ImportOutcome.DUPLICATE),
        invalid=sum(1 for ln in report if ln.outcome is ImportOutcome.INVALID),
        ignored_lines=parsed.ignored,
        lines=report,
        reanalysis_job_id=job_id,
    )


def _duplicate_of_existing(number: int, text: str, keyword_id: uuid.UUID | None) -> ImportLine:
    return ImportLine(
        line=number,
        text=text,
        outcome=ImportOutcome.DUPLICATE,
        reason=f"Already a keyword: {keyword_id}." if keyword_id else "Already a keyword.",
        keyword_id=keyword_id,
    )


def _existing(
    session: Session, workspace_id: uuid.UUID, values: list[dict[str, Any]]
) -> dict[tuple[str, str], uuid.UUID]:
    lows = sorted({v["text"].lower() for v in values})
    if not lows:
        return {}
    rows = session.execute(
        select(Keyword.id, Keyword.kind, func.lower(Keyword.text).label("low")).where(
            Keyword.workspace_id == workspace_id, func.lower(Keyword.text).in_(lows)
        )
    ).all()
    return {(r.kind, r.low): r.id for r in rows}


def _insert(
    session: Session, workspace_id: uuid.UUID, values: list[dict[str, Any]]
) -> dict[tuple[str, str], uuid.UUID]:
    created: dict[tuple[str, str], uuid.UUID] = {}
    for i in range(0, len(values), _INSERT_CHUNK):
        chunk = [{"id": uuid.uuid4(), "workspace_id": workspace_id, **v} for v in values[i : i + _INSERT_CHUNK]]
        rows = session.execute(
            pg_insert(Keyword).values(chunk).on_conflict_do_nothing().returning(Keyword.id, Keyword.kind, Keyword.text)
        ).all()
        created.update({(r.kind, r.text.lower()): r.id for r in rows})
    return created
