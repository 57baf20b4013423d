"""Which constraint an IntegrityError broke: the name lets a domain answer that one race (e.g. with a 409)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError


def violated_constraint(exc: IntegrityError) -> str | None:
    """The constraint PostgreSQL names in the error (pg8000 passes the server's fields as a dict)."""
    args = getattr(exc.orig, "args", ())
    fields = args[0] if args else None
    name = fields.get("n") if isinstance(fields, dict) else None
    return name if isinstance(name, str) else None
