"""What an export needs from object storage (S3 in AWS, moto locally)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


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
    def open_writer(self, key: str, *, content_type: str, content_disposition: str) -> ObjectWriter: ...

    def upload_file(self, path: Path, key: str, *, content_type: str, content_disposition: str) -> int: ...

    def size_of(self, key: str) -> int | None:
        """None when the object does not exist."""
        ...

    def presigned_get(self, key: str, *, expires_s: int, filename: str | None = None) -> str: ...
