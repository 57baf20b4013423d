"""Addresses on vk.com, in the forms VK itself opens (a reply needs its thread to be scrolled to)."""

from __future__ import annotations

VK = "https://vk.com"


def comment_url(owner_id: int, post_id: int, comment_id: int, root_comment_id: int | None = None) -> str:
    url = f"{VK}/wall{owner_id}_{post_id}?reply={comment_id}"
    return f"{url}&thread={root_comment_id}" if root_comment_id else url


def post_url(owner_id: int, post_id: int) -> str:
    return f"{VK}/wall{owner_id}_{post_id}"


def author_url(vk_id: int) -> str:
    return f"{VK}/id{vk_id}" if vk_id > 0 else f"{VK}/club{-vk_id}"


def community_url(vk_id: int, screen_name: str | None) -> str:
    return f"{VK}/{screen_name}" if screen_name else f"{VK}/club{vk_id}"
