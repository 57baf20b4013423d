"""The labelled corpus: one JSON object per line in ``evals/corpus/<task>.jsonl``.

Why a loader of its own: every script (split, eval, train) must read the same fields the same way,
and a malformed line must stop the run with its file and line number rather than skew a figure.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# VKC_EVAL_CORPUS points the harness at another directory (a scratch copy while writing lines).
CORPUS_DIR = Path(os.environ.get("VKC_EVAL_CORPUS") or Path(__file__).with_name("corpus"))
TASKS = ("sentiment", "spam", "profanity", "morphology")
SENTIMENT_LABELS = ("positive", "neutral", "negative")


class CorpusError(ValueError):
    """A corpus line that cannot be used; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled line. ``label`` is the task's gold answer (a sentiment label or a bool)."""

    task: str
    id: str
    text: str
    label: str | bool
    tags: tuple[str, ...] = ()  # sentiment: hard kinds; others: the "kind" field
    group: str | None = None  # lines that must stay in one split (the same text under many posts)
    extra: dict[str, Any] = field(default_factory=dict)  # morphology: keyword and rule options

    @property
    def split_key(self) -> str:
        return f"{self.task}:{self.group if self.group else self.id}"


def _as_tags(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value.strip().lower(),)
    return tuple(str(v).strip().lower() for v in value if str(v).strip())


def _parse(task: str, obj: dict[str, Any]) -> Example:
    ident = str(obj["id"])
    text = str(obj["text"])
    if task == "sentiment":
        label = str(obj["sentiment"]).strip().lower()
        if label not in SENTIMENT_LABELS:
            raise ValueError(f"sentiment {label!r} is not one of {SENTIMENT_LABELS}")
        return Example(task, ident, text, label, _as_tags(obj.get("hard")), obj.get("group"))
    if task in ("spam", "profanity"):
        key = "spam" if task == "spam" else "profane"
        value = obj[key]
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be true or false, got {value!r}")
        return Example(task, ident, text, value, _as_tags(obj.get("kind")), obj.get("group"))
    value = obj["match"]
    if not isinstance(value, bool):
        raise ValueError(f"match must be true or false, got {value!r}")
    extra: dict[str, Any] = {"keyword": str(obj["keyword"])}
    options = obj.get("options")
    if isinstance(options, dict):
        extra.update(options)
    if obj.get("mode"):
        extra["mode"] = obj["mode"]
    return Example(task, ident, text, value, _as_tags(obj.get("kind")), obj.get("group"), extra)


def read(task: str, directory: Path = CORPUS_DIR) -> list[Example]:
    """All lines of one task's file (an empty list if the file does not exist yet)."""
    path = directory / f"{task}.jsonl"
    if not path.exists():
        return []
    out: list[Example] = []
    seen: set[str] = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            ex = _parse(task, json.loads(line))
        except (ValueError, KeyError, TypeError) as exc:
            raise CorpusError(f"{path.name}:{lineno}: {type(exc).__name__}: {exc}") from None
        if ex.id in seen:
            raise CorpusError(f"{path.name}:{lineno}: duplicate id {ex.id!r}")
        seen.add(ex.id)
        out.append(ex)
    return out


def read_all(directory: Path = CORPUS_DIR) -> Iterator[tuple[str, list[Example]]]:
    for task in TASKS:
        yield task, read(task, directory)
