"""Incremental collection: posts and comments added to a running emulator, from Python and over HTTP."""

from __future__ import annotations

from devtools.vk_emulator.server import Emulator

from .conftest import Vk, open_community


def test_python_mutations_are_served_and_in_ground_truth(fresh_emu: Emulator, fresh_vk: Vk) -> None:
    ds = fresh_emu.dataset
    owner = open_community(ds)
    author = min(u.id for u in ds.users.values() if u.deactivated is None)
    before = fresh_vk.ok("wall.get", owner_id=owner, count=2)

    post_id = fresh_emu.add_post(owner, "Новый пост")
    after = fresh_vk.ok("wall.get", owner_id=owner, count=2)
    assert after["count"] == before["count"] + 1
    assert after["items"][0]["is_pinned"] == 1
    assert after["items"][1]["id"] == post_id

    top = fresh_emu.add_comment(owner, post_id, "Опять нет интернета", author)
    reply = fresh_emu.add_comment(owner, post_id, "и у меня", author + 0, reply_to=top)
    reply2 = fresh_emu.add_comment(owner, post_id, "ответ на ответ", author, reply_to=reply)
    assert post_id < top < reply < reply2
    resp = fresh_vk.ok("wall.getComments", owner_id=owner, post_id=post_id, thread_items_count=10)
    assert resp["count"] == 3
    assert resp["current_level_count"] == 1
    thread = resp["items"][0]["thread"]
    assert [i["id"] for i in thread["items"]] == [reply, reply2]
    assert thread["items"][1]["parents_stack"] == [top]
    assert thread["items"][1]["reply_to_comment"] == reply
    assert fresh_vk.ok("wall.getById", posts=f"{owner}_{post_id}")["items"][0]["comments"]["count"] == 3

    truth = fresh_emu.ground_truth()
    mine = [c for c in truth["comments"] if c["post_id"] == post_id and c["owner_id"] == owner]
    assert [(c["comment_id"], c["parent_id"]) for c in mine] == [(top, None), (reply, top), (reply2, top)]
    assert mine[0]["planted"] == [{"keyword": "интернет", "form": "интернета", "start": 10, "end": 19}]


def test_new_comment_on_old_post_gets_newest_id(fresh_emu: Emulator, fresh_vk: Vk) -> None:
    ds = fresh_emu.dataset
    owner = open_community(ds)
    old_post = min(
        (p for p in ds.iter_posts() if p.owner_id == owner and p.comments and not p.comments_closed), key=lambda p: p.id
    )
    level = fresh_vk.ok("wall.getComments", owner_id=owner, post_id=old_post.id)["current_level_count"]
    newest_before = max(c.id for p in ds.iter_posts() if p.owner_id == owner for c in p.comments)
    new_id = fresh_emu.add_comment(owner, old_post.id, "поздний комментарий", min(ds.users))
    assert new_id > newest_before
    last = fresh_vk.ok("wall.getComments", owner_id=owner, post_id=old_post.id, offset=level, count=10)
    assert [i["id"] for i in last["items"]] == [new_id]
    newest = fresh_vk.ok("wall.getComments", owner_id=owner, post_id=old_post.id, sort="desc", count=1)
    assert newest["items"][0]["id"] == new_id


def test_admin_endpoints(fresh_emu: Emulator, fresh_vk: Vk) -> None:
    owner = open_community(fresh_emu.dataset)
    author = min(fresh_emu.dataset.users)
    assert fresh_vk.admin("GET", "health").json()["ok"] is True

    created = fresh_vk.admin("POST", "posts", {"owner_id": owner, "text": "через HTTP"})
    assert created.status_code == 201
    post_id = created.json()["post_id"]
    top = fresh_vk.admin(
        "POST", "comments", {"owner_id": owner, "post_id": post_id, "text": "Где доставка?", "from_id": author}
    )
    comment_id = top.json()["comment_id"]
    reply = fresh_vk.admin(
        "POST",
        "comments",
        {"owner_id": owner, "post_id": post_id, "text": "тоже жду", "from_id": author, "reply_to": comment_id},
    )
    assert reply.status_code == 201
    assert (
        fresh_vk.admin("POST", "comments", {"owner_id": owner, "post_id": 10**9, "text": "x", "from_id": 1}).status_code
        == 400
    )
    assert fresh_vk.admin("POST", "comments", {"owner_id": owner}).status_code == 400

    truth = fresh_vk.admin("GET", "ground-truth").json()
    mine = [c for c in truth["comments"] if c["post_id"] == post_id and c["owner_id"] == owner]
    assert [c["planted"][0]["form"] for c in mine if c["planted"]] == ["доставка"]

    fresh_vk.ok("wall.getComments", owner_id=owner, post_id=post_id)
    stats = fresh_vk.admin("GET", "stats").json()
    assert stats["requests"]["user-1"]["wall.getComments"] == 1
    assert stats["requests_total"] >= 1

    faults = fresh_vk.admin("PUT", "faults", {"probability": 1.0, "kinds": ["10"]})
    assert faults.json()["probability"] == 1.0
    assert fresh_vk.error("users.get")["error_code"] == 10
    assert fresh_vk.admin("PUT", "faults", {"probability": 0}).status_code == 200
    assert fresh_vk.admin("PUT", "faults", {"kinds": ["boom"]}).status_code == 400
    assert fresh_vk.admin("GET", "faults").json()["probability"] == 0

    limits = fresh_vk.admin("PUT", "limits", {"rate_limits": True, "quotas": {"wall.get": 1}}).json()
    assert limits["rate_limits"] is True
    assert limits["quotas"] == {"wall.get": 1}
    fresh_vk.ok("wall.get", owner_id=owner)
    assert fresh_vk.error("wall.get", owner_id=owner)["error_code"] in (6, 29)
    assert fresh_vk.admin("POST", "reset-limits").status_code == 200
    assert fresh_vk.admin("PUT", "latency", {"latency_ms": 0}).json()["latency_ms"] == 0

    assert fresh_vk.admin("POST", "tokens", {"token": "late-user", "type": "user"}).status_code == 201
    assert fresh_vk.ok("users.get", token="late-user", user_ids=str(author))[0]["id"] == author
    assert fresh_vk.admin("POST", "reset-stats").status_code == 200
    assert fresh_vk.admin("GET", "nope").status_code == 404
    dataset = fresh_vk.admin("GET", "dataset").json()
    assert dataset["format"] == "vk-emulator-dataset/1"
