"""Context-local log keys for Powertools' Logger (per record in workers, per request in the API)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aws_lambda_powertools import Logger


@contextmanager
def log_context(logger: Logger, **keys: object) -> Iterator[None]:
    """Log keys for the lines emitted inside the block, in this context only (threads included).

    Powertools' `append_keys`/`set_correlation_id` are process-wide: two records (or, on the local
    stack, two functions) running side by side would stamp each other's ids. Context-local keys
    override process-wide ones of the same name; a None value hides an inherited one.
    """
    saved = dict(logger.thread_safe_get_current_keys())
    logger.thread_safe_clear_keys()
    logger.thread_safe_append_keys(**{**saved, **keys})
    try:
        yield
    finally:
        logger.thread_safe_clear_keys()
        if saved:
            logger.thread_safe_append_keys(**saved)
