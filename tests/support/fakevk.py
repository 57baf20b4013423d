"""A small in-process VK for unit tests, served through httpx.MockTransport.

It answers with the response shapes of vk-api.md (5.199) and can be told to fail the next calls of a
method with given codes. It is not the emulator: it has no rate limits or latency; tests of the
limiter use Redis directly and the integration tests use devtools.vk_emulator.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict, deque
from typing import Any, ClassVar
from urllib.parse import parse_qsl

import httpx

_CALL = re.compile(r"API\.([\w.]+)\((\{.*?\})\)(?=,API\.|\];$)")


def _err(code: int, msg: str, method: str, params: dict[str, str]) -> dict[str, Any]:
    rp = [{"key": "v", "value": "5.199"}, {"key": "method", "value": method}, {"key": "oauth", "value": "1"}]
    rp += [{"key": k, "value": str(v)} for k, v in params.items() if k not in ("access_token", "code")]
    return {"error_code": code, "error_msg": msg, "request_params": rp}


class FakeVk:
    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = tokens  # secret -> "user" | "service" | "community"
        self.posts: dict[int, list[dict[str, Any]]] = {}  # owner -> posts, newest first
        self.tops: dict[tuple[int, int], list[dict[str, Any]]] = {}  # top-level comments, asc
        self.replies: dict[tuple[int, int, int], list[dict[str, Any]]] = {}
        self.closed_comments: set[tuple[int, int]] = set()
        self.closed_walls: set[int] = set()
        self.fail_next: dict[str, deque[int]] = defaultdict(deque)  # method -> codes (execute too)
        self.http_fail_next: deque[int] = deque()  # HTTP status codes for the next requests
        self.too_big_above = 10_000  # execute answers 13 when it holds more calls than this
        self.log: list[tuple[str, str, dict[str, str]]] = []  # (method, token, params)
        self.inner_log: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    # --- data ---------------------------------------------------------------------------------
    def add_wall(self, owner: int, n_posts: int, shape: dict[int, list[int]], *, start: int = 1_700_000_000) -> None:
        """`shape[post_id] = [replies of top-level comment 1, 2, …]`; posts without a shape have none."""
        posts = []
        cid = 1
        for pid in range(1, n_posts + 1):
            threads = shape.get(pid, [])
            tops = []
            for r in threads:
                top = {
                    "id": cid,
                    "from_id": 100 + cid % 7,
                    "date": start + cid,
                    "text": f"c{cid}",
                    "post_id": pid,
                    "owner_id": owner,
                    "parents_stack": [],
                    "likes": {"count": cid % 3, "can_like": 1},
                }
                cid += 1
                reps = []
                for _ in range(r):
                    reps.append(
                        {
                            "id": cid,
                            "from_id": -5 if cid % 5 == 0 else 200 + cid % 11,
                            "date": start + cid,
                            "text": f"r{cid}",
                            "post_id": pid,
                            "owner_id": owner,
                            "parents_stack": [top["id"]],
                            "reply_to_comment": top["id"],
                            "reply_to_user": top["from_id"],
                        }
                    )
                    cid += 1
                self.replies[(owner, pid, top["id"])] = reps
                tops.append(top)
            self.tops[(owner, pid)] = tops
            total = len(tops) + sum(threads)
            posts.append(
                {
                    "id": pid,
                    "owner_id": owner,
                    "from_id": owner,
                    "date": start + pid * 100,
                    "text": f"p{pid}",
                    "comments": {"count": total, "can_post": 1},
                    "likes": {"count": 1},
                }
            )
        self.posts[owner] = list(reversed(posts))

    def all_comment_ids(self, owner: int) -> set[tuple[int, int]]:
        out = set()
        for (o, pid), tops in self.tops.items():
            if o != owner or (o, pid) in self.closed_comments:
                continue
            for t in tops:
                out.add((pid, t["id"]))
                out.update((pid, r["id"]) for r in self.replies[(o, pid, t["id"])])
        return out

    # --- methods ------------------------------------------------------------------------------
    def _wall_get(self, p: dict[str, Any], ttype: str) -> Any:
        owner = int(p["owner_id"])
        if owner in self.closed_walls:
            raise _VkErr(15, "Access denied: this wall available only for community members")
        posts = self.posts.get(owner, [])
        off, cnt = int(p.get("offset", 0)), int(p.get("count", 20))
        return {"count": len(posts), "items": posts[off : off + cnt]}

    def _get_comments(self, p: dict[str, Any], ttype: str) -> Any:
        owner, pid = int(p["owner_id"]), int(p["post_id"])
        if (owner, pid) in self.closed_comments:
            raise _VkErr(212, "Access to post comments denied")
        if (owner, pid) not in self.tops:
            raise _VkErr(100, "One of the parameters specified was missing or invalid: post_id")
        off, cnt = int(p.get("offset", 0)), min(int(p.get("count", 10)), 100)
        tops = self.tops[(owner, pid)]
        total = len(tops) + sum(len(self.replies[(owner, pid, t["id"])]) for t in tops)
        cid = p.get("comment_id")
        if cid is not None:
            reps = self.replies[(owner, pid, int(cid))]
            return {
                "count": total,
                "current_level_count": len(reps),
                "items": reps[off : off + cnt],
                "profiles": [],
                "groups": [],
            }
        tic = int(p.get("thread_items_count", 0))
        items = []
        for t in tops[off : off + cnt]:
            reps = self.replies[(owner, pid, t["id"])]
            items.append({**t, "thread": {"count": len(reps), "items": reps[:tic], "can_post": True}})
        authors = {c["from_id"] for c in items} | {r["from_id"] for c in items for r in c["thread"]["items"]}
        profiles = [{"id": a, "first_name": "A", "last_name": str(a)} for a in sorted(authors) if a > 0]
        groups = [
            {"id": -a, "name": f"g{-a}", "screen_name": f"club{-a}", "is_closed": 0, "type": "group"}
            for a in sorted(authors)
            if a < 0
        ]
        return {
            "count": total,
            "current_level_count": len(tops),
            "items": items,
            "profiles": profiles,
            "groups": groups,
            "can_post": True,
        }

    def _groups_get_by_id(self, p: dict[str, Any], ttype: str) -> Any:
        ids = p.get("group_ids")
        if not ids:
            if ttype == "community":
                return {"groups": [{"id": 77, "name": "Own", "screen_name": "own", "is_closed": 0}], "profiles": []}
            raise _VkErr(100, "One of the parameters specified was missing or invalid: group_ids")
        return {
            "groups": [
                {
                    "id": int(g),
                    "name": f"g{g}",
                    "screen_name": f"club{g}",
                    "is_closed": 0,
                    "type": "page",
                    "members_count": 10,
                    "description": "d",
                    "photo_200": "https://x/200",
                }
                for g in str(ids).split(",")
            ],
            "profiles": [],
        }

    def _users_get(self, p: dict[str, Any], ttype: str) -> Any:
        return [
            {"id": int(u), "first_name": "DELETED", "last_name": "", "deactivated": "deleted"}
            for u in str(p["user_ids"]).split(",")
        ]

    def _resolve(self, p: dict[str, Any], ttype: str) -> Any:
        return {"object_id": 1, "type": "page"} if p["screen_name"] == "apiclub" else []

    def _get_by_id(self, p: dict[str, Any], ttype: str) -> Any:
        owner, _, pid = str(p["posts"]).partition("_")
        return {"items": [x for x in self.posts.get(int(owner), []) if x["id"] == int(pid)]}

    METHODS: ClassVar[dict[str, Any]] = {
        "wall.getById": _get_by_id,
        "wall.get": _wall_get,
        "wall.getComments": _get_comments,
        "groups.getById": _groups_get_by_id,
        "users.get": _users_get,
        "utils.resolveScreenName": _resolve,
    }

    def _inner(self, method: str, params: dict[str, Any], ttype: str) -> Any:
        with self._lock:
            self.inner_log.append((method, params))
            queue = self.fail_next.get(method)
            code = queue.popleft() if queue else None
        if code is not None:
            raise _VkErr(code, f"injected {code}")
        if ttype == "community" and method.startswith("wall."):
            raise _VkErr(27, "Group authorization failed: method is unavailable with group auth.")
        return self.METHODS[method](self, params, ttype)

    def handler(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        form = dict(parse_qsl(request.content.decode()))
        token = form.get("access_token", "")
        with self._lock:
            self.log.append((method, token, form))
            status = self.http_fail_next.popleft() if self.http_fail_next else None
        if status is not None:
            return httpx.Response(status, text="<html>oops</html>")
        params = {k: v for k, v in form.items() if k not in ("access_token", "v")}
        if form.get("v") != "5.199":
            return httpx.Response(200, json={"error": _err(8, "Invalid request: v", method, params)})
        ttype = self.tokens.get(token)
        if ttype is None:
            return httpx.Response(
                200, json={"error": _err(5, "User authorization failed: invalid access_token (4).", method, params)}
            )
        try:
            if method == "execute":
                return httpx.Response(200, json=self._execute(form["code"], ttype))
            return httpx.Response(200, json={"response": self._inner(method, params, ttype)})
        except _VkErr as e:
            return httpx.Response(200, json={"error": _err(e.code, e.msg, method, params)})

    def _execute(self, code: str, ttype: str) -> dict[str, Any]:
        with self._lock:
            queue = self.fail_next.get("execute")
            injected = queue.popleft() if queue else None
        if injected is not None:
            raise _VkErr(injected, f"injected {injected}")
        if ttype == "service":
            raise _VkErr(28, "Application authorization failed: method is unavailable with service token.")
        if code == "return 1;":
            return {"response": 1}
        calls = _CALL.findall(code)
        if len(calls) > self.too_big_above:
            raise _VkErr(13, "Runtime error occurred during code invocation: Response size is too big")
        out: list[Any] = []
        errors: list[dict[str, Any]] = []
        for method, raw in calls:
            params = json.loads(raw)
            try:
                out.append(self._inner(method, params, ttype))
            except _VkErr as e:
                out.append(False)
                errors.append({"method": method, "error_code": e.code, "error_msg": e.msg})
                errors.append({"method": "execute", "error_code": e.code, "error_msg": e.msg})
        body: dict[str, Any] = {"response": out}
        if errors:
            body["execute_errors"] = errors
        return body


class _VkErr(Exception):
    def __init__(self, code: int, msg: str) -> None:
        self.code, self.msg = code, msg
