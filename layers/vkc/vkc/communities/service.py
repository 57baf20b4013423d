"""Store, list, read, update and delete a workspace's communities.

Every query is scoped to the caller's workspace: another workspace's id is a 404, never a 403 that
would confirm it exists. Adding is parse → (already here? 409 without a VK call) → resolve → insert;
the insert is `ON CONFLICT DO NOTHING` on (workspace_id, vk_id), so two concurrent adds of the same
community produce one row and one 409.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from vkc.communities.completeness import last_completeness
from vkc.communities.input import CommunityInputError, CommunityRef, parse_community_input
from vkc.communities.schemas import CommunityListItem, CommunityPage, CommunityPreview, CommunityView, MonitoringUpdate
from vkc.db.models_community import Community
from vkc.errors import Conflict, InvalidInput, NotFound
from vkc.jobs.cursor import decode_cursor, encode_cursor
from vkc.jobs.queries import active_job_on_community
from vkc.settings import Priority

if TYPE_CHECKING:  # the client (and httpx) is imported where one is opened, not with every community route
    from vkc.vk.client import VkClient
    from vkc.vk.models import Community as VkCommunity

type ClientFactory = Callable[[], AbstractContextManager[VkClient]]
#: The API answers within API Gateway's 30 s: resolution gets at most this long.
RESOLVE_BUDGET_S = 20.0


def parse_input(raw: str) -> CommunityRef:
    """The reference `raw` names, or InvalidInput with the reason (echoing the input)."""
    try:
        return parse_community_input(raw)
    except CommunityInputError as exc:
        raise InvalidInput(exc.reason, extra={"input": raw, "outcome": exc.outcome.value}) from None


def create_community(
    session: Session, workspace_id: uuid.UUID, raw_input: str, *, open_client: ClientFactory
) -> CommunityView:
    """Resolve `raw_input` through VK and store the community; Conflict names the existing row."""
    # VK's parsing and models load with the first route that calls VK, not with every community read
    from vkc.communities.resolve import resolve_one
    from vkc.vk.deadline import Deadline

    ref = parse_input(raw_input)
    if ref.group_id is not None:
        _refuse_duplicate(session, workspace_id, ref.group_id)
    with open_client() as client:
        vk = resolve_one(client, ref, raw_input.strip(), deadline=Deadline.after(RESOLVE_BUDGET_S))
    row, created = insert_community(session, workspace_id, vk, source_input=raw_input.strip())
    if not created:
        raise _duplicate(row)
    return to_view(row)


def preview_community(
    session: Session, workspace_id: uuid.UUID, raw_input: str, *, open_client: ClientFactory
) -> CommunityPreview:
    """What `create_community` would store for `raw_input`, resolved through VK but not stored.

    The same parsing and resolution (and the same problems: 422, 404, 409 without a token), so what the
    user sees before adding is what adding does; a community already here is named, not refused.
    """
    # VK's parsing and models load with the first route that calls VK, not with every community read
    from vkc.communities.resolve import resolve_one
    from vkc.vk.deadline import Deadline

    ref = parse_input(raw_input)
    with open_client() as client:
        vk = resolve_one(client, ref, raw_input.strip(), deadline=Deadline.after(RESOLVE_BUDGET_S))
    existing = find_by_vk_id(session, workspace_id, vk.id)
    values = row_values(vk)
    return CommunityPreview(
        vk_id=vk.id,
        url=_vk_url(values["screen_name"], vk.id),
        existing_id=existing.id if existing is not None else None,
        **values,
    )


def _refuse_duplicate(session: Session, workspace_id: uuid.UUID, vk_id: int) -> None:
    row = find_by_vk_id(session, workspace_id, vk_id)
    if row is not None:
        raise _duplicate(row)


def _duplicate(row: Community) -> Conflict:
    return Conflict(
        f"The community {row.name!r} (vk id {row.vk_id}) is already in this workspace as {row.id}.",
        extra={"existing_id": str(row.id), "vk_id": row.vk_id},
    )


def find_by_vk_id(session: Session, workspace_id: uuid.UUID, vk_id: int) -> Community | None:
    return session.scalar(select(Community).where(Community.workspace_id == workspace_id, Community.vk_id == vk_id))


def row_values(vk: VkCommunity) -> dict[str, Any]:
    """The columns VK's answer fills (also what a refresh would update)."""
    from vkc.communities.resolve import collectability

    can_collect, reason = collectability(vk)
    return {
        "screen_name": vk.screen_name,
        "name": (vk.name or f"club{vk.id}")[:512],
        "type": vk.type or "group",
        "is_closed": vk.is_closed,
        "deactivated": vk.deactivated,
        "members_count": vk.members_count,
        "photo_url": vk.photo_200 or vk.photo_100 or vk.photo_50,
        "description": vk.description,
        "can_collect": can_collect,
        "cannot_collect_reason": reason,
    }


def insert_community(
    session: Session, workspace_id: uuid.UUID, vk: VkCommunity, *, source_input: str
) -> tuple[Community, bool]:
    """Insert unless (workspace, vk id) exists; returns the row and whether it is new."""
    new_id = session.scalar(
        insert(Community)
        .values(
            id=uuid.uuid4(),
            workspace_id=workspace_id,
            vk_id=vk.id,
            source_input=source_input[:2048],
            monitoring_enabled=False,
            monitoring_interval_minutes=60,
            monitoring_priority=Priority.NORMAL.value,
            **row_values(vk),
        )
        .on_conflict_do_nothing(index_elements=["workspace_id", "vk_id"])
        .returning(Community.id)
    )
    if new_id is not None:
        row = session.get(Community, new_id)
        assert row is not None
        return row, True
    existing = find_by_vk_id(session, workspace_id, vk.id)
    assert existing is not None
    return existing, False


def get_row(session: Session, workspace_id: uuid.UUID, community_id: uuid.UUID) -> Community:
    row = session.get(Community, community_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound(f"Community {community_id} does not exist.")
    return row


def get_community(session: Session, workspace_id: uuid.UUID, community_id: uuid.UUID) -> CommunityView:
    return to_view(get_row(session, workspace_id, community_id))


def list_communities(
    session: Session,
    workspace_id: uuid.UUID,
    *,
    q: str | None = None,
    can_collect: bool | None = None,
    monitoring_enabled: bool | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> CommunityPage:
    """Newest first, keyset-paginated on (created_at, id); `q` matches name or screen name, any case."""
    query = select(Community).where(Community.workspace_id == workspace_id)
    if q and q.strip():
        pattern = "%" + _escape_like(q.strip()) + "%"
        query = query.where(
            or_(Community.name.ilike(pattern, escape="\\"), Community.screen_name.ilike(pattern, escape="\\"))
        )
    if can_collect is not None:
        query = query.where(Community.can_collect.is_(can_collect))
    if monitoring_enabled is not None:
        query = query.where(Community.monitoring_enabled.is_(monitoring_enabled))
    if cursor:
        created, row_id = decode_cursor(cursor)
        query = query.where(
            or_(Community.created_at < created, and_(Community.created_at == created, Community.id < row_id))
        )
    rows = list(session.scalars(query.order_by(Community.created_at.desc(), Community.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].created_at, rows[limit - 1].id) if len(rows) > limit else None
    rows = rows[:limit]
    reports = last_completeness(session, workspace_id, [r.id for r in rows])
    items = [CommunityListItem(**dict(to_view(r)), last_completeness=reports.get(r.id)) for r in rows]
    return CommunityPage(items=items, next_cursor=next_cursor)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def update_monitoring(
    session: Session, workspace_id: uuid.UUID, community_id: uuid.UUID, patch: MonitoringUpdate
) -> CommunityView:
    """Apply the monitoring settings sent; enabling makes the community due now, disabling unschedules it."""
    row = get_row(session, workspace_id, community_id)
    if patch.monitoring_enabled is True and not row.can_collect:
        raise InvalidInput(
            f"Monitoring can't be enabled: {row.cannot_collect_reason or 'the community cannot be collected.'}",
            extra={"community_id": str(row.id)},
        )
    if patch.monitoring_interval_minutes is not None:
        row.monitoring_interval_minutes = patch.monitoring_interval_minutes
    if patch.monitoring_priority is not None:
        row.monitoring_priority = patch.monitoring_priority.value
    if patch.monitoring_enabled is True and not row.monitoring_enabled:
        row.monitoring_enabled = True
        row.next_monitoring_at = datetime.now(UTC)
    elif patch.monitoring_enabled is False:
        row.monitoring_enabled = False
        row.next_monitoring_at = None
    session.flush()
    session.refresh(row)
    return to_view(row)


def delete_community(session: Session, workspace_id: uuid.UUID, community_id: uuid.UUID) -> None:
    """Delete it with its posts, comments and monitoring runs (FK cascades); refused while a job runs on it.

    The row is locked FOR UPDATE before looking for jobs: a job being created holds the row FOR KEY
    SHARE until it commits, so the look below sees every job that could still start on it.
    """
    row = session.scalar(
        select(Community)
        .where(Community.id == community_id, Community.workspace_id == workspace_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFound(f"Community {community_id} does not exist.")
    busy = active_job_on_community(session, workspace_id, row.id) is not None
    if busy:
        raise Conflict(
            f"Community {row.id} has a queued or running job; cancel it (POST /v1/jobs/{{id}}/cancel) first.",
            extra={"community_id": str(row.id)},
        )
    session.delete(row)
    session.flush()


def vk_url(row: Community) -> str:
    return _vk_url(row.screen_name, row.vk_id)


def _vk_url(screen_name: str | None, vk_id: int) -> str:
    return f"https://vk.com/{screen_name or f'club{vk_id}'}"


def to_view(row: Community) -> CommunityView:
    return CommunityView(
        id=row.id,
        vk_id=row.vk_id,
        screen_name=row.screen_name,
        name=row.name,
        type=row.type,
        is_closed=row.is_closed,
        deactivated=row.deactivated,
        members_count=row.members_count,
        photo_url=row.photo_url,
        description=row.description,
        url=vk_url(row),
        source_input=row.source_input,
        can_collect=row.can_collect,
        cannot_collect_reason=row.cannot_collect_reason,
        monitoring_enabled=row.monitoring_enabled,
        monitoring_interval_minutes=row.monitoring_interval_minutes,
        monitoring_priority=Priority(row.monitoring_priority),
        next_monitoring_at=row.next_monitoring_at,
        last_collected_at=row.last_collected_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
