"""Parsing the real response shapes of vk-api.md (5.199 and the older ones VK still sends)."""

from __future__ import annotations

from vkc.vk.models import (
    Comment,
    CommentsPage,
    Profile,
    WallPage,
    parse_groups,
    parse_posts_by_id,
    parse_profiles,
    parse_resolved,
)

WALL_GET = {
    "count": 38935,
    "items": [
        {
            "id": 519471,
            "owner_id": -109125816,
            "from_id": -109125816,
            "date": 1592509821,
            "edited": 1592511626,
            "marked_as_ads": 0,
            "post_type": "post",
            "is_pinned": 1,
            "text": "...",
            "signer_id": 123,
            "attachments": [
                {"type": "photo", "photo": {"id": 457315021, "owner_id": -109125816, "sizes": []}},
                {"type": "photo", "photo": {"id": 2}},
                {"type": "link", "link": {"url": "https://x"}},
            ],
            "post_source": {"type": "vk"},
            "comments": {"count": 104, "can_post": 1, "groups_can_post": True},
            "likes": {"count": 146, "user_likes": 0, "can_like": 1, "can_publish": 1},
            "reposts": {"count": 92, "user_reposted": 0},
            "views": {"count": 8887},
            "copy_history": [{"id": 1, "owner_id": -1, "from_id": -1, "date": 1590000000, "post_type": "post"}],
            "donut": {"is_donut": False},
            "short_text_rate": 0.8,
            "hash": "abc",
            "type": "post",
        }
    ],
}

COMMENTS = {
    "count": 4,
    "current_level_count": 3,
    "can_post": True,
    "show_reply_button": True,
    "groups_can_post": True,
    "items": [
        {
            "id": 2,
            "from_id": 138826793,
            "date": 1686389593,
            "text": "Комментарий 1",
            "post_id": 1,
            "owner_id": -221060815,
            "parents_stack": [],
            "likes": {"count": 0, "user_likes": 0, "can_like": 1},
            "thread": {
                "count": 1,
                "can_post": True,
                "show_reply_button": True,
                "groups_can_post": True,
                "items": [
                    {
                        "id": 3,
                        "from_id": 138826793,
                        "date": 1686506825,
                        "text": "[id138826793|Александр], Тест",
                        "post_id": 1,
                        "owner_id": -221060815,
                        "parents_stack": [2],
                        "reply_to_user": 138826793,
                        "reply_to_comment": 2,
                    }
                ],
            },
        },
        {
            "id": 4,
            "from_id": -221060815,
            "date": 1686514570,
            "text": "Comment 2",
            "post_id": 1,
            "owner_id": -221060815,
            "parents_stack": [],
            "attachments": [{"type": "photo", "photo": {"id": 1, "owner_id": -221060815, "album_id": -5, "sizes": []}}],
            "thread": {"count": 0, "items": [], "can_post": True},
        },
        {
            "id": 7,
            "parents_stack": [],
            "date": 1686515608,
            "deleted": True,
            "thread": {"count": 2, "next_from": "next/0//0"},
        },
    ],
    "profiles": [
        {"id": 138826793, "first_name": "Александр", "last_name": "…", "can_access_closed": True, "is_closed": False}
    ],
    "groups": [{"id": 221060815, "name": "…", "screen_name": "club221060815", "is_closed": 0, "type": "group"}],
}


def test_wall_get_post_shape() -> None:
    page = WallPage.model_validate(WALL_GET)
    post = page.items[0]
    assert page.count == 38935
    assert post.is_pinned is True
    assert post.marked_as_ads is False
    assert post.comments.count == 104
    assert post.likes is not None
    assert post.likes.count == 146
    assert [(a.type, a.count) for a in post.attachments] == [("photo", 2), ("link", 1)]
    assert post.copy_history[0].id == 1
    assert post.views is not None
    assert post.views.count == 8887


def test_comments_page_threads_replies_and_deleted_placeholders() -> None:
    page = CommentsPage.model_validate(COMMENTS)
    first, second, deleted = page.items
    assert page.current_level_count == 3
    assert page.count == 4
    assert first.likes_count == 0
    assert first.thread is not None
    assert first.thread.count == 1
    reply = first.thread.items[0]
    assert reply.parents_stack == [2]
    assert reply.reply_to_comment == 2
    assert reply.reply_to_user == 138826793
    assert reply.root_id == 2
    assert reply.parent_id == 2
    assert first.root_id is None
    assert second.from_id == -221060815
    assert [(a.type, a.count) for a in second.attachments] == [("photo", 1)]
    assert deleted.deleted
    assert deleted.text is None
    assert deleted.from_id is None
    assert deleted.owner_id is None
    assert deleted.thread is not None
    assert deleted.thread.count == 2
    assert deleted.thread.items == []
    assert deleted.thread.next_from == "next/0//0"
    assert page.profiles[0].first_name == "Александр"
    assert page.groups[0].screen_name == "club221060815"
    assert Comment.model_validate(first.model_dump()) == first


def test_groups_get_by_id_both_shapes() -> None:
    new = {
        "groups": [
            {
                "id": 1,
                "name": "VK API",
                "screen_name": "apiclub",
                "is_closed": 0,
                "type": "page",
                "photo_200": "https://x/200",
                "members_count": 1234567,
                "description": "d",
            }
        ],
        "profiles": [],
    }
    old = [{"id": 1, "name": "VK API", "is_closed": 2, "deactivated": "banned"}]
    g = parse_groups(new)[0]
    assert (g.members_count, g.photo_200, g.description, g.type) == (1234567, "https://x/200", "d", "page")
    assert parse_groups(old)[0].is_closed == 2
    assert parse_groups(old)[0].deactivated == "banned"


def test_wall_get_by_id_both_shapes_and_deleted_posts() -> None:
    post = {"id": 21539, "owner_id": 93388, "date": 1, "is_deleted": True, "deleted_reason": "removed"}
    assert parse_posts_by_id({"items": [post], "profiles": []})[0].is_deleted
    assert parse_posts_by_id([post])[0].id == 21539


def test_resolve_screen_name_found_and_not_found() -> None:
    r = parse_resolved({"object_id": 1, "type": "group"})
    assert r is not None
    assert r.object_id == 1
    assert r.is_community
    app = parse_resolved({"type": "community_application", "object_id": 123, "group_id": 456})
    assert app is not None
    assert app.group_id == 456
    assert not app.is_community
    assert parse_resolved([]) is None


def test_users_get_deleted_banned_closed() -> None:
    users = parse_profiles(
        [
            {"id": 3, "first_name": "DELETED", "last_name": "", "deactivated": "deleted"},
            {"id": 4, "first_name": "Ivan", "last_name": "I", "deactivated": "banned", "screen_name": "ivan"},
            {"id": 5, "first_name": "Α", "last_name": "Κ", "is_closed": True, "can_access_closed": False},
        ]
    )
    assert users[0].is_deactivated
    assert users[1].deactivated == "banned"
    assert users[1].screen_name == "ivan"
    assert users[2].is_closed is True
    assert users[2].can_access_closed is False
    assert Profile.model_validate({"id": 1, "unknown_field": {"x": 1}}).id == 1
