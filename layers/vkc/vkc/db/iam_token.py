"""RDS IAM authentication tokens, signed with the standard library: no RDS client, no botocore signer.

A token is the SigV4-presigned URL of the `connect` action for `rds-db` (host:port/?Action=connect&DBUser=…,
valid 15 min), which is what `boto3.client("rds").generate_db_auth_token` returns. Building that client
costs ~0.2 s of a cold start (boto3 and the RDS service model), and botocore's signer alone ~0.1 s
(botocore.auth imports botocore.compat, urllib3 and their regular expressions) for a few HMACs. The
signing is done here with hashlib/hmac; the token is byte for byte the one boto3 makes
(tests/unit/test_iam_token.py compares them, special characters in the user and the session token
included).

Credentials: Lambda's environment variables (read directly: the common case, and the only one a cold
start without SnapStart meets); otherwise botocore's providers, refreshed by botocore — the container
credentials endpoint (a SnapStart restore), or the full default chain (profiles, SSO …) off Lambda.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote

TOKEN_TTL_S = 900
_SERVICE = "rds-db"
_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class _Frozen(Protocol):
    access_key: str
    secret_key: str
    token: str | None


@dataclass(frozen=True, slots=True)
class StaticCredentials:
    """Credentials that do not expire within the process (Lambda's environment variables)."""

    access_key: str
    secret_key: str
    token: str | None

    def get_frozen_credentials(self) -> StaticCredentials:
        return self


class RdsAuthTokens:
    """Makes tokens for one region; credentials are resolved on first use (and refreshed by botocore
    when they come from one of its providers)."""

    def __init__(self, region: str) -> None:
        self.region = region
        self._lock = threading.Lock()
        self._credentials: Any = None

    def _resolved(self) -> Any:
        with self._lock:
            if self._credentials is None:
                credentials = _environment_credentials() or _container_credentials() or _chain_credentials()
                if credentials is None:
                    raise RuntimeError("no AWS credentials to sign an RDS auth token with")
                self._credentials = credentials
            return self._credentials

    def reset(self) -> None:
        """Forget the resolved credentials (a restored snapshot must not sign with the snapshot's)."""
        with self._lock:
            self._credentials = None

    def token(self, host: str, port: int, user: str, *, at: datetime | None = None) -> str:
        frozen = self._resolved().get_frozen_credentials()  # botocore's refresh temporary credentials near expiry
        return presigned_connect(host, port, user, region=self.region, credentials=frozen, at=at)


def presigned_connect(
    host: str, port: int, user: str, *, region: str, credentials: _Frozen, at: datetime | None = None
) -> str:
    """SigV4 query signing (what botocore's SigV4QueryAuth does for a GET without a body), minus "https://"."""
    stamp = (at or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    scope = f"{stamp[:8]}/{region}/{_SERVICE}/aws4_request"
    params = [
        ("Action", "connect"),
        ("DBUser", user),
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
        ("X-Amz-Credential", f"{credentials.access_key}/{scope}"),
        ("X-Amz-Date", stamp),
        ("X-Amz-Expires", str(TOKEN_TTL_S)),
        ("X-Amz-SignedHeaders", "host"),
    ]
    if credentials.token is not None:
        params.append(("X-Amz-Security-Token", credentials.token))
    encoded = [(_encode(key), _encode(value)) for key, value in params]
    query = "&".join(f"{key}={value}" for key, value in encoded)  # operation params first, as botocore
    # the Host header as an HTTP client sends it: lower case, the port unless it is https's default
    host_header = host.lower() if port == 443 else f"{host.lower()}:{port}"
    canonical_request = "\n".join(
        [
            "GET",
            "/",
            "&".join(f"{key}={value}" for key, value in sorted(encoded)),
            f"host:{host_header}\n",
            "host",
            _EMPTY_SHA256,
        ]
    )
    string_to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = f"AWS4{credentials.secret_key}".encode()
    for part in (stamp[:8], region, _SERVICE, "aws4_request"):
        key = hmac.digest(key, part.encode(), "sha256")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{host}:{port}/?{query}&X-Amz-Signature={signature}"


def _encode(value: str) -> str:
    return quote(value, safe="-_.~")


def _environment_credentials() -> StaticCredentials | None:
    """Lambda's environment variables, as botocore's EnvProvider reads them; credentials with an expiry
    (AWS_CREDENTIAL_EXPIRATION) are left to botocore, which refreshes them."""
    key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not key or not secret or os.environ.get("AWS_CREDENTIAL_EXPIRATION"):
        return None
    token = os.environ.get("AWS_SESSION_TOKEN") or os.environ.get("AWS_SECURITY_TOKEN") or None
    return StaticCredentials(key, secret, token)


def _container_credentials() -> Any:
    """Environment credentials with an expiry, or the container credentials endpoint (where a SnapStart
    restore gets its credentials), in botocore's order."""
    from botocore.credentials import ContainerProvider, EnvProvider

    return EnvProvider().load() or ContainerProvider().load()


def _chain_credentials() -> Any:
    """Anywhere else: botocore's full default chain (profiles, SSO, instance metadata …)."""
    import botocore.session

    return botocore.session.Session().get_credentials()


_by_region: dict[str, RdsAuthTokens] = {}


def auth_tokens(region: str) -> RdsAuthTokens:
    """The process's token maker for `region` (engines share it, so one credential chain per process)."""
    tokens = _by_region.get(region)
    if tokens is None:
        tokens = _by_region.setdefault(region, RdsAuthTokens(region))
    return tokens


def forget_credentials() -> None:
    """Every token maker re-reads its credentials on the next token (after a snapshot restore)."""
    for tokens in list(_by_region.values()):
        tokens.reset()


def prepare() -> None:
    """Import botocore's credential providers now (before a SnapStart snapshot): a restored copy reads
    its credentials from the container endpoint, and its first connection should not import them."""
    import botocore.credentials  # noqa: F401
