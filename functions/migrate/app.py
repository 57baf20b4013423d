"""MigrateFunction: brings the database schema to the newest alembic revision (run after each deploy)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from vkc.db.migrate import upgrade_to_head
from vkc.settings import get_settings

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    revision = upgrade_to_head(get_settings())
    logger.info("schema migrated", extra={"revision": revision})
    return {"status": "ok", "revision": revision}
