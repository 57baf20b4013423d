"""Every error path: envelope, token types, version, access rules, limits and injected faults."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from devtools.vk_emulator import EmulatorConfig, FaultConfig, start_emulator
from devtools.vk_emulator.fileformat import from_dict
from devtools.vk_emulator.server import Emulator

from .conftest import TOKENS, Vk

# A hand-written dataset in the documented file format: one open, one closed, one private community,
# one blocked; a user wall of a deleted user; one post with closed comments.
SCENARIO = {
    "format": "vk-emulator-dataset/1",
    "users": [
        {"id": 1, "first_name": "Павел", "last_name": "Дуров", "screen_name": "durov"},
        {"id": 2, "first_name": "Анна", "last_name": "Смирнова"},
        {"id": 3, "first_name": "Олег", "last_name": "Ушёл", "deactivated": "deleted"},
        {"id": 4, "first_name": "Ира", "last_name": "Скрытая", "is_closed": True},
    ],
    "communities": [
        {"id": 10, "name": "Open", "screen_name": "open_club"},
        {"id": 11, "name": "Members only", "is_closed": 1},
        {"id": 12, "name": "Private", "is_closed": 2},
        {"id": 13, "name": "Blocked", "deactivated": "banned"},
    ],
    "posts": [
        {
            "owner_id": -10,
            "id": 1,
            "text": "first",
            "comments": [
                {"id": 2, "from_id": 1, "text": "Комментарий 1", "replies": [{"id": 3, "from_id": 2, "text": "ответ"}]},
                {"id": 4, "from_id": -10, "text": "Comment 2"},
            ],
        },
        {
            "owner_id": -10,
            "id": 5,
            "text": "closed comments",
            "comments_closed": True,
            "comments": [{"id": 6, "from_id": 2, "text": "x"}],
        },
        {"owner_id": -11, "id": 1, "text": "secret", "comments": [{"id": 2, "from_id": 1, "text": "y"}]},
        {"owner_id": -12, "id": 1, "text": "private"},
        {"owner_id": 3, "id": 1, "text": "deleted user wall"},
        {"owner_id": 4, "id": 1, "text": "closed profile"},
    ],
}


@pytest.fixture
def scenario_emu() -> Iterator[Emulator]:
    config = EmulatorConfig(dataset=from_dict(SCENARIO), tokens=TOKENS, rate_limits=False)
    with start_emulator(config) as emulator:
        yield emulator


@pytest.fixture
def svk(scenario_emu: Emulator) -> Iterator[Vk]:
    client = Vk(scenario_emu)
    yield client
    client.http.close()


def test_envelope_echoes_params_never_token(svk: Vk) -> None:
    error = svk.error("wall.getComments", owner_id=-10, post_id=5)
    assert error["error_code"] == 212
    assert error["error_msg"] == "Access to post comments denied"
    keys = [p["key"] for p in error["request_params"]]
    assert keys[:3] == ["method", "oauth", "v"]
    assert {"owner_id", "post_id"} <= set(keys)
    assert "access_token" not in keys
    assert all(isinstance(p["value"], str) for p in error["request_params"])


def test_token_errors(svk: Vk) -> None:
    assert svk.error("users.get", token="nope")["error_code"] == 5
    assert svk.error("users.get", token=None)["error_code"] == 5
    assert svk.error("wall.get", token="grp-1", owner_id=-10)["error_code"] == 27
    assert svk.error("wall.getById", token="grp-1", posts="-10_1")["error_code"] == 27
    assert svk.error("wall.getComments", token="grp-1", owner_id=-10, post_id=1)["error_code"] == 27
    assert svk.error("wall.getComment", token="svc-1", owner_id=-10, comment_id=2)["error_code"] == 28
    error = svk.error("execute", token="svc-1", code="return 1;")
    assert error["error_code"] == 28
    assert error["error_msg"] == "Application authorization failed: method is unavailable with service token."
    for token in ("user-1", "svc-1", "grp-1"):
        assert svk.ok("users.get", token=token, user_ids="1")[0]["id"] == 1
    assert svk.ok("wall.getComment", token="user-1", owner_id=-10, comment_id=2)["items"][0]["id"] == 2
    assert svk.ok("execute", token="grp-1", code="return 7;") == 7


def test_bearer_header_and_query_params(scenario_emu: Emulator) -> None:
    url = f"{scenario_emu.url}/users.get?user_ids=1&v=5.199"
    ok = httpx.get(url, headers={"Authorization": "Bearer svc-1"}).json()
    assert ok["response"][0]["id"] == 1
    assert httpx.get(url).json()["error"]["error_code"] == 5


def test_version_required(svk: Vk) -> None:
    assert svk.error("users.get", v=None)["error_code"] == 8
    assert svk.error("users.get", v="5.80")["error_code"] == 8
    assert svk.error("users.get", v="abc")["error_code"] == 8
    assert svk.ok("users.get", v="5.81", user_ids="1")
    assert svk.error("wall.nonexistent")["error_code"] == 3


def test_access_errors(svk: Vk) -> None:
    assert svk.error("wall.get", owner_id=-11)["error_code"] == 15
    assert svk.error("wall.get", owner_id=-12)["error_code"] == 203
    assert svk.error("wall.get", owner_id=-13)["error_code"] == 15
    assert svk.error("wall.get", owner_id=3)["error_code"] == 18
    assert svk.error("wall.get", owner_id=4)["error_code"] == 30
    assert svk.error("wall.get", owner_id=-999)["error_code"] == 100
    assert svk.error("wall.getComments", owner_id=-11, post_id=1)["error_code"] == 15
    assert svk.error("wall.getComments", owner_id=-10, post_id=77)["error_code"] == 15
    assert svk.error("wall.getComments", owner_id=-10)["error_code"] == 100
    assert svk.error("wall.getComments", owner_id=-10, post_id="x")["error_code"] == 100
    assert svk.error("wall.getComment", owner_id=-10, comment_id=6)["error_code"] == 212
    assert svk.ok("wall.getById", posts="-11_1,-10_1")["items"][0]["id"] == 1
    assert svk.error("users.get", user_ids="no_such_screen_name")["error_code"] == 113
    assert svk.error("groups.getById", group_ids="no_such_group")["error_code"] == 100


def test_closed_comments_post_still_shows_its_count(svk: Vk) -> None:
    post = svk.ok("wall.getById", posts="-10_5")["items"][0]
    assert post["comments"]["count"] == 1
    assert post["comments"]["can_post"] == 0


def test_rate_limit_window(scenario_emu: Emulator, svk: Vk) -> None:
    scenario_emu.set_limits(rate_limits=True)
    codes = [svk.raw("users.get", token="svc-1", user_ids="1").get("error", {}).get("error_code") for _ in range(5)]
    assert codes[:3] == [None, None, None]
    assert codes[3:] == [6, 6]
    # Another token has its own window; community tokens have their own (20 by default) limit.
    assert "response" in svk.raw("users.get", token="user-1", user_ids="1")
    scenario_emu.set_limits(rps={"community": 6})
    group_codes = [svk.raw("users.get", token="grp-1", user_ids="1").get("error") for _ in range(6)]
    assert group_codes == [None] * 6
    assert svk.error("users.get", token="grp-1", user_ids="1")["error_code"] == 6
    time.sleep(1.05)
    assert "response" in svk.raw("users.get", token="svc-1", user_ids="1")
    scenario_emu.set_limits(rate_limits=False)
    assert all("response" in svk.raw("users.get", token="svc-1", user_ids="1") for _ in range(10))


def test_daily_quota(scenario_emu: Emulator, svk: Vk) -> None:
    scenario_emu.set_limits(quotas={"wall.get": 3})
    for _ in range(3):
        svk.ok("wall.get", owner_id=-10)
    error = svk.error("wall.get", owner_id=-10)
    assert (error["error_code"], error["error_msg"]) == (29, "Rate limit reached")
    svk.ok("wall.get", token="user-2", owner_id=-10)  # per token
    svk.ok("wall.getById", posts="-10_1")  # per method
    assert scenario_emu.stats()["quota_used"]["user-1"]["wall.get"] == 3
    scenario_emu.reset_limits()
    svk.ok("wall.get", owner_id=-10)


def test_default_quota_is_wall_get_5000() -> None:
    assert EmulatorConfig().quotas == {"wall.get": 5000}
    assert dict(EmulatorConfig().rps) == {"user": 3, "service": 3, "community": 20}


@pytest.mark.parametrize("code", ["1", "6", "9", "10"])
def test_injected_api_errors(scenario_emu: Emulator, svk: Vk, code: str) -> None:
    scenario_emu.set_faults(FaultConfig(probability=1.0, kinds=(code,)))
    assert svk.error("users.get", user_ids="1")["error_code"] == int(code)
    scenario_emu.set_faults(FaultConfig())
    assert svk.ok("users.get", user_ids="1")


def test_injected_captcha_and_answer(scenario_emu: Emulator, svk: Vk) -> None:
    scenario_emu.set_faults(FaultConfig(probability=1.0, kinds=("14",)))
    error = svk.error("users.get", user_ids="1")
    assert error["error_code"] == 14
    assert error["captcha_sid"]
    assert error["captcha_img"].startswith("https://")
    answered = svk.ok("users.get", user_ids="1", captcha_sid=error["captcha_sid"], captcha_key="abc")
    assert answered[0]["id"] == 1


def test_injected_http_5xx(scenario_emu: Emulator) -> None:
    scenario_emu.set_faults(FaultConfig(probability=1.0, kinds=("http5xx",)))
    response = httpx.post(f"{scenario_emu.url}/users.get", data={"access_token": "user-1", "v": "5.199"})
    assert response.status_code in (500, 502, 503, 504)
    assert scenario_emu.stats()["faults"] == {"http5xx": 1}


def test_injected_hang_trips_client_timeout(scenario_emu: Emulator) -> None:
    scenario_emu.set_faults(FaultConfig(probability=1.0, kinds=("hang",), hang_seconds=0.6))
    data = {"access_token": "user-1", "v": "5.199", "user_ids": "1"}
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{scenario_emu.url}/users.get", data=data, timeout=0.2)
    started = time.perf_counter()
    answered = httpx.post(f"{scenario_emu.url}/users.get", data=data, timeout=5).json()
    assert answered["response"][0]["id"] == 1
    assert time.perf_counter() - started >= 0.55


def test_fault_probability_and_method_filter(scenario_emu: Emulator, svk: Vk) -> None:
    scenario_emu.set_faults(FaultConfig(probability=0.5, kinds=("10",), seed=3))
    codes = [svk.raw("users.get", user_ids="1").get("error", {}).get("error_code") for _ in range(60)]
    assert 10 < codes.count(10) < 50
    scenario_emu.set_faults(FaultConfig(probability=1.0, kinds=("10",), methods=("wall.get",)))
    assert svk.ok("users.get", user_ids="1")
    assert svk.error("wall.get", owner_id=-10)["error_code"] == 10


def test_latency_overlaps_between_requests(scenario_emu: Emulator) -> None:
    import concurrent.futures

    scenario_emu.set_latency(latency_ms=300)
    data = {"access_token": "user-1", "v": "5.199", "user_ids": "1"}
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: httpx.post(f"{scenario_emu.url}/users.get", data=data), range(8)))
    elapsed = time.perf_counter() - started
    assert all(r.status_code == 200 for r in results)
    assert 0.3 <= elapsed < 2.0  # serial would take 2.4 s


def test_emulator_bug_answers_internal_error(scenario_emu: Emulator, svk: Vk, monkeypatch: pytest.MonkeyPatch) -> None:
    from devtools.vk_emulator import methods

    def broken(ctx: object, params: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setitem(methods.METHODS, "users.get", methods.MethodSpec(broken, methods.ALL))
    assert svk.error("users.get", user_ids="1")["error_code"] == 10
