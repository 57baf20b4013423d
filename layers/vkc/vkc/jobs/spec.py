"""What the kernel knows of a job type: its name, the worker that runs it, its default priority and payload.

Each feature declares the specs of its own jobs next to their payload models (`vkc.collection.schemas`,
`vkc.exports.schemas`, …); the composition layer (`vkc.wiring.catalogue`) lists them all and names their
handlers. The kernel never imports a feature: it is handed a spec.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from vkc.settings import Priority, WorkerKind


@dataclass(frozen=True, slots=True)
class JobSpec:
    name: str
    worker: WorkerKind
    default_priority: Priority
    payload_model: type[BaseModel]
    # prepares a failed or cancelled job's payload to run again (in the retry's transaction); may refuse
    on_retry: Callable[[Session, uuid.UUID, dict[str, Any]], dict[str, Any]] | None = None
