"""What the token pool needs from a secret store (Secrets Manager in AWS, moto locally)."""

from __future__ import annotations

from typing import Protocol


class SecretStore(Protocol):
    """Named string secrets. Implementations never log or echo a value."""

    def put(self, name: str, value: str, *, description: str = "") -> None:
        """Create the secret, or replace its value when it exists."""
        ...

    def get(self, name: str) -> str | None:
        """The value, or None when no such secret exists (deleted behind our back)."""
        ...

    def delete(self, name: str) -> None:
        """Delete at once (no recovery window); a missing secret is not an error."""
        ...
