"""Ports to the outside world that several features share; adapters (`vkc.adapters`) implement them.

They live in the kernel so that the worker's dependencies (`vkc.jobs.context.WorkerDeps`) can name them
without importing a feature.
"""

from __future__ import annotations

from typing import Protocol


class SecretStore(Protocol):
    """Named string secrets (Secrets Manager in AWS, moto locally). Implementations never log a value."""

    def put(self, name: str, value: str, *, description: str = "") -> None:
        """Create the secret, or replace its value when it exists."""
        ...

    def get(self, name: str) -> str | None:
        """The value, or None when no such secret exists (deleted behind our back)."""
        ...

    def delete(self, name: str) -> None:
        """Delete at once (no recovery window); a missing secret is not an error."""
        ...


class ObjectStore(Protocol):
    """Object storage for exports (S3 in AWS, moto locally)."""

    def size_of(self, key: str) -> int | None:
        """None when the object does not exist."""
        ...

    def presigned_get(self, key: str, *, expires_s: int, filename: str | None = None) -> str: ...

    # A multipart upload driven part by part, so that it can outlive the process that started it: the
    # caller keeps the upload id and each part's ETag (in the database) and may resume in another run.
    def start_upload(self, key: str, *, content_type: str, content_disposition: str) -> str:
        """Start a multipart upload; returns its id."""
        ...

    def upload_part(self, key: str, upload_id: str, number: int, data: bytes | bytearray) -> str:
        """Upload (or replace) part `number` (1-based); returns its ETag."""
        ...

    def complete_upload(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        """Assemble the object from `(number, etag)` parts; UploadGone when the id no longer exists."""
        ...

    def abort_upload(self, key: str, upload_id: str) -> None:
        """Drop the upload's parts (best effort; a missing upload is not an error)."""
        ...

    # Small whole objects: what a paused export carries over that is too small to be a part.
    def put_object(self, key: str, data: bytes) -> None: ...

    def get_object(self, key: str) -> bytes: ...

    def delete_object(self, key: str) -> None:
        """Best effort; a missing object is not an error."""
        ...


class UploadGone(RuntimeError):
    """The multipart upload no longer exists (completed already, aborted, or expired)."""


def attachment(filename: str) -> str:
    """A Content-Disposition that downloads under `filename` (ASCII names only: we make them)."""
    return f'attachment; filename="{filename}"'
