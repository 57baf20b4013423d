"""The signature contract, checked against an independent computation."""

from __future__ import annotations

import hashlib
import hmac

from vkc.webhooks.signing import generate_secret, secret_hint, sign, verify

SECRET = "whsec_test-secret"
BODY = '{"id":"e1","text":"Привет"}'.encode()


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, 1_700_000_000, BODY) == f"sha256={expected}"


def test_verify_accepts_a_fresh_signature() -> None:
    signature = sign(SECRET, 1_700_000_000, BODY)
    assert verify(SECRET, BODY, signature=signature, timestamp="1700000000", now=1_700_000_100)


def test_verify_refuses_tampering_wrong_secret_and_stale_timestamps() -> None:
    signature = sign(SECRET, 1_700_000_000, BODY)
    assert not verify(SECRET, BODY + b" ", signature=signature, timestamp="1700000000", now=1_700_000_000)
    assert not verify("whsec_other", BODY, signature=signature, timestamp="1700000000", now=1_700_000_000)
    assert not verify(SECRET, BODY, signature=signature, timestamp="1700000001", now=1_700_000_000)
    assert not verify(SECRET, BODY, signature=signature, timestamp="1700000000", now=1_700_000_301)
    assert not verify(SECRET, BODY, signature=None, timestamp="1700000000", now=1_700_000_000)
    assert not verify(SECRET, BODY, signature=signature, timestamp="soon", now=1_700_000_000)


def test_secrets_are_random_and_only_a_hint_is_shown() -> None:
    a, b = generate_secret(), generate_secret()
    assert a != b
    assert a.startswith("whsec_")
    assert len(a) >= 40
    assert secret_hint(a) == f"whsec_…{a[-4:]}"
    assert a[6:-4] not in secret_hint(a)
