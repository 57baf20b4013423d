"""Alembic environment: always runs on a connection handed in by `vkc.db.migrate`."""

from __future__ import annotations

from alembic import context
from vkc.db.all_models import Base  # every table registered on Base.metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through vkc.db.migrate.upgrade_to_head()")

context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
