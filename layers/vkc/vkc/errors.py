"""Domain errors. The API door maps each to an RFC 9457 problem; workers map them to job outcomes."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}


class NotFound(DomainError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"
    type_slug = "invalid-input"


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"
    type_slug = "unauthorized"


class PermanentJobError(DomainError):
    """The job cannot succeed by retrying (bad payload, object gone): fail it now."""

    status = 422
    title = "Job failed"
    type_slug = "job-failed"
