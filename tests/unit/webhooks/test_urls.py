"""What a webhook may point at."""

from __future__ import annotations

import pytest
from vkc.errors import InvalidInput
from vkc.webhooks.urls import UnsafeDestination, check_destination, validate_webhook_url


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("https://hooks.example.com/vkc", "https://hooks.example.com/vkc"),
        ("  HTTPS://Hooks.Example.COM:8443/a?b=1 ", "https://hooks.example.com:8443/a?b=1"),
        ("https://hooks.example.com", "https://hooks.example.com/"),
        ("https://8.8.8.8/hook", "https://8.8.8.8/hook"),
    ],
)
def test_public_https_urls_are_accepted_and_normalized(raw: str, normalized: str) -> None:
    assert validate_webhook_url(raw, allow_loopback=False) == normalized


@pytest.mark.parametrize(
    "raw",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "https://localhost:9000/x",
        "http://[::1]:8000/hook",
    ],
)
def test_loopback_is_allowed_outside_prod_only(raw: str) -> None:
    assert validate_webhook_url(raw, allow_loopback=True)
    with pytest.raises(InvalidInput, match="localhost"):
        validate_webhook_url(raw, allow_loopback=False)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("http://hooks.example.com/x", "https"),
        ("ftp://hooks.example.com/x", "https"),
        ("https://user:pw@hooks.example.com/x", "Credentials"),
        ("https://hooks.example.com/x#frag", "fragment"),
        ("https://10.0.0.5/x", "private"),
        ("https://169.254.169.254/latest/meta-data", "private"),
        ("https://192.168.1.1/x", "private"),
        ("https://[fd00::1]/x", "private"),
        ("https://intranet/x", "fully qualified"),
        ("https:///x", "no host"),
        ("https://hooks.example.com:99999/x", "not valid"),
        ("", "1 to"),
        ("https://e.com/" + "a" * 2100, "1 to"),
    ],
)
def test_bad_urls_are_refused_with_the_reason(raw: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why) as info:
        validate_webhook_url(raw, allow_loopback=True)
    assert info.value.extra["errors"][0]["loc"] == ["body", "url"]


def test_resolved_addresses_are_checked_before_sending() -> None:
    check_destination("http://127.0.0.1:9/x", allow_loopback=True)
    with pytest.raises(UnsafeDestination) as info:
        check_destination("http://127.0.0.1:9/x", allow_loopback=False)
    assert info.value.retryable is False
    with pytest.raises(UnsafeDestination) as info:
        check_destination("https://does-not-exist.invalid/x", allow_loopback=False)
    assert info.value.retryable is True
