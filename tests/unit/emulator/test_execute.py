"""execute over HTTP: client scripts (vk_api VkTools / VkRequestsPool shapes), caps and error slots."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from devtools.vk_emulator import Dataset, EmulatorConfig, generate_dataset, start_emulator
from devtools.vk_emulator.server import Emulator

from .conftest import TOKENS, Vk, busiest_post, open_community

# Scripts in the style real clients send (written for these tests, same constructs): a paging loop
# like vk_api's VkTools.get_all (comma declarations, `x == null ? 0 : ...`, count_diff, `};`), the
# VkRequestsPool loops, and a vk-io collect-iterator style loop driven by Args. They are minified the
# way vk_api does it: every line stripped and joined without separators.
PAGING_LOOP = """
    var req = %(values)s,
        n = 0,
        got = [],
        total = %(count)s,
        pos = %(offset)s,
        page;

    while(n < 25) {
        n = n + 1;
        req.offset = pos * %(offset_mul)s;
        var resp = API.%(method)s(req),
            now_total = resp.count,
            shift = (total == null ? 0 : now_total - total);
        if (!resp) {
            return {"_error": 1};
        }
        if (shift < 0) {
            pos = pos + shift;
        } else {
            page = resp.%(key)s;
            got = got + page.slice(shift);
            pos = pos + req.count + shift;
            if (page.length < req.count) {
                n = 99;
            }
        }
        total = now_total;
        if (total != null && pos >= total) {
            n = 99;
        }
    };

    return {count: total, items: got, offset: pos, more: n != 99};
"""
POOL_ONE_METHOD = """
    var calls = %(values)s, k = 0, out = [];
    while(k < calls.length) {
        out.push(API.%(method)s(calls[k]));
        k = k + 1;
    }
    return out;
"""
POOL_ONE_PARAM = """
    var base = %(default_values)s, vals = %(values)s, out = [], k = 0;
    while(k < vals.length) {
        base.%(key)s = vals[k];
        out.push(API.%(method)s(base));
        k = k + 1;
    }
    return out;
"""
COLLECT_LOOP = """
    var p = %(params)s;
    p.offset = parseInt(Args.offset);
    var total = parseInt(Args.total), seen = parseInt(Args.received);
    var go = total == 0 || seen < total;
    var i = 0, items = [], profiles = [], groups = [], r, len;
    while (i < 25 && go) {
        r = API.%(method)s(p);
        len = r.items.length;
        if (total == 0 || total > r.count) total = r.count;
        items = items + r.items;
        if (r.profiles) profiles = profiles + r.profiles;
        if (r.groups) groups = groups + r.groups;
        seen = seen + len;
        p.offset = p.offset + len;
        go = seen < total;
        i = i + 1;
    }
    return {total: total, items: items.splice(0, total), profiles: profiles, groups: groups};
"""


def vk_function(code: str, **args: Any) -> str:
    compiled = {
        k: v
        if isinstance(v, str) and k in ("method", "key", "offset", "offset_mul")
        else json.dumps(v, ensure_ascii=False)
        for k, v in args.items()
    }
    return "".join(line.strip() for line in code.splitlines()) % compiled


def test_plain_batch_of_calls(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    post_id = busiest_post(tiny, owner)
    calls = ",".join(
        f'API.wall.getComments({{"owner_id":{owner},"post_id":{post_id},"count":100,"offset":{o},"sort":"asc",'
        f'"preview_length":0,"thread_items_count":10,"need_likes":1}})'
        for o in (0, 100)
    )
    resp = vk.ok("execute", code=f"return [{calls}];")
    direct = vk.ok(
        "wall.getComments", owner_id=owner, post_id=post_id, count=100, offset=100, thread_items_count=10, need_likes=1
    )
    assert len(resp) == 2
    assert resp[1] == direct
    assert len(resp[0]["items"]) == 100


def test_vk_tools_get_all_loop(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    post_id = busiest_post(tiny, owner)
    code = vk_function(
        PAGING_LOOP,
        method="wall.getComments",
        key="items",
        values={"owner_id": owner, "post_id": post_id, "count": 100, "sort": "asc"},
        count=None,
        offset="0",
        offset_mul="1",
    )
    resp = vk.ok("execute", code=code)
    post = tiny.post(owner, post_id)
    assert post is not None
    assert resp["more"] is False
    assert resp["count"] == post.comment_total
    assert [c["id"] for c in resp["items"]] == [c.id for c in post.comments]


def test_vk_tools_wall_get_loop(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    code = vk_function(
        PAGING_LOOP,
        method="wall.get",
        key="items",
        values={"owner_id": owner, "count": 2},
        count=None,
        offset="0",
        offset_mul="1",
    )
    resp = vk.ok("execute", code=code)
    assert [p["id"] for p in resp["items"]] == [p["id"] for p in vk.ok("wall.get", owner_id=owner, count=100)["items"]]


def test_collect_iterator_style_loop_with_args(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    post_id = busiest_post(tiny, owner)
    params = {"owner_id": owner, "post_id": post_id, "count": 100, "extended": 1}
    code = vk_function(COLLECT_LOOP, method="wall.getComments", params=params)
    resp = vk.ok("execute", code=code, offset=0, total=0, received=0)
    post = tiny.post(owner, post_id)
    assert post is not None
    # `count` includes replies, so such a loop asks for more pages than the top level has.
    assert [c["id"] for c in resp["items"]] == [c.id for c in post.comments]
    assert resp["total"] == post.comment_total
    assert resp["profiles"]


def test_requests_pool_scripts(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    post_ids = [p["id"] for p in vk.ok("wall.get", owner_id=owner, count=100)["items"]]
    code = vk_function(
        POOL_ONE_METHOD,
        method="wall.getComments",
        values=[{"owner_id": owner, "post_id": p, "count": 5} for p in post_ids],
    )
    resp = vk.raw("execute", code=code)
    closed = [i for i, p in enumerate(post_ids) if (post := tiny.post(owner, p)) is not None and post.comments_closed]
    assert [i for i, r in enumerate(resp["response"]) if r is False] == closed
    assert [e["error_code"] for e in resp.get("execute_errors", [])] == [212] * len(closed)
    code = vk_function(
        POOL_ONE_PARAM,
        method="wall.getById",
        key="posts",
        default_values={"extended": 0},
        values=[f"{owner}_{p}" for p in post_ids],
    )
    pooled = vk.ok("execute", code=code)
    assert [r["items"][0]["id"] for r in pooled] == post_ids


def test_many_methods_pool_false_slots_match_errors(vk: Vk, tiny: Dataset) -> None:
    closed = next(c for c in tiny.communities.values() if c.is_closed == 1)
    user = min(tiny.users)
    code = (
        f'return [API.users.get({{"user_ids": {user}}}),API.wall.get({{"owner_id": -{closed.id}}}),'
        f'API.utils.resolveScreenName({{"screen_name": "id{user}"}}),API.nope.nope({{}})];'
    )
    body = vk.raw("execute", code=code)
    assert body["response"][0][0]["id"] == user
    assert body["response"][1] is False
    assert body["response"][2] == {"object_id": user, "type": "user"}
    assert body["response"][3] is False
    assert body["execute_errors"] == [
        {
            "method": "wall.get",
            "error_code": 15,
            "error_msg": "Access denied: this wall available only for community members",
        },
        {"method": "nope.nope", "error_code": 3, "error_msg": "Unknown method passed"},
    ]


def test_too_many_calls_compile_and_runtime_errors(vk: Vk) -> None:
    error = vk.error("execute", code="var i = 0; while (i < 26) { API.users.get({}); i = i + 1; } return i;")
    assert error["error_code"] == 13
    assert error["error_msg"].startswith("Runtime error occurred during code invocation")
    assert vk.error("execute", code="return [1, 2")["error_code"] == 12
    assert vk.error("execute", code="return 1 / 0;")["error_code"] == 13
    assert vk.error("execute")["error_code"] == 100


def test_args_from_other_params(vk: Vk) -> None:
    assert vk.ok("execute", code="return [Args.offset, parseInt(Args.offset) + 1];", offset=40) == ["40", 41]


def test_community_token_inner_wall_call_fails_with_27(vk: Vk, tiny: Dataset) -> None:
    body = vk.raw("execute", token="grp-1", code=f"return [API.wall.get({{owner_id: {open_community(tiny)}}})];")
    assert body["response"] == [False]
    assert body["execute_errors"][0]["error_code"] == 27


@pytest.fixture
def limited() -> Any:
    config = EmulatorConfig(
        dataset=generate_dataset("tiny", seed=7),
        tokens=TOKENS,
        rate_limits=True,
        quotas={"wall.get": 5},
        execute_max_response_bytes=20_000,
        execute_error_echo=True,
    )
    with start_emulator(config) as emulator:
        client = Vk(emulator)
        yield emulator, client
        client.http.close()


def test_execute_counts_once_per_second_inner_calls_hit_quotas(limited: tuple[Emulator, Vk]) -> None:
    emu, vk = limited
    owner = open_community(emu.dataset)
    calls = ",".join(f"API.wall.get({{owner_id: {owner}, count: 1}})" for _ in range(6))
    body = vk.raw("execute", code=f"return [{calls}];")
    assert [r is False for r in body["response"]] == [False] * 5 + [True]
    # Echo mode repeats the failure under "execute", as VK sometimes does.
    assert [e["method"] for e in body["execute_errors"]] == ["wall.get", "execute"]
    assert {e["error_code"] for e in body["execute_errors"]} == {29}
    vk.ok("execute", code="return [" + ",".join(["API.users.get({})"] * 25) + "];")
    vk.ok("execute", code="return [" + ",".join(["API.users.get({})"] * 25) + "];")
    assert vk.error("execute", code="return 1;")["error_code"] == 6
    stats = emu.stats()
    assert stats["requests"]["user-1"]["execute"] == 4
    assert stats["inner_calls"]["user-1"] == {"wall.get": 6, "users.get": 50}
    assert stats["inner_errors"] == {"29": 1}
    assert stats["errors"] == {"6": 1}


def test_response_size_cap(limited: tuple[Emulator, Vk]) -> None:
    emu, vk = limited
    owner = open_community(emu.dataset)
    post_id = busiest_post(emu.dataset, owner)
    call = f"API.wall.getComments({{owner_id: {owner}, post_id: {post_id}, count: 100, thread_items_count: 10}})"
    error = vk.error("execute", code=f"return [{call}, {call}];")
    assert error["error_code"] == 13
    assert error["error_msg"] == "Runtime error occurred during code invocation: response size is too big"


def test_inner_latency_is_per_call() -> None:
    config = EmulatorConfig(
        dataset=generate_dataset("tiny", seed=7), tokens=TOKENS, rate_limits=False, execute_inner_latency_ms=40
    )
    with start_emulator(config) as emulator:
        vk = Vk(emulator)
        started = time.perf_counter()
        vk.ok("execute", code="return [" + ",".join(["API.users.get({})"] * 5) + "];")
        assert time.perf_counter() - started >= 0.2
        vk.http.close()


def test_scripts_can_inspect_and_change_api_results(vk: Vk, tiny: Dataset) -> None:
    owner = open_community(tiny)
    post_id = busiest_post(tiny, owner)
    code = (
        f"var r = API.wall.getComments({{owner_id: {owner}, post_id: {post_id}, count: 3}}); var alias = r;"
        "alias.count = 5; r.items = r.items.slice(0, 1); delete r.can_post;"
        "return [r, alias.count, r.items@.id, r.items[0].thread.count >= 0];"
    )
    r, count, ids, has_thread = vk.ok("execute", code=code)
    assert r["count"] == count == 5
    assert len(r["items"]) == 1
    assert "can_post" not in r
    assert ids == [r["items"][0]["id"]]
    assert has_thread is True
