"""RDS IAM authentication tokens, signed with botocore's SigV4 query signer and no RDS client.

A token is the presigned URL of the `connect` action for `rds-db` (host:port/?Action=connect&DBUser=…,
valid 15 min), which is what `boto3.client("rds").generate_db_auth_token` returns. Building that
client costs ~0.2 s of a cold start (boto3 and the RDS service model) for one HMAC; signing with the
same signer over the session's credential chain (environment variables on Lambda, the container
credentials endpoint after a SnapStart restore) costs a fraction and gives the same token
(tests/unit/test_iam_token.py compares them).
"""

from __future__ import annotations

import threading
from typing import Any

TOKEN_TTL_S = 900


class RdsAuthTokens:
    """Makes tokens for one region; credentials are resolved on first use and refreshed by botocore."""

    def __init__(self, region: str) -> None:
        self.region = region
        self._lock = threading.Lock()
        self._credentials: Any = None

    def _resolved(self) -> Any:
        with self._lock:
            if self._credentials is None:
                credentials = _lambda_credentials() or _chain_credentials()
                if credentials is None:
                    raise RuntimeError("no AWS credentials to sign an RDS auth token with")
                self._credentials = credentials
            return self._credentials

    def reset(self) -> None:
        """Forget the resolved credentials (a restored snapshot must not sign with the snapshot's)."""
        with self._lock:
            self._credentials = None

    def token(self, host: str, port: int, user: str) -> str:
        from botocore.auth import SigV4QueryAuth
        from botocore.awsrequest import AWSRequest

        frozen = self._resolved().get_frozen_credentials()  # refreshes temporary credentials near expiry
        request = AWSRequest(method="GET", url=f"https://{host}:{port}/", params={"Action": "connect", "DBUser": user})
        SigV4QueryAuth(frozen, "rds-db", self.region, expires=TOKEN_TTL_S).add_auth(request)
        url: str = request.prepare().url
        return url.removeprefix("https://")


def _lambda_credentials() -> Any:
    """Where Lambda puts a function's credentials, in botocore's order: the environment variables, or
    (after a SnapStart restore) the container credentials endpoint. Without botocore.session, whose
    import (the client machinery) costs a third more than the providers themselves."""
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
    """Import the signer now (before a SnapStart snapshot) so that the first connection does not."""
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials  # noqa: F401
