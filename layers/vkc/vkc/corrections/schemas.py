"""What the corrections API accepts and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from vkc.corrections.labels import LabelSource

SentimentValue = Literal["positive", "neutral", "negative"]


class LabelsUpdate(BaseModel):
    """Only the labels sent change; null removes that label's correction (the model's label returns)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    sentiment: SentimentValue | None = Field(default=None, description="positive, neutral or negative; null removes.")
    is_spam: StrictBool | None = Field(default=None, description="true or false; null removes the correction.")
    has_profanity: StrictBool | None = Field(default=None, description="true or false; null removes the correction.")

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("send at least one of sentiment, is_spam, has_profanity")
        return self


class SentimentLabel(BaseModel):
    value: SentimentValue | None = Field(description="The effective label: the correction if any, else the model's.")
    source: LabelSource | None = Field(description="manual (an analyst's correction) or model; null until analyzed.")
    model: SentimentValue | None = Field(description="The model's label; null until analyzed.")
    manual: SentimentValue | None = Field(description="The correction in force; null when none.")


class FlagLabel(BaseModel):
    value: bool | None = Field(description="The effective label: the correction if any, else the model's.")
    source: LabelSource | None = Field(description="manual (an analyst's correction) or model; null until analyzed.")
    model: bool | None = Field(description="The model's label; null until analyzed.")
    manual: bool | None = Field(description="The correction in force; null when none.")


class CorrectionEvent(BaseModel):
    id: int
    label: str = Field(description="sentiment, spam or profanity")
    value: str | bool | None = Field(description="The label set; null when the correction was removed.")
    previous: str | bool | None = Field(description="The effective label before.")
    model_value: str | bool | None = Field(description="The model's label at that moment.")
    api_key_id: uuid.UUID | None = Field(description="The API key that made the change.")
    api_key_name: str = Field(description="That key's name at the time.")
    created_at: datetime


class CommentLabels(BaseModel):
    comment_id: int
    sentiment: SentimentLabel
    is_spam: FlagLabel
    has_profanity: FlagLabel
    history: list[CorrectionEvent] = Field(description="Corrections of this comment, newest first (up to 100).")


class QualityPeriod(StrEnum):
    NONE = "none"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class LabelAgreement(BaseModel):
    classes: list[str] = Field(description="The label's values, in the order of the matrix.")
    compared: int = Field(description="Corrected comments the model has labelled (the matrix's total).")
    agreed: int = Field(description="Of them, where the analyst kept the model's label.")
    agreement_rate: float | None = Field(description="agreed / compared; null when nothing was compared.")
    unanalyzed: int = Field(description="Corrected comments the model has not analyzed yet (not compared).")
    matrix: dict[str, dict[str, int]] = Field(
        description="matrix[model label][corrected label] = comments; every class present, zeros included."
    )


class QualityLabels(BaseModel):
    sentiment: LabelAgreement
    spam: LabelAgreement
    profanity: LabelAgreement


class QualityBucket(BaseModel):
    period_start: datetime = Field(description="Start of the period (UTC) of the corrections counted.")
    labels: QualityLabels


class QualityReport(BaseModel):
    period: QualityPeriod
    date_from: datetime | None
    date_to: datetime | None
    labels: QualityLabels = Field(description="Over every correction in the range.")
    periods: list[QualityBucket] = Field(description="Per period of the correction's date; empty for period=none.")
