"""Errors the communities API adds to `vkc.errors` (mapped to problems by the API's handler)."""

from __future__ import annotations

from vkc.errors import DomainError


class PayloadTooLarge(DomainError):
    status = 413
    title = "Payload too large"
    type_slug = "payload-too-large"
