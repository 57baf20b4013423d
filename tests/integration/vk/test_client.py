"""The client's routing and error policy against the in-process fake VK."""

from __future__ import annotations

import pytest
from vkc.vk import methods as m
from vkc.vk.breaker import BreakerState
from vkc.vk.calls import VkCall
from vkc.vk.deadline import Deadline
from vkc.vk.errors import VkApiError, VkDeadlineError, VkNoTokenError
from vkc.vk.tokens import TokenType, token_id

from tests.integration.vk.conftest import GROUP, SERVICE, USER, USER2
from tests.support.fakevk import FakeVk


def test_token_types_are_detected_cached_and_reported(client_factory, fake: FakeVk, rds, prefix) -> None:
    client = client_factory([USER, SERVICE, GROUP])
    types = {t.id: t.type for t in client.pool.tokens}
    assert types == {
        token_id(USER): TokenType.USER,
        token_id(SERVICE): TokenType.SERVICE,
        token_id(GROUP): TokenType.COMMUNITY,
    }
    probes = len(fake.log)
    assert probes == 5  # service: 1 call (execute → 28); user and community: 2 (then wall.getById)
    again = client_factory([USER, SERVICE, GROUP])  # another worker: types come from Redis
    assert {t.id: t.type for t in again.pool.tokens} == types
    assert len(fake.log) == probes
    status = {s.token_id: s for s in client.pool.status()}
    assert status[token_id(GROUP)].type == "community"
    assert status[token_id(USER)].breaker == "closed"
    assert all(USER not in repr(s) and SERVICE not in repr(s) for s in status.values())


def test_invalid_token_is_retired_at_detection(client_factory, fake: FakeVk) -> None:
    client = client_factory([USER, "not-a-valid-token"])
    status = {s.token_id: s for s in client.pool.status()}
    assert status[token_id("not-a-valid-token")].breaker == "retired"
    assert status[token_id("not-a-valid-token")].reason == "vk:5"


def test_calls_go_only_to_tokens_allowed_to_make_them(client_factory, fake: FakeVk) -> None:
    client = client_factory([USER, SERVICE, GROUP])
    fake.add_wall(-1, 3, {1: [0, 2]})
    fake.log.clear()
    for _ in range(6):
        client.wall_get(-1)
        client.run([m.wall_get_comments(-1, 1)])
        client.groups_get_by_id([1])
    by_method: dict[str, set[str]] = {}
    for method, token, _ in fake.log:
        by_method.setdefault(method, set()).add(token)
    assert by_method["execute"] == {USER}
    assert GROUP not in by_method["wall.get"]
    assert by_method["groups.getById"] == {GROUP}  # any token may: the one that cannot do wall work goes first
    # plain wall calls go to the service token first, sparing the user token for execute
    assert SERVICE in by_method["wall.get"]
    assert GROUP not in by_method["wall.get"]


def test_without_a_user_token_batches_become_plain_calls(client_factory, fake: FakeVk) -> None:
    client = client_factory([SERVICE, GROUP])
    fake.add_wall(-1, 3, {1: [0], 2: [1]})
    fake.log.clear()
    results = client.run([m.wall_get_comments(-1, 1), m.wall_get_comments(-1, 2)])
    assert all(r.ok for r in results)
    assert [meth for meth, tok, _ in fake.log] == ["wall.getComments", "wall.getComments"]
    assert {tok for _, tok, _ in fake.log} == {SERVICE}


def test_transient_errors_are_retried_with_backoff(client_factory, fake: FakeVk) -> None:
    client = client_factory([USER])
    fake.add_wall(-1, 1, {})
    fake.fail_next["wall.get"].extend([10, 1])
    fake.http_fail_next.extend([502])
    page = client.wall_get(-1)
    assert page.count == 1
    assert client.stats.snapshot()["retries"] == 3


def test_retries_are_bounded_by_attempts_and_deadline(client_factory, fake: FakeVk) -> None:
    client = client_factory([USER], max_attempts=3)
    fake.fail_next["wall.get"].extend([10] * 10)
    with pytest.raises(VkApiError) as info:
        client.wall_get(-1)
    assert info.value.code == 10
    assert len(fake.fail_next["wall.get"]) == 7
    slow = client_factory([USER2], max_attempts=100, backoff_initial_s=0.2, backoff_max_s=0.2)
    with pytest.raises(VkApiError):
        slow.wall_get(-1, deadline=Deadline.after(0.5))
    # Equal jitter: each pause is 0.1-0.2 s, and no pause starts that would end past the deadline,
    # so a 0.5 s deadline allows at most 5 attempts (at 0, 0.1, 0.2, 0.3, 0.4 s), far short of 100.
    tried = 7 - len(fake.fail_next["wall.get"])
    assert 1 <= tried <= 5
    with pytest.raises(VkDeadlineError):
        slow.pool.acquire("wall.get", {"wall.get": 1}, Deadline.after(0))  # nothing left to wait with


def test_flood_control_rotates_to_another_token_and_opens_its_breaker(client_factory, fake: FakeVk) -> None:
    client = client_factory([USER, USER2])
    fake.add_wall(-1, 1, {})
    fake.fail_next["wall.get"].append(9)
    fake.log.clear()
    client.wall_get(-1)
    first, second = fake.log[0][1], fake.log[1][1]
    assert first != second
    status = {s.token_id: s for s in client.pool.status()}
    assert status[token_id(first)].breaker == "open"
    assert status[token_id(first)].cooldown_until is not None
    for _ in range(4):
        client.wall_get(-1)
    assert {tok for _, tok, _ in fake.log[2:]} == {second}


def test_invalid_token_mid_run_is_retired_and_the_call_moves_on(client_factory, fake: FakeVk) -> None:
    client = client_factory([USER, USER2])
    fake.add_wall(-1, 1, {})
    fake.fail_next["wall.get"].append(5)
    fake.log.clear()
    client.wall_get(-1)
    retired = fake.log[0][1]
    assert client.pool.breaker.snapshot(token_id(retired)).state is BreakerState.RETIRED
    assert len(fake.log) == 2


def test_skip_errors_are_raised_with_their_code_not_retried(client_factory, fake: FakeVk) -> None:
    client = client_factory([USER])
    fake.add_wall(-1, 2, {1: [0]})
    fake.closed_comments.add((-1, 1))
    fake.log.clear()
    with pytest.raises(VkApiError) as info:
        client.wall_get_comments(-1, 1)
    assert info.value.code == 212
    assert len(fake.log) == 1
    results = client.run([m.wall_get_comments(-1, 1), m.wall_get_comments(-1, 2)])
    assert isinstance(results[0].error, VkApiError)
    assert results[0].error.code == 212
    assert results[1].ok


def test_quota_error_29_inside_execute_marks_the_method_and_retries_elsewhere(client_factory, fake: FakeVk) -> None:
    client = client_factory([USER, USER2])
    fake.add_wall(-1, 1, {})
    fake.fail_next["wall.get"].append(29)
    fake.log.clear()
    results = client.run([m.wall_get(-1)])
    assert results[0].ok
    exhausted = {s.token_id: s.exhausted_methods for s in client.pool.status()}
    assert exhausted[token_id(fake.log[0][1])] == ["wall.get"]
    assert fake.log[1][1] != fake.log[0][1]


def test_error_13_splits_the_batch_in_halves(client_factory, fake: FakeVk) -> None:
    client = client_factory([USER])
    fake.add_wall(-1, 25, {i: [1] for i in range(1, 26)})
    fake.too_big_above = 7
    fake.log.clear()
    calls = [m.wall_get_comments(-1, i) for i in range(1, 26)]
    results = client.run(calls)
    assert all(r.ok for r in results)
    assert [r.call for r in results] == calls
    sizes = [form["code"].count("API.") for meth, _, form in fake.log if meth == "execute"]
    assert sizes == [25, 13, 7, 6, 12, 6, 6]  # too big → halves, recursively, until each half fits
    fake.too_big_above = 0  # even one call is too big for execute: it goes plain
    fake.log.clear()
    assert client.run([m.wall_get_comments(-1, 1)])[0].ok
    assert [meth for meth, _, _ in fake.log] == ["execute", "wall.getComments"]


def test_no_token_for_a_method(client_factory, fake: FakeVk) -> None:
    client = client_factory([GROUP])
    with pytest.raises(VkNoTokenError):
        client.wall_get(-1)
    assert client.groups_get_by_id([1])[0].members_count == 10


def test_typed_methods(client_factory, fake: FakeVk) -> None:
    client = client_factory([USER])
    fake.add_wall(-1, 2, {2: [3]})
    assert client.resolve_screen_name("apiclub") is not None
    assert client.resolve_screen_name("nope") is None
    assert client.users_get([1, 2])[1].deactivated == "deleted"
    page = client.wall_get_comments(-1, 2)
    assert page.items[0].thread is not None
    assert page.items[0].thread.count == 3
    thread = client.wall_get_comments(-1, 2, comment_id=page.items[0].id)
    assert [c.parents_stack for c in thread.items] == [[page.items[0].id]] * 3
    sent = fake.log[-1][2]
    assert sent["comment_id"] == str(page.items[0].id)
    assert "thread_items_count" not in sent
    top = fake.log[-2][2]
    for key, value in {
        "count": "100",
        "sort": "asc",
        "preview_length": "0",
        "need_likes": "1",
        "extended": "1",
        "thread_items_count": "10",
        "v": "5.199",
    }.items():
        assert top[key] == value
    env = client.execute("return 1;")
    assert env.response == 1
    assert client.call(VkCall("users.get", {"user_ids": "1"}))[0]["id"] == 1
