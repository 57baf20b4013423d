"""Communities against the VK emulator's small dataset, PostgreSQL and the workspace's token pool."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session
from vkc.communities import service
from vkc.communities.schemas import CommunityPreview, CommunityView, MonitoringUpdate
from vkc.db.models import Job
from vkc.db.models_collection import Comment, Community, Post
from vkc.errors import Conflict, InvalidInput, NotFound
from vkc.settings import Priority
from vkc.vk.client import VkClient
from vkc.vk_tokens.clients import workspace_client
from vkc.vk_tokens.errors import NoUsableVkToken

from devtools.vk_emulator.model import Community as EmuCommunity
from tests.support.harness import VkEnv, add, fresh_token


@pytest.fixture
def ws(engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID) -> uuid.UUID:
    for _ in range(2):  # two tokens: the pool spreads calls, 6 requests/s instead of 3
        add(engine, vk_env, workspace_id, fresh_token(vk_env))
    return workspace_id


def communities(env: VkEnv) -> dict[str, EmuCommunity]:
    """The small dataset's communities by role: open, closed, banned."""
    all_ = list(env.emulator.dataset.communities.values())
    return {
        "open": next(c for c in all_ if c.is_closed == 0 and not c.deactivated),
        "open2": [c for c in all_ if c.is_closed == 0 and not c.deactivated][1],
        "closed": next(c for c in all_ if c.is_closed == 1),
        "banned": next(c for c in all_ if c.deactivated),
    }


def opener(session: Session, env: VkEnv, ws: uuid.UUID) -> Callable[[], AbstractContextManager[VkClient]]:
    return lambda: workspace_client(session, ws, settings=env.settings, redis_client=env.redis, secrets=env.secrets)


def create(engine: Engine, env: VkEnv, ws: uuid.UUID, text: str) -> CommunityView:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        return service.create_community(s, ws, text, open_client=opener(s, env, ws))


def test_create_by_screen_name_stores_what_vk_says(engine: Engine, vk_env: VkEnv, ws: uuid.UUID) -> None:
    c = communities(vk_env)["open"]
    view = create(engine, vk_env, ws, f"https://vk.com/{c.screen_name}?w=wall-{c.id}_1")
    assert (view.vk_id, view.screen_name, view.name, view.type) == (c.id, c.screen_name, c.name, c.type)
    assert view.members_count == c.members_count
    assert view.description == c.description
    assert view.photo_url
    assert view.can_collect
    assert view.cannot_collect_reason is None
    assert view.source_input.startswith("https://vk.com/")
    assert view.url == f"https://vk.com/{c.screen_name}"
    assert not view.monitoring_enabled
    assert view.monitoring_priority is Priority.NORMAL


@pytest.mark.parametrize("form", ["{id}", "-{id}", "club{id}", "public{id}", "m.vk.com/club{id}"])
def test_create_by_id_forms(engine: Engine, vk_env: VkEnv, ws: uuid.UUID, form: str) -> None:
    c = communities(vk_env)["open2"]
    view = create(engine, vk_env, ws, form.format(id=c.id))
    assert view.vk_id == c.id


def test_closed_and_banned_are_stored_but_not_collectable(engine: Engine, vk_env: VkEnv, ws: uuid.UUID) -> None:
    roles = communities(vk_env)
    closed = create(engine, vk_env, ws, roles["closed"].screen_name)
    banned = create(engine, vk_env, ws, str(roles["banned"].id))
    assert not closed.can_collect
    assert "closed" in (closed.cannot_collect_reason or "")
    assert closed.is_closed == 1
    assert not banned.can_collect
    assert banned.deactivated == "banned"
    assert "blocked" in (banned.cannot_collect_reason or "")


def test_unknown_name_and_id_are_404_echoing_the_input(engine: Engine, vk_env: VkEnv, ws: uuid.UUID) -> None:
    with pytest.raises(NotFound) as err:
        create(engine, vk_env, ws, "no_such_community_xyz")
    assert err.value.extra["input"] == "no_such_community_xyz"
    assert "no_such_community_xyz" in err.value.detail
    with pytest.raises(NotFound) as err:
        create(engine, vk_env, ws, "club999999999")
    assert err.value.extra["input"] == "club999999999"


def test_a_user_is_not_a_community(engine: Engine, vk_env: VkEnv, ws: uuid.UUID) -> None:
    user_id = next(iter(vk_env.emulator.dataset.users))
    with pytest.raises(InvalidInput) as err:
        create(engine, vk_env, ws, f"https://vk.com/id{user_id}")
    assert "user" in err.value.detail
    assert err.value.extra["vk_type"] == "user"


def test_clubfoo_is_a_name_not_an_id(engine: Engine, vk_env: VkEnv, ws: uuid.UUID) -> None:
    with pytest.raises(NotFound):
        create(engine, vk_env, ws, "clubfoo")


def test_invalid_input_is_422_with_reason(engine: Engine, vk_env: VkEnv, ws: uuid.UUID) -> None:
    with pytest.raises(InvalidInput) as err:
        create(engine, vk_env, ws, "https://example.com/apiclub")
    assert "not to VK" in err.value.detail


def test_duplicate_names_the_existing_row(engine: Engine, vk_env: VkEnv, ws: uuid.UUID) -> None:
    c = communities(vk_env)["open"]
    first = create(engine, vk_env, ws, c.screen_name)
    for again in [f"club{c.id}", c.screen_name.upper()]:  # by id (no VK call) and by name (after resolving)
        with pytest.raises(Conflict) as err:
            create(engine, vk_env, ws, again)
        assert err.value.extra["existing_id"] == str(first.id)


def test_without_tokens_the_problem_says_to_add_one(engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID) -> None:
    with pytest.raises(NoUsableVkToken) as err:
        create(engine, vk_env, workspace_id, "apiclub")
    assert "POST /v1/vk-tokens" in err.value.detail


def preview(engine: Engine, env: VkEnv, ws: uuid.UUID, text: str) -> CommunityPreview:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        return service.preview_community(s, ws, text, open_client=opener(s, env, ws))


def test_preview_shows_what_adding_would_store_and_stores_nothing(engine: Engine, vk_env: VkEnv, ws: uuid.UUID) -> None:
    c = communities(vk_env)["open"]
    seen = preview(engine, vk_env, ws, f"https://vk.com/{c.screen_name}")
    assert (seen.vk_id, seen.name, seen.members_count, seen.is_closed) == (c.id, c.name, c.members_count, 0)
    assert seen.photo_url
    assert seen.can_collect
    assert seen.existing_id is None
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Community).where(Community.workspace_id == ws)) == 0
    added = create(engine, vk_env, ws, c.screen_name)
    shared = set(CommunityPreview.model_fields) - {"existing_id"}
    assert seen.model_dump(include=shared) == added.model_dump(include=shared)
    assert preview(engine, vk_env, ws, f"club{c.id}").existing_id == added.id  # already here: named, not refused


def test_preview_says_why_closed_and_banned_cannot_be_collected(engine: Engine, vk_env: VkEnv, ws: uuid.UUID) -> None:
    roles = communities(vk_env)
    closed = preview(engine, vk_env, ws, roles["closed"].screen_name)
    banned = preview(engine, vk_env, ws, str(roles["banned"].id))
    assert (closed.is_closed, closed.can_collect) == (1, False)
    assert "closed" in (closed.cannot_collect_reason or "")
    assert (banned.deactivated, banned.can_collect) == ("banned", False)


def test_preview_has_the_problems_of_adding(engine: Engine, vk_env: VkEnv, ws: uuid.UUID) -> None:
    with pytest.raises(NotFound) as err:
        preview(engine, vk_env, ws, "no_such_community_xyz")
    assert err.value.extra["input"] == "no_such_community_xyz"
    with pytest.raises(InvalidInput):
        preview(engine, vk_env, ws, "https://example.com/apiclub")


def test_other_workspace_gets_404(engine: Engine, vk_env: VkEnv, ws: uuid.UUID) -> None:
    view = create(engine, vk_env, ws, communities(vk_env)["open"].screen_name)
    other = uuid.uuid4()
    with Session(engine) as s:
        with pytest.raises(NotFound):
            service.get_community(s, other, view.id)
        with pytest.raises(NotFound):
            service.update_monitoring(s, other, view.id, MonitoringUpdate(monitoring_enabled=True))
        with pytest.raises(NotFound):
            service.delete_community(s, other, view.id)
        assert service.list_communities(s, other).items == []


@contextmanager
def seeded(engine: Engine, ws: uuid.UUID, n: int) -> Iterator[list[uuid.UUID]]:
    """n stored communities (fake VK ids) with distinct names, newest last."""
    ids = []
    with Session(engine) as s, s.begin():
        for i in range(n):
            row = Community(
                workspace_id=ws,
                vk_id=10_000_000 + i,
                screen_name=f"seed_{i}",
                name=f"Seed 100% {i}" if i % 2 else f"Seed_{i}",
                type="group",
                is_closed=0,
                source_input=f"seed_{i}",
                can_collect=i % 3 != 0,
                monitoring_enabled=i % 4 == 0,
                monitoring_interval_minutes=60,
                monitoring_priority="normal",
            )
            s.add(row)
            s.flush()
            ids.append(row.id)
    yield ids


def test_list_keyset_pagination_and_filters(engine: Engine, workspace_id: uuid.UUID) -> None:
    with seeded(engine, workspace_id, 7) as ids, Session(engine) as s:
        seen: list[uuid.UUID] = []
        cursor = None
        while True:
            page = service.list_communities(s, workspace_id, limit=3, cursor=cursor)
            seen += [c.id for c in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert sorted(seen) == sorted(ids)
        assert len(seen) == 7
        collectable = service.list_communities(s, workspace_id, can_collect=True).items
        assert {c.screen_name for c in collectable} == {f"seed_{i}" for i in range(7) if i % 3 != 0}
        monitored = service.list_communities(s, workspace_id, monitoring_enabled=True).items
        assert {c.screen_name for c in monitored} == {"seed_0", "seed_4"}
        assert [c.screen_name for c in service.list_communities(s, workspace_id, q="SEED_3").items] == ["seed_3"]
        # LIKE wildcards in q are literal: "100%" matches only names containing it
        assert {c.name for c in service.list_communities(s, workspace_id, q="100%").items} == {
            f"Seed 100% {i}" for i in (1, 3, 5)
        }
        assert service.list_communities(s, workspace_id, q="_0").items[0].screen_name == "seed_0"
        with pytest.raises(InvalidInput):
            service.list_communities(s, workspace_id, cursor="garbage")


def test_monitoring_settings(engine: Engine, workspace_id: uuid.UUID) -> None:
    with seeded(engine, workspace_id, 2) as (closed_id, open_id), Session(engine) as s, s.begin():
        before = datetime.now(UTC)
        view = service.update_monitoring(
            s,
            workspace_id,
            open_id,
            MonitoringUpdate(
                monitoring_enabled=True, monitoring_interval_minutes=15, monitoring_priority=Priority.HIGH
            ),
        )
        assert view.monitoring_enabled
        assert view.monitoring_interval_minutes == 15
        assert view.monitoring_priority is Priority.HIGH
        assert view.next_monitoring_at is not None
        assert view.next_monitoring_at >= before.replace(microsecond=0)
        same = service.update_monitoring(s, workspace_id, open_id, MonitoringUpdate(monitoring_interval_minutes=30))
        assert same.next_monitoring_at == view.next_monitoring_at  # already enabled: schedule kept
        off = service.update_monitoring(s, workspace_id, open_id, MonitoringUpdate(monitoring_enabled=False))
        assert not off.monitoring_enabled
        assert off.next_monitoring_at is None
        with pytest.raises(InvalidInput, match="can't be enabled"):
            service.update_monitoring(s, workspace_id, closed_id, MonitoringUpdate(monitoring_enabled=True))


@pytest.mark.parametrize("minutes", [4, 10081])
def test_interval_bounds(minutes: int) -> None:
    with pytest.raises(ValidationError):
        MonitoringUpdate(monitoring_interval_minutes=minutes)


def test_delete_cascades_to_posts_and_comments(engine: Engine, workspace_id: uuid.UUID) -> None:
    with seeded(engine, workspace_id, 1) as (cid,):
        with Session(engine) as s, s.begin():
            common = {"workspace_id": workspace_id, "community_id": cid, "owner_id": -10_000_000, "post_id": 1}
            s.execute(insert(Post).values(**common, text="p", content_hash="h"))
            s.execute(insert(Comment).values(**common, comment_id=2, text="c", content_hash="h"))
        with Session(engine) as s, s.begin():
            service.delete_community(s, workspace_id, cid)
        with Session(engine) as s:
            assert s.scalar(select(func.count()).select_from(Post).where(Post.community_id == cid)) == 0
            assert s.scalar(select(func.count()).select_from(Comment).where(Comment.community_id == cid)) == 0
            with pytest.raises(NotFound):
                service.get_community(s, workspace_id, cid)


def test_delete_is_refused_while_a_job_runs_on_it(engine: Engine, workspace_id: uuid.UUID) -> None:
    with seeded(engine, workspace_id, 1) as (cid,):
        with Session(engine, expire_on_commit=False) as s, s.begin():
            job = Job(
                workspace_id=workspace_id,
                type="collect",
                priority="high",
                status="queued",
                payload={"community_id": str(cid)},
                community_id=cid,
            )
            s.add(job)
        with Session(engine) as s, pytest.raises(Conflict, match="cancel"):
            service.delete_community(s, workspace_id, cid)
        with Session(engine) as s, s.begin():
            s.execute(update(Job).where(Job.id == job.id).values(status="succeeded"))
        with Session(engine) as s, s.begin():
            service.delete_community(s, workspace_id, cid)  # a finished job no longer blocks


def test_the_list_carries_the_newest_succeeded_collections_completeness(
    engine: Engine, workspace_id: uuid.UUID
) -> None:
    def report(vk: int, missing: int) -> dict[str, object]:
        completeness = {"posts": 3, "vk_comments_count": vk, "stored_comments": vk - missing, "missing": missing}
        return {"completeness": {**completeness, "posts_with_differences": 1 if missing else 0}}

    with seeded(engine, workspace_id, 2) as (collected, never):
        with Session(engine, expire_on_commit=False) as s, s.begin():
            old, new, failed = (
                Job(workspace_id=workspace_id, type="collect", priority="high", community_id=collected, payload={})
                for _ in range(3)
            )
            old.status, old.finished_at, old.result = "succeeded", datetime(2024, 1, 1, tzinfo=UTC), report(10, 5)
            new.status, new.finished_at, new.result = "succeeded", datetime(2024, 2, 1, tzinfo=UTC), report(200, 10)
            failed.status, failed.finished_at = "failed", datetime(2024, 3, 1, tzinfo=UTC)
            s.add_all([old, new, failed])
        with Session(engine) as s:
            items = {c.id: c for c in service.list_communities(s, workspace_id).items}
        summary = items[collected].last_completeness
        assert summary is not None
        assert (summary.job_id, summary.vk_comments_count, summary.missing, summary.share) == (new.id, 200, 10, 0.95)
        assert items[never].last_completeness is None
