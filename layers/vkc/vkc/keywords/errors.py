"""Errors of the keywords domain that the shared ``vkc.errors`` does not cover."""

from __future__ import annotations

from vkc.errors import DomainError


class PayloadTooLarge(DomainError):
    """An upload over the byte limit: rejected before anything is parsed."""

    status = 413
    title = "Payload too large"
    type_slug = "payload-too-large"
