"""Every error path, and the token never shows: not in exceptions' str/repr (or their causes), not in logs."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest
from vkc.vk import methods as m
from vkc.vk.deadline import Deadline
from vkc.vk.errors import VkError
from vkc.vk.harvest import Harvester
from vkc.vk.tokens import TokenType, VkToken

from tests.integration.vk.conftest import make_client
from tests.support.fakevk import FakeVk

SECRET = "vk1.a.TOPSECRET-token-value-0123456789"


def _leaks(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(exc)) + str(exc) + repr(exc)
    for attr in ("params", "extra", "vk_message", "message"):
        text += repr(getattr(exc, attr, ""))
    return text


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # httpx and httpcore included
    return caplog


def test_token_never_appears_in_errors_or_logs(everything_logged, rds, prefix) -> None:
    fake = FakeVk({SECRET: "user"})
    fake.add_wall(-1, 3, {1: [12]})
    client = make_client(fake, rds, prefix, [SECRET], max_attempts=2)
    caught: list[BaseException] = []

    def attempt(fn) -> None:
        try:
            fn()
        except VkError as exc:
            caught.append(exc)

    # every VK error class the policy knows, raised by a plain call
    for code in (1, 5, 6, 9, 10, 13, 14, 15, 17, 18, 19, 27, 28, 29, 30, 36, 100, 104, 113, 200, 203, 210, 211, 212, 8):
        fake.fail_next["wall.get"].extend([code, code])
        attempt(lambda: client.wall_get(-1, deadline=Deadline.after(0.3)))
        fake.fail_next["wall.get"].clear()
        client.pool.breaker.reset(client.pool.tokens[0].id)
        client.pool.record_type(client.pool.tokens[0], TokenType.USER)
    # HTTP statuses and unreadable bodies
    for status in (500, 502, 404, 403):
        fake.http_fail_next.extend([status, status])
        attempt(lambda: client.wall_get(-1, deadline=Deadline.after(0.3)))
        client.pool.breaker.reset(client.pool.tokens[0].id)
    # inner-call failures inside execute, a whole-execute failure, and the harvester's recording
    fake.fail_next["wall.getComments"].extend([212, 10, 10, 10, 10, 29])
    results = client.run([m.wall_get_comments(-1, 1), m.wall_get_comments(-1, 2)], deadline=Deadline.after(3))
    caught += [r.error for r in results if r.error is not None]
    fake.fail_next["execute"].extend([13, 5])
    attempt(lambda: client.execute("return 1;", deadline=Deadline.after(0.3)))
    client.pool.breaker.reset(client.pool.tokens[0].id)
    report = Harvester(client).harvest(-1, deadline=Deadline.after(3))
    assert SECRET not in repr(report)

    # transport exceptions whose messages (and requests) would carry the body
    def exploding(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout(f"timed out sending {request.content!r}", request=request)

    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused {request.content!r} {request.url}", request=request)

    for handler in (exploding, broken):
        other = make_client(FakeVk({SECRET: "user"}), rds, prefix, [SECRET], max_attempts=2)
        other.transport._http = httpx.Client(transport=httpx.MockTransport(handler))
        attempt(lambda c=other: c.wall_get(-1, deadline=Deadline.after(0.3)))
        other.close()

    assert len(caught) >= 30
    for exc in caught:
        assert SECRET not in _leaks(exc), repr(exc)
    logged = "\n".join(r.getMessage() + repr(r.args) for r in everything_logged.records)
    assert "vk" in logged
    assert SECRET not in logged
    token = VkToken(SECRET)
    assert SECRET not in str(token) + repr(token) + repr([token]) + f"{token}"
    with pytest.raises(TypeError):
        __import__("pickle").dumps(token)
    client.close()
