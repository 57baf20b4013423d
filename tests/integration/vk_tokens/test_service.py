"""VK tokens against the emulator, moto Secrets Manager, Redis and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from vkc.db.models_collection import VkTokenRow
from vkc.errors import Conflict, InvalidInput, NotFound
from vkc.vk.breaker import CircuitBreaker
from vkc.vk.tokens import TokenType, token_id
from vkc.vk_tokens import service
from vkc.vk_tokens.schemas import TokenState, VkTokenView

from tests.support.harness import VkEnv, add


@pytest.mark.parametrize(
    ("attr", "kind"),
    [("user", "user"), ("service", "service"), ("community", "community")],
)
def test_type_is_detected_and_secret_stored(
    engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID, attr: str, kind: str
) -> None:
    secret = getattr(vk_env.tokens, attr)
    view = add(engine, vk_env, workspace_id, secret, label=f"my {kind}")
    assert view.type == kind
    assert view.state is TokenState.ACTIVE
    assert view.hint == f"{secret[:4]}…{secret[-4:]}"
    assert view.token_id == token_id(secret)
    assert view.label == f"my {kind}"
    name = f"{vk_env.settings.vk_tokens_secret_prefix}{workspace_id}/{view.token_id}"
    assert vk_env.secrets.get(name) == secret
    with Session(engine) as s:
        row = s.scalars(select(VkTokenRow).where(VkTokenRow.id == view.id)).one()
    assert row.secret_name == name
    assert secret not in {row.hint, row.secret_name, row.label}


def test_list_shows_usage_of_the_detection_calls(engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID) -> None:
    add(engine, vk_env, workspace_id, vk_env.tokens.user2)
    with Session(engine) as s:
        [view] = service.list_tokens(s, workspace_id, redis_client=vk_env.redis)
    assert view.type == "user"
    assert view.usage_today.get("execute", 0) >= 1  # the detection's test calls are counted like any other
    assert view.requests_today == sum(view.usage_today.values()) >= 2
    # headroom under VK's daily limit, as the pool counts it (98 % of wall.get's 5,000 minus today's calls)
    assert view.remaining_today["wall.get"] == 4900 - view.usage_today.get("wall.get", 0)


def test_invalid_token_is_refused_with_the_reason_and_nothing_kept(
    engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID
) -> None:
    with pytest.raises(InvalidInput) as err:
        add(engine, vk_env, workspace_id, vk_env.tokens.unknown)
    assert "error 5" in err.value.detail
    assert err.value.extra["vk_error_code"] == 5
    assert vk_env.tokens.unknown not in repr(err.value.__dict__)
    name = f"{vk_env.settings.vk_tokens_secret_prefix}{workspace_id}/{token_id(vk_env.tokens.unknown)}"
    assert vk_env.secrets.get(name) is None
    with Session(engine) as s:
        assert service.list_tokens(s, workspace_id, redis_client=vk_env.redis) == []


@pytest.mark.parametrize("bad", ["ab12cd", "x" * 600, "has space inside the token value", "токен-кириллицей-длинный"])
def test_malformed_tokens_are_refused_without_echo(
    engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID, bad: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        add(engine, vk_env, workspace_id, bad)
    assert bad not in str(err.value)


def test_duplicate_is_a_conflict_naming_the_existing_row(
    engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID
) -> None:
    first = add(engine, vk_env, workspace_id, vk_env.tokens.service)
    with pytest.raises(Conflict) as err:
        add(engine, vk_env, workspace_id, "  " + vk_env.tokens.service + "\n")
    assert err.value.extra["existing_id"] == str(first.id)


def test_same_token_in_two_workspaces_is_fine(engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID) -> None:
    other = _new_workspace(engine)
    a = add(engine, vk_env, workspace_id, vk_env.tokens.service)
    b = add(engine, vk_env, other, vk_env.tokens.service)
    assert a.token_id == b.token_id
    assert a.id != b.id


def test_delete_removes_row_and_secret_and_is_scoped(engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID) -> None:
    view = add(engine, vk_env, workspace_id, vk_env.tokens.user)
    name = f"{vk_env.settings.vk_tokens_secret_prefix}{workspace_id}/{view.token_id}"
    with Session(engine) as s, s.begin(), pytest.raises(NotFound):
        service.delete_token(s, _new_workspace(engine), view.id, secrets=vk_env.secrets)
    with Session(engine) as s, s.begin():
        service.delete_token(s, workspace_id, view.id, secrets=vk_env.secrets)
    assert vk_env.secrets.get(name) is None
    with Session(engine) as s, pytest.raises(NotFound):
        service.get_token(s, workspace_id, view.id, redis_client=vk_env.redis)


def test_load_pool_gives_typed_tokens_and_skips_revoked_and_missing(
    engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID
) -> None:
    user = add(engine, vk_env, workspace_id, vk_env.tokens.user)
    svc = add(engine, vk_env, workspace_id, vk_env.tokens.service)
    com = add(engine, vk_env, workspace_id, vk_env.tokens.community)
    with Session(engine) as s:
        pool = service.load_pool(s, workspace_id, vk_env.settings, vk_env.redis, vk_env.secrets)
    assert {t.id: t.type for t in pool.tokens} == {
        user.token_id: TokenType.USER,
        svc.token_id: TokenType.SERVICE,
        com.token_id: TokenType.COMMUNITY,
    }
    with Session(engine) as s, s.begin():
        assert service.mark_revoked(s, workspace_id, svc.token_id, "vk:5")
        assert not service.mark_revoked(s, workspace_id, svc.token_id, "vk:5")  # once
    vk_env.secrets.delete(f"{vk_env.settings.vk_tokens_secret_prefix}{workspace_id}/{com.token_id}")
    with Session(engine) as s:
        pool = service.load_pool(s, workspace_id, vk_env.settings, vk_env.redis, vk_env.secrets)
        views = {v.token_id: v for v in service.list_tokens(s, workspace_id, redis_client=vk_env.redis)}
    assert [t.id for t in pool.tokens] == [user.token_id]
    assert views[svc.token_id].state is TokenState.REVOKED
    assert "error 5" in (views[svc.token_id].state_reason or "")


def test_load_pool_ignores_secrets_of_another_deployment(
    engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID
) -> None:
    add(engine, vk_env, workspace_id, vk_env.tokens.user)
    other = vk_env.settings.model_copy(update={"vk_tokens_secret_prefix": "vkc/elsewhere/"})
    with Session(engine) as s:
        assert service.load_pool(s, workspace_id, other, vk_env.redis, vk_env.secrets).tokens == []


def test_client_reported_revocations_are_recorded(engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID) -> None:
    view = add(engine, vk_env, workspace_id, vk_env.tokens.user2)
    breaker = CircuitBreaker(vk_env.redis, prefix="vkc:vk")
    try:
        breaker.retire(view.token_id, "vk:17")
        with Session(engine) as s, s.begin():
            assert service.record_revocations(s, workspace_id, vk_env.redis) == [view.token_id]
        with Session(engine) as s:
            [listed] = service.list_tokens(s, workspace_id, redis_client=vk_env.redis)
        assert listed.state is TokenState.REVOKED
        assert "validation required" in (listed.state_reason or "")
    finally:
        breaker.reset(view.token_id)


def test_cooling_down_comes_from_the_breaker(engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID) -> None:
    view = add(engine, vk_env, workspace_id, vk_env.tokens.community)
    breaker = CircuitBreaker(vk_env.redis, prefix="vkc:vk")
    try:
        breaker.record_failure(view.token_id, "vk:9", immediate=True, cooldown_s=60)
        with Session(engine) as s:
            listed = service.get_token(s, workspace_id, view.id, redis_client=vk_env.redis)
        assert listed.state is TokenState.COOLING_DOWN
        assert listed.cooldown_until is not None
        assert "flood control" in (listed.state_reason or "")
    finally:
        breaker.reset(view.token_id)


def _new_workspace(engine: Engine) -> uuid.UUID:
    from vkc.workspaces.service import create_workspace

    with Session(engine, expire_on_commit=False) as s, s.begin():
        ws, _ = create_workspace(s, f"other-{uuid.uuid4().hex[:6]}")
    return ws.id


def _secret_of(vk_env: VkEnv, workspace_id: uuid.UUID, view: VkTokenView) -> str:
    return f"{vk_env.settings.vk_tokens_secret_prefix}{workspace_id}/{view.token_id}"


def test_a_token_whose_secret_is_lost_shows_it_once_the_pool_fails_to_read_it(
    engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID
) -> None:
    lost = add(engine, vk_env, workspace_id, vk_env.tokens.user)
    kept = add(engine, vk_env, workspace_id, vk_env.tokens.service)
    vk_env.secrets.delete(_secret_of(vk_env, workspace_id, lost))  # e.g. a restarted local secret store
    with Session(engine) as s:
        pool = service.load_pool(s, workspace_id, vk_env.settings, vk_env.redis, vk_env.secrets)
        views = {v.token_id: v for v in service.list_tokens(s, workspace_id, redis_client=vk_env.redis)}
        single = service.get_token(s, workspace_id, lost.id, redis_client=vk_env.redis)
    assert [t.id for t in pool.tokens] == [kept.token_id]
    assert views[lost.token_id].state is TokenState.SECRET_MISSING
    assert "add the same token again" in (views[lost.token_id].state_reason or "")
    assert single.state is TokenState.SECRET_MISSING
    assert views[kept.token_id].state is TokenState.ACTIVE


def test_the_same_token_in_another_workspace_keeps_its_own_secret_state(
    engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID
) -> None:
    other = _new_workspace(engine)
    mine = add(engine, vk_env, workspace_id, vk_env.tokens.user)
    add(engine, vk_env, other, vk_env.tokens.user)
    vk_env.secrets.delete(_secret_of(vk_env, workspace_id, mine))
    with Session(engine) as s:
        service.load_pool(s, workspace_id, vk_env.settings, vk_env.redis, vk_env.secrets)
        theirs = service.load_pool(s, other, vk_env.settings, vk_env.redis, vk_env.secrets)
        [their_view] = service.list_tokens(s, other, redis_client=vk_env.redis)
    assert [t.id for t in theirs.tokens] == [mine.token_id]
    assert their_view.state is TokenState.ACTIVE


def test_adding_a_token_whose_secret_is_lost_again_repairs_it(
    engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID
) -> None:
    first = add(engine, vk_env, workspace_id, vk_env.tokens.user)
    name = _secret_of(vk_env, workspace_id, first)
    vk_env.secrets.delete(name)
    with Session(engine) as s:
        assert service.load_pool(s, workspace_id, vk_env.settings, vk_env.redis, vk_env.secrets).tokens == []
    repaired = add(engine, vk_env, workspace_id, vk_env.tokens.user, label="again")
    assert repaired.id == first.id  # the same row, not a second one
    assert repaired.state is TokenState.ACTIVE
    assert repaired.state_reason is None
    assert repaired.label == "again"
    assert vk_env.secrets.get(name) == vk_env.tokens.user
    with Session(engine) as s:
        pool = service.load_pool(s, workspace_id, vk_env.settings, vk_env.redis, vk_env.secrets)
        [listed] = service.list_tokens(s, workspace_id, redis_client=vk_env.redis)
    assert [t.id for t in pool.tokens] == [first.token_id]
    assert listed.state is TokenState.ACTIVE
    # with its secret in place, adding it once more is the usual duplicate refusal
    with pytest.raises(Conflict):
        add(engine, vk_env, workspace_id, vk_env.tokens.user)


def test_a_secret_stored_under_another_deployments_prefix_is_repaired_under_ours(
    engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID
) -> None:
    view = add(engine, vk_env, workspace_id, vk_env.tokens.service)
    with Session(engine) as s, s.begin():
        row = s.get(VkTokenRow, view.id)
        assert row is not None
        row.secret_name = f"vkc/elsewhere/{workspace_id}/{view.token_id}"
    repaired = add(engine, vk_env, workspace_id, vk_env.tokens.service)
    assert repaired.id == view.id
    with Session(engine) as s:
        assert s.get(VkTokenRow, view.id).secret_name == _secret_of(vk_env, workspace_id, view)  # type: ignore[union-attr]
        pool = service.load_pool(s, workspace_id, vk_env.settings, vk_env.redis, vk_env.secrets)
    assert [t.id for t in pool.tokens] == [view.token_id]
