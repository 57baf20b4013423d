"""Community input parsing: every form users paste, and strictness (predecessor defect 20)."""

from __future__ import annotations

import pytest
from vkc.communities.input import CommunityInputError, CommunityRef, ParseOutcome, parse_community_input


def by_id(n: int) -> CommunityRef:
    return CommunityRef(group_id=n)


def by_name(name: str) -> CommunityRef:
    return CommunityRef(screen_name=name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123", by_id(123)),
        ("-123", by_id(123)),
        ("  123  ", by_id(123)),
        ("club123", by_id(123)),
        ("public123", by_id(123)),
        ("event123", by_id(123)),
        ("Club123", by_id(123)),
        ("apiclub", by_name("apiclub")),
        ("ApiClub", by_name("apiclub")),
        ("@apiclub", by_name("apiclub")),
        ("my_group.official", by_name("my_group.official")),
        ("id1", by_name("id1")),
        ("photo2024", by_name("photo2024")),
    ],
)
def test_plain_values(text: str, expected: CommunityRef) -> None:
    assert parse_community_input(text) == expected


@pytest.mark.parametrize("text", ["clubfoo", "club123abc", "publicx", "event_1", "club"])
def test_id_prefixes_only_count_before_digits_only(text: str) -> None:
    ref = parse_community_input(text)
    assert ref.group_id is None
    assert ref.screen_name == text.lower()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://vk.com/apiclub", by_name("apiclub")),
        ("http://vk.com/apiclub", by_name("apiclub")),
        ("vk.com/apiclub", by_name("apiclub")),
        ("www.vk.com/apiclub", by_name("apiclub")),
        ("https://m.vk.com/apiclub", by_name("apiclub")),
        ("m.vk.ru/apiclub", by_name("apiclub")),
        ("https://vk.ru/apiclub", by_name("apiclub")),
        ("https://new.vk.com/apiclub", by_name("apiclub")),
        ("//vk.com/apiclub", by_name("apiclub")),
        ("HTTPS://VK.COM/ApiClub", by_name("apiclub")),
        ("https://vk.com/apiclub?w=wall-1_2", by_name("apiclub")),
        ("https://vk.com/apiclub/", by_name("apiclub")),
        ("https://vk.com/apiclub/posts?x=1#top", by_name("apiclub")),
        ("https://vk.com/apiclub#frag", by_name("apiclub")),
        ("https://vk.com:443/apiclub", by_name("apiclub")),
        ("https://vk.com/club1", by_id(1)),
        ("vk.com/public77", by_id(77)),
        ("https://vk.com/event5?z=1", by_id(5)),
        ("https://vk.com/123", by_id(123)),
        ("https://vk.com/wall-1_2", by_id(1)),
        ("https://vk.com/wall-1", by_id(1)),
        ("https://vk.com/photo-22_456", by_id(22)),
        ("https://vk.com/topic-9_100", by_id(9)),
        ("https://vk.com/video-3_4", by_id(3)),
        ("wall-1_2", by_id(1)),
    ],
)
def test_links(text: str, expected: CommunityRef) -> None:
    assert parse_community_input(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("club0", "0 is not"),
        ("0", "0 is not"),
        ("-0", "0 is not"),
        ("99999999999999999999", "too large"),
        ("-abc", "leading '-'"),
        ("апиклуб", "Latin letters"),
        ("api club", "Latin letters"),
        ("api-club", "Latin letters"),
        ("...", "not a valid short name"),
        ("a" * 65, "at most 64"),
        ("x" * 3000, "longer than"),
        ("https://example.com/apiclub", "not to VK"),
        ("https://vk.com.evil.io/apiclub", "not to VK"),
        ("ftp://vk.com/apiclub", "Only http(s)"),
        ("https://vk.com/", "home page"),
        ("vk.com", "home page"),
        ("https://vk.com?w=wall-1_2", "home page"),
        ("https://vk.com:8080/apiclub", "port"),
        ("https://[::1/apiclub", "not a valid URL"),
    ],
)
def test_invalid_inputs_say_why(text: str, fragment: str) -> None:
    with pytest.raises(CommunityInputError) as err:
        parse_community_input(text)
    assert fragment in err.value.reason
    assert err.value.outcome is ParseOutcome.INVALID


def test_a_users_wall_link_is_not_a_community() -> None:
    with pytest.raises(CommunityInputError) as err:
        parse_community_input("https://vk.com/wall42_1")
    assert err.value.outcome is ParseOutcome.NOT_A_COMMUNITY
    assert "user" in err.value.reason


def test_keys_match_for_the_same_id_in_different_forms() -> None:
    keys = {parse_community_input(t).key for t in ["123", "-123", "club123", "public123", "vk.com/club123"]}
    assert keys == {"id:123"}


def test_ref_holds_exactly_one_of_id_and_name() -> None:
    with pytest.raises(ValueError, match="not both"):
        CommunityRef(group_id=1, screen_name="x")
    with pytest.raises(ValueError, match="not both"):
        CommunityRef()
