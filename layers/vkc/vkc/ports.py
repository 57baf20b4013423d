"""Ports to the outside world that several features share; adapters (`vkc.adapters`) implement them.

They live in the kernel so that the worker's dependencies (`vkc.jobs.context.WorkerDeps`) can name them
without importing a feature.
"""

from __future__ import annotations

from pathlib import Path
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


class ObjectWriter(Protocol):
    """A write-only binary stream that becomes one object on `complete()`."""

    def write(self, data: bytes) -> int: ...

    def complete(self) -> int:
        """Finish the object; returns its size in bytes."""
        ...

    def abort(self) -> None:
        """Throw away what was written (the object is not created or replaced)."""
        ...


class ObjectStore(Protocol):
    """Object storage for exports (S3 in AWS, moto locally)."""

    def open_writer(self, key: str, *, content_type: str, content_disposition: str) -> ObjectWriter: ...

    def upload_file(self, path: Path, key: str, *, content_type: str, content_disposition: str) -> int: ...

    def size_of(self, key: str) -> int | None:
        """None when the object does not exist."""
        ...

    def presigned_get(self, key: str, *, expires_s: int, filename: str | None = None) -> str: ...


def attachment(filename: str) -> str:
    """A Content-Disposition that downloads under `filename` (ASCII names only: we make them)."""
    return f'attachment; filename="{filename}"'
