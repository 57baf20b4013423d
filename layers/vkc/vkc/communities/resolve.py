"""Ask VK what a parsed reference names: `utils.resolveScreenName` for names, `groups.getById` for the rest.

Why resolve names first (predecessor defect 20): a screen name can belong to a user or an app, and only
resolveScreenName says so; `[]` means VK knows no such name. Ids then go to groups.getById with the
fields we store, up to 500 per call (unknown ids are left out of the answer, and a call whose ids are
all unknown fails with error 100). The VK client parses both answer shapes of groups.getById.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from vkc.communities.input import CommunityRef
from vkc.errors import InvalidInput, NotFound
from vkc.vk import methods
from vkc.vk.deadline import Deadline
from vkc.vk.errors import Action, VkApiError, VkDeadlineError, VkError, VkNoTokenError
from vkc.vk.models import Community as VkCommunity
from vkc.vk.models import ResolvedObject, parse_groups, parse_resolved
from vkc.vk_tokens.errors import vk_errors_as_problems

if TYPE_CHECKING:  # the client (and httpx) is the caller's: the API imports it only to add a community
    from vkc.vk.client import VkClient

COMMUNITY_FIELDS = "description,members_count,photo_200"
COMMUNITY_TYPES = frozenset({"group", "page", "event"})


class Outcome(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    NOT_A_COMMUNITY = "not_a_community"
    FAILED = "failed"
    DEFERRED = "deferred"  # the deadline came first; nothing is known yet


@dataclass(frozen=True, slots=True)
class Resolution:
    ref: CommunityRef
    outcome: Outcome
    community: VkCommunity | None = None
    reason: str | None = None


def collectability(community: VkCommunity) -> tuple[bool, str | None]:
    """Whether its wall can be collected, and if not, why (in words for the user)."""
    if community.deactivated == "deleted":
        return False, "VK has deleted this community."
    if community.deactivated == "banned":
        return False, "VK has blocked this community."
    if community.deactivated:
        return False, f"VK has deactivated this community ({community.deactivated})."
    if community.is_closed == 1:
        return False, "The community is closed: only its members can see its wall, so its comments can't be collected."
    if community.is_closed == 2:
        return False, "The community is private: only members its admins invite can see its wall."
    return True, None


def _not_a_community(name: str, found: ResolvedObject) -> str:
    kind = "a user's page" if found.type == "user" else f"an {found.type}" if found.type[0] in "aeiou" else found.type
    return f"'{name}' is {kind} on VK, not a community."


# --- one reference (the API's POST) -----------------------------------------------------------------
def resolve_one(client: VkClient, ref: CommunityRef, raw_input: str, *, deadline: Deadline) -> VkCommunity:
    """The community `ref` names. NotFound (echoing the input), InvalidInput for users and apps."""
    with vk_errors_as_problems():
        group_id = ref.group_id
        if ref.screen_name is not None:
            found = client.resolve_screen_name(ref.screen_name, deadline=deadline)
            if found is None:
                raise NotFound(f"VK knows no community '{raw_input}'.", extra={"input": raw_input})
            if found.type not in COMMUNITY_TYPES:
                raise InvalidInput(
                    _not_a_community(ref.screen_name, found), extra={"input": raw_input, "vk_type": found.type}
                )
            group_id = found.object_id
        assert group_id is not None
        try:
            groups = client.groups_get_by_id([group_id], fields=COMMUNITY_FIELDS, deadline=deadline)
        except VkApiError as exc:
            if exc.action is not Action.SKIP:
                raise
            groups = []
        match = next((g for g in groups if g.id == group_id), None)
        if match is None:
            raise NotFound(f"VK knows no community '{raw_input}'.", extra={"input": raw_input})
        return match


# --- many references (the bulk import) --------------------------------------------------------------
def resolve_many(client: VkClient, refs: Sequence[CommunityRef], *, deadline: Deadline) -> list[Resolution]:
    """One resolution per ref, in order; refs the deadline cut off come back DEFERRED (try them later).

    Raises `VkNoTokenError` when no token of the workspace may make the calls at all.
    """
    by_name = _resolve_names(client, sorted({r.screen_name for r in refs if r.screen_name}), deadline)
    ids: set[int] = {r.group_id for r in refs if r.group_id is not None}
    ids |= {res.object_id for res in by_name.values() if isinstance(res, ResolvedObject)}
    groups, deferred = _groups(client, sorted(ids), deadline)
    out = []
    for ref in refs:
        group_id = ref.group_id
        if ref.screen_name is not None:
            res = by_name[ref.screen_name]
            if isinstance(res, Resolution):
                out.append(Resolution(ref, res.outcome, reason=res.reason))
                continue
            group_id = res.object_id
        assert group_id is not None
        community = groups.get(group_id)
        if community is not None:
            out.append(Resolution(ref, Outcome.FOUND, community=community))
        elif group_id in deferred:
            out.append(Resolution(ref, Outcome.DEFERRED, reason=_DEFERRED))
        else:
            out.append(Resolution(ref, Outcome.NOT_FOUND, reason=f"VK has no community with id {group_id}."))
    return out


_DEFERRED = "Not resolved before the time budget ran out."


def _resolve_names(client: VkClient, names: list[str], deadline: Deadline) -> dict[str, ResolvedObject | Resolution]:
    """name → the object it resolves to (a community), or a Resolution saying why not."""
    results = client.run([methods.resolve_screen_name(n) for n in names], deadline=deadline) if names else []
    out: dict[str, ResolvedObject | Resolution] = {}
    for name, result in zip(names, results, strict=True):
        ref = CommunityRef(screen_name=name)
        if result.error is not None:
            out[name] = _failed(ref, result.error, not_found=f"VK knows no page named '{name}'.")
            continue
        found = parse_resolved(result.value)
        if found is None:
            out[name] = Resolution(ref, Outcome.NOT_FOUND, reason=f"VK knows no page named '{name}'.")
        elif found.type not in COMMUNITY_TYPES:
            out[name] = Resolution(ref, Outcome.NOT_A_COMMUNITY, reason=_not_a_community(name, found))
        else:
            out[name] = found
    return out


def _groups(client: VkClient, ids: list[int], deadline: Deadline) -> tuple[dict[int, VkCommunity], set[int]]:
    """Communities by id, and the ids the deadline cut off (500 ids per groups.getById)."""
    chunks = [ids[i : i + methods.MAX_GROUP_IDS] for i in range(0, len(ids), methods.MAX_GROUP_IDS)]
    results = client.run([methods.groups_get_by_id(c, COMMUNITY_FIELDS) for c in chunks], deadline=deadline)
    found: dict[int, VkCommunity] = {}
    deferred: set[int] = set()
    for chunk, result in zip(chunks, results, strict=True):
        if result.error is not None:
            failure = _failed(CommunityRef(group_id=chunk[0]), result.error, not_found="")
            if failure.outcome is Outcome.DEFERRED:
                deferred.update(chunk)
            elif failure.outcome is not Outcome.NOT_FOUND:
                raise result.error  # VK keeps failing on a whole chunk: let the job retry later
            continue  # error 100: every id of the chunk is unknown, they stay not found
        for group in parse_groups(result.value):
            found[group.id] = group
    return found, deferred


def _failed(ref: CommunityRef, error: VkError, *, not_found: str) -> Resolution:
    """What a failed call means for its reference."""
    if isinstance(error, VkNoTokenError):
        raise error
    if isinstance(error, VkDeadlineError):
        return Resolution(ref, Outcome.DEFERRED, reason=_DEFERRED)
    if isinstance(error, VkApiError):
        if error.action is Action.SKIP:
            return Resolution(ref, Outcome.NOT_FOUND, reason=not_found)
        return Resolution(ref, Outcome.FAILED, reason=f"VK answered error {error.code}: {error.vk_message}")
    return Resolution(ref, Outcome.FAILED, reason=f"VK did not answer ({type(error).__name__}); try this line again.")
