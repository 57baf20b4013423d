"""What a user pastes to name a community, parsed strictly into an id or a screen name.

Why strict: the predecessor stripped a `club` prefix from any name, so "clubfoo" became "foo" and
named a different community (defect 20). Here `club`/`public`/`event` followed by digits *only* is an
id; everything else that fits VK's screen-name alphabet is a name, and VK decides what it names.

Accepted: `123`, `-123`, `club123`, `public123`, `event123`, `@name`, `name`, and URLs on vk.com /
vk.ru (also `m.`, `www.`, `new.`), with or without a scheme, with any trailing path, query or fragment
(`https://vk.com/apiclub?w=wall-1_2`). Links to a community's wall, post, photo, album, video, topic
or market item (`vk.com/wall-1_2`) name that community. Parsing is pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

#: Largest id PostgreSQL's bigint holds; VK ids are far below it, larger numbers are typos.
MAX_ID = 2**63 - 1
MAX_INPUT_CHARS = 2048
VK_HOSTS = frozenset(
    f"{prefix}{domain}" for prefix in ("", "www.", "m.", "new.", "www.m.") for domain in ("vk.com", "vk.ru")
)

_NUMERIC = re.compile(r"^-?\d+$")
_ID_FORM = re.compile(r"^(club|public|event)(\d+)$")
_SCREEN_NAME = re.compile(r"^[a-z0-9_.]+$")
# a community's object links: wall-1, wall-1_2, photo-1_2, album-1_2, video-1_2, topic-1_2, market-1_2
_OBJECT_LINK = re.compile(r"^(wall|photo|album|video|topic|market)(-?)(\d+)(?:_\d+)?$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


class ParseOutcome(StrEnum):
    """Why a line could not become a community reference (the bulk report's outcomes)."""

    INVALID = "invalid"
    NOT_A_COMMUNITY = "not_a_community"


class CommunityInputError(ValueError):
    """The input cannot name a community; `reason` says why in words a user understands."""

    def __init__(self, reason: str, outcome: ParseOutcome = ParseOutcome.INVALID) -> None:
        super().__init__(reason)
        self.reason = reason
        self.outcome = outcome


@dataclass(frozen=True, slots=True)
class CommunityRef:
    """Exactly one of `group_id` (positive) or `screen_name` (lowercase) is set."""

    group_id: int | None = None
    screen_name: str | None = None

    def __post_init__(self) -> None:
        if (self.group_id is None) == (self.screen_name is None):
            raise ValueError("a CommunityRef holds an id or a screen name, not both or neither")

    @property
    def key(self) -> str:
        """Equal for inputs that certainly name the same community (`123`, `-123`, `club123`)."""
        return f"id:{self.group_id}" if self.group_id is not None else f"name:{self.screen_name}"

    def __str__(self) -> str:
        return f"club{self.group_id}" if self.group_id is not None else str(self.screen_name)


def parse_community_input(text: str) -> CommunityRef:
    """Parse one pasted value; raises `CommunityInputError` with a reason when it names no community."""
    value = text.strip().strip("\u200b\ufeff").strip()
    if not value:
        raise CommunityInputError("The input is empty.")
    if len(value) > MAX_INPUT_CHARS:
        raise CommunityInputError(f"The input is longer than {MAX_INPUT_CHARS} characters.")
    if _looks_like_url(value):
        return _parse_url(value)
    return _parse_token(value.removeprefix("@"), origin=value)


def _looks_like_url(value: str) -> bool:
    lowered = value.lower()
    if _SCHEME.match(lowered) or lowered.startswith("//"):
        return True
    host = lowered.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return host in VK_HOSTS or "/" in lowered


def _parse_url(value: str) -> CommunityRef:
    lowered = value.lower()
    if not _SCHEME.match(lowered):
        value = "https://" + value.removeprefix("//")
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        raise CommunityInputError("The address is not a valid URL.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise CommunityInputError(f"Only http(s) links to VK are accepted, not '{parts.scheme}:'.")
    if host not in VK_HOSTS:
        shown = host or "no host"
        raise CommunityInputError(f"The link points to {shown}, not to VK (vk.com or vk.ru).")
    if port not in (None, 80, 443):
        raise CommunityInputError("The link has an unexpected port; VK links have none.")
    segment = parts.path.strip("/").split("/", 1)[0]
    if not segment:
        raise CommunityInputError("The link points to VK's home page, not to a community.")
    return _parse_token(segment, origin=value, from_url=True)


def _parse_token(token: str, *, origin: str, from_url: bool = False) -> CommunityRef:
    lowered = token.lower()
    if _NUMERIC.match(lowered):
        return CommunityRef(group_id=_checked_id(lowered.lstrip("-"), origin))
    if match := _ID_FORM.match(lowered):
        return CommunityRef(group_id=_checked_id(match.group(2), origin))
    if match := _OBJECT_LINK.match(lowered):
        kind, minus, owner = match.groups()
        if not minus and not from_url:
            return _screen_name(token, lowered)  # e.g. "photo2024" may well be a name; VK decides
        if not minus:
            raise CommunityInputError(
                f"The link points to a user's {kind} (positive owner id {owner}), not to a community's.",
                ParseOutcome.NOT_A_COMMUNITY,
            )
        return CommunityRef(group_id=_checked_id(owner, origin))
    return _screen_name(token, lowered)


def _screen_name(token: str, lowered: str) -> CommunityRef:
    if lowered.startswith("-"):
        raise CommunityInputError("A leading '-' is only meaningful before a numeric community id.")
    if not _SCREEN_NAME.match(lowered):
        bad = sorted({c for c in lowered if not re.match(r"[a-z0-9_.]", c)})
        shown = " ".join(repr(c) for c in bad[:5])
        raise CommunityInputError(
            f"'{token}' is not a community id, link or short name: a short name has only Latin letters, "
            f"digits, '_' and '.' (found {shown})."
        )
    if lowered.strip("._") == "":
        raise CommunityInputError(f"'{token}' is not a valid short name.")
    if len(lowered) > 64:
        raise CommunityInputError("A VK short name is at most 64 characters long.")
    return CommunityRef(screen_name=lowered)


def _checked_id(digits: str, origin: str) -> int:
    number = int(digits)
    if number == 0:
        raise CommunityInputError("0 is not a community id.")
    if number > MAX_ID:
        raise CommunityInputError(f"'{origin}' is too large to be a VK community id.")
    return number
