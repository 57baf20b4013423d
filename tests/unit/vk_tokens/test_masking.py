"""The only form a token is shown in after it was added."""

from __future__ import annotations

from vkc.vk_tokens.masking import token_hint


def test_hint_shows_first_and_last_four() -> None:
    assert token_hint("vk1.a.abcdefghijklmnopqrstuvwxyz0123") == "vk1.…0123"


def test_short_tokens_are_fully_masked() -> None:
    assert token_hint("local-token-1") == "…"
    assert token_hint("") == "…"


def test_hint_ignores_surrounding_whitespace() -> None:
    assert token_hint("  abcdefghijklmnopqrstuvwx \n") == "abcd…uvwx"
