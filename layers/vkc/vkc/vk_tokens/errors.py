"""Domain errors for VK being unreachable or a workspace lacking tokens, and the map from VK client errors.

Why a map: the API must answer a problem with a useful status (the predecessor turned every VK error
into a 500, defect 9), and no VK client error text may carry a token (the client guarantees that; we
only repeat its codes and messages).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from vkc.errors import DomainError
from vkc.vk.errors import VkApiError, VkDeadlineError, VkError, VkNoTokenError, VkTransportError


class NoUsableVkToken(DomainError):
    """The workspace has no VK token that may make the call (none added, all revoked or cooling down)."""

    status = 409
    title = "No usable VK token"
    type_slug = "no-vk-token"


class VkUnavailable(DomainError):
    """VK did not answer in time or at all; trying again later can succeed."""

    status = 503
    title = "VK is unavailable"
    type_slug = "vk-unavailable"


class VkRefused(DomainError):
    """VK answered with an error we cannot turn into a user mistake (reported with its code)."""

    status = 502
    title = "VK API error"
    type_slug = "vk-error"


@contextmanager
def vk_errors_as_problems() -> Iterator[None]:
    """Turn what the VK client raises into the domain errors above; handle expected VK codes inside."""
    try:
        yield
    except VkNoTokenError as exc:
        raise NoUsableVkToken(
            "No VK token of this workspace can make the call now (none added, revoked, or all cooling down). "
            "Add one with POST /v1/vk-tokens or try again later.",
            extra={"vk_method": exc.method},
        ) from None
    except (VkDeadlineError, VkTransportError) as exc:
        raise VkUnavailable(f"VK did not answer in time ({type(exc).__name__}); try again later.") from None
    except VkApiError as exc:
        raise VkRefused(
            f"VK answered error {exc.code} on {exc.method}: {exc.vk_message}", extra={"vk_error_code": exc.code}
        ) from None
    except VkError as exc:
        raise VkRefused(f"The VK client failed: {exc.message}") from None
