"""How the model agreed with the analysts: per label, the model's label against the corrected one.

Counted over the comments whose correction is in force, dated by that label's latest correction
(so a period holds what the analysts decided then). The model's label is the current one: after a
model or rules change, the report shows how the new model does on the analysts' past decisions.
A correction equal to the model's label (the analyst confirmed it) counts as agreement.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from vkc.corrections.labels import COLUMNS, Label
from vkc.corrections.schemas import LabelAgreement, QualityBucket, QualityLabels, QualityPeriod, QualityReport

_CASE = "CASE l.label {whens} END"


def _pick(kind: str) -> str:
    whens = " ".join(f"WHEN '{label.value}' THEN c.{getattr(cols, kind)}::text" for label, cols in COLUMNS.items())
    return _CASE.format(whens=whens)


_SQL = f"""
WITH latest AS (
    SELECT DISTINCT ON (e.comment_id, e.label) e.comment_id, e.label, e.created_at
    FROM label_corrections AS e
    WHERE e.workspace_id = :ws
    ORDER BY e.comment_id, e.label, e.id DESC
), pairs AS (
    SELECT l.label, l.created_at, {_pick("model")} AS model, {_pick("manual")} AS corrected
    FROM latest AS l JOIN comments AS c ON c.id = l.comment_id AND c.workspace_id = :ws
    WHERE (CAST(:date_from AS timestamptz) IS NULL OR l.created_at >= :date_from)
      AND (CAST(:date_to AS timestamptz) IS NULL OR l.created_at < :date_to)
)
SELECT label, CASE WHEN :period = 'none' THEN NULL ELSE date_trunc(:period, created_at, 'UTC') END AS period_start,
       model, corrected, count(*) AS n
FROM pairs WHERE corrected IS NOT NULL
GROUP BY 1, 2, 3, 4
"""  # noqa: S608 - built from the constant column map


def _agreement(label: Label, cells: dict[tuple[str | None, str], int]) -> LabelAgreement:
    classes = COLUMNS[label].classes
    matrix = {m: dict.fromkeys(classes, 0) for m in classes}
    unanalyzed = 0
    for (model, corrected), n in cells.items():
        if model is None:
            unanalyzed += n
        else:
            matrix[model][corrected] += n
    compared = sum(sum(row.values()) for row in matrix.values())
    agreed = sum(matrix[k][k] for k in classes)
    return LabelAgreement(
        classes=list(classes),
        compared=compared,
        agreed=agreed,
        agreement_rate=round(agreed / compared, 4) if compared else None,
        unanalyzed=unanalyzed,
        matrix=matrix,
    )


def _labels(cells: dict[Label, dict[tuple[str | None, str], int]]) -> QualityLabels:
    return QualityLabels(
        sentiment=_agreement(Label.SENTIMENT, cells[Label.SENTIMENT]),
        spam=_agreement(Label.SPAM, cells[Label.SPAM]),
        profanity=_agreement(Label.PROFANITY, cells[Label.PROFANITY]),
    )


def _empty() -> dict[Label, dict[tuple[str | None, str], int]]:
    return {label: defaultdict(int) for label in Label}


def quality_report(
    session: Session,
    workspace_id: uuid.UUID,
    *,
    period: QualityPeriod = QualityPeriod.NONE,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
) -> QualityReport:
    rows = session.execute(
        text(_SQL),
        {"ws": workspace_id, "period": period.value, "date_from": date_from, "date_to": date_to},
    ).all()
    total = _empty()
    buckets: dict[datetime, dict[Label, dict[tuple[str | None, str], int]]] = defaultdict(_empty)
    for r in rows:
        label = Label(r.label)
        total[label][(r.model, r.corrected)] += r.n
        if r.period_start is not None:
            buckets[r.period_start][label][(r.model, r.corrected)] += r.n
    return QualityReport(
        period=period,
        date_from=date_from,
        date_to=date_to,
        labels=_labels(total),
        periods=[QualityBucket(period_start=start, labels=_labels(buckets[start])) for start in sorted(buckets)],
    )
