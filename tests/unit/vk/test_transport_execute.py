from __future__ import annotations

import json
from urllib.parse import parse_qsl

import httpx
import pytest
from vkc.vk.calls import VkCall
from vkc.vk.errors import VkApiError, VkBadResponseError, VkConnectionError, VkHttpStatusError, VkTimeoutError
from vkc.vk.execute import build_code, halves, unpack
from vkc.vk.tokens import VkToken
from vkc.vk.transport import Envelope, VkTransport

SECRET = "tok-SECRET-value-123456"


def transport(handler) -> VkTransport:
    return VkTransport("https://api.vk.test/method/", http_client=httpx.Client(transport=httpx.MockTransport(handler)))


def test_post_is_form_encoded_with_version_and_token_in_the_body() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b'{"response": {"remixstlid": 9007199254740993, "x": 1.5}}')

    env = transport(handler).post("wall.get", {"owner_id": -1, "extended": True}, VkToken(SECRET))
    req = seen[0]
    assert req.method == "POST"
    assert str(req.url) == "https://api.vk.test/method/wall.get"
    assert req.headers["content-type"] == "application/x-www-form-urlencoded"
    form = dict(parse_qsl(req.content.decode()))
    assert form == {"owner_id": "-1", "extended": "1", "v": "5.199", "access_token": SECRET}
    assert SECRET not in str(req.url)
    assert env.response["remixstlid"] == 9007199254740993  # a JSON int above 2**53 stays exact


def test_api_error_keeps_code_params_and_captcha_fields() -> None:
    body = {
        "error": {
            "error_code": 14,
            "error_msg": "Captcha needed",
            "captcha_sid": "123",
            "redirect_uri": "https://id.vk.com/x",
            "request_params": [{"key": "method", "value": "wall.get"}, {"key": "access_token", "value": SECRET}],
        }
    }
    with pytest.raises(VkApiError) as info:
        transport(lambda r: httpx.Response(200, json=body)).post("wall.get", {}, VkToken(SECRET))
    err = info.value
    assert err.code == 14
    assert err.method == "wall.get"
    assert err.extra["captcha_sid"] == "123"
    assert "access_token" not in err.params
    assert SECRET not in str(err) + repr(err) + repr(err.params)


@pytest.mark.parametrize(
    ("handler", "cls"),
    [
        (lambda r: httpx.Response(502, text="bad gateway"), VkHttpStatusError),
        (lambda r: httpx.Response(200, text="<html>"), VkBadResponseError),
        (lambda r: httpx.Response(200, json=[1, 2]), VkBadResponseError),
        (lambda r: httpx.Response(200, json={"nothing": 1}), VkBadResponseError),
    ],
)
def test_http_failures_are_transport_errors(handler, cls) -> None:
    with pytest.raises(cls):
        transport(handler).post("execute", {"code": "return 1;"}, VkToken(SECRET))


@pytest.mark.parametrize(
    ("exc", "cls"),
    [
        (httpx.ReadTimeout, VkTimeoutError),
        (httpx.ConnectTimeout, VkTimeoutError),
        (httpx.ConnectError, VkConnectionError),
    ],
)
def test_httpx_exceptions_are_replaced_without_their_request(exc, cls) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc(f"boom {request.content.decode()}", request=request)

    with pytest.raises(cls) as info:
        transport(handler).post("wall.get", {"owner_id": 1}, VkToken(SECRET))
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__
    assert SECRET not in str(info.value) + repr(info.value)


def test_build_code_is_one_slot_per_call() -> None:
    code = build_code([VkCall("wall.get", {"owner_id": -1, "count": 100}), VkCall("users.get", {"user_ids": "1"})])
    assert code == 'return [API.wall.get({"owner_id":-1,"count":100}),API.users.get({"user_ids":"1"})];'
    with pytest.raises(ValueError, match=r"1\.\.25"):
        build_code([VkCall("users.get")] * 26)
    assert [len(h) for h in halves([VkCall("a")] * 25)] == [13, 12]


def test_unpack_matches_false_slots_by_method_and_order_ignoring_the_execute_echo() -> None:
    calls = [
        VkCall("friends.get", {"user_id": 1}),
        VkCall("wall.getComments", {"post_id": 1}),
        VkCall("friends.get", {"user_id": 2}),
        VkCall("wall.getComments", {"post_id": 2}),
    ]
    env = Envelope(
        [{"count": 21, "items": [1]}, False, False, {"count": 0, "items": []}],
        [
            {"method": "wall.getComments", "error_code": 212, "error_msg": "Access to post comments denied"},
            {"method": "execute", "error_code": 212, "error_msg": "Access to post comments denied"},
            {"method": "friends.get", "error_code": 15, "error_msg": "Access denied: user deactivated"},
            {"method": "execute", "error_code": 15, "error_msg": "Access denied: user deactivated"},
        ],
    )
    results = unpack(calls, env)
    assert results[0].ok
    assert results[0].value["count"] == 21
    assert isinstance(results[1].error, VkApiError)
    assert results[1].error.code == 212
    assert isinstance(results[2].error, VkApiError)
    assert results[2].error.code == 15
    assert results[3].ok
    assert results[3].value == {"count": 0, "items": []}


def test_unpack_null_response_means_all_failed_and_counts_must_match() -> None:
    calls = [VkCall("wall.get"), VkCall("wall.get")]
    errs = [
        {"method": "wall.get", "error_code": 10, "error_msg": "x"},
        {"method": "wall.get", "error_code": 19, "error_msg": "y"},
    ]
    results = unpack(calls, Envelope(None, errs))
    assert [r.error.code for r in results if isinstance(r.error, VkApiError)] == [10, 19]
    with pytest.raises(VkBadResponseError):
        unpack(calls, Envelope([1], []))
    unmatched = unpack([VkCall("wall.get")], Envelope([False], []))
    assert isinstance(unmatched[0].error, VkApiError)
    assert unmatched[0].error.code == 0


def test_json_roundtrip_of_reference_execute_example() -> None:
    raw = (
        '{"response":[{"count":21,"items":[1,21,22]},false],"execute_errors":[{"method":"friends.get",'
        '"error_code":15,"error_msg":"Access denied: user deactivated"},{"method":"execute","error_code":15,'
        '"error_msg":"Access denied: user deactivated"}]}'
    )
    env = transport(lambda r: httpx.Response(200, content=raw.encode())).post("execute", {"code": "x"}, VkToken(SECRET))
    results = unpack([VkCall("friends.get"), VkCall("friends.get")], env)
    assert results[0].value == json.loads(raw)["response"][0]
    assert isinstance(results[1].error, VkApiError)
    assert results[1].error.code == 15
