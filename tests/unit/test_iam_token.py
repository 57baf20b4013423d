"""RDS IAM auth tokens signed without an RDS client (and without botocore's signer) are the tokens
boto3's RDS client makes.

RDS Proxy accepts what `generate_db_auth_token` returns; ours must be the same string for the same
credentials, host, port, user, region and instant (special characters in the user and the session
token, an upper-case host, https's default port included), or every database connection on Lambda fails.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path
from unittest import mock

import boto3
import botocore.auth
import pytest
from vkc.db.iam_token import RdsAuthTokens

HOST = "vkc-proxy.proxy-abc123.eu-central-1.rds.amazonaws.com"


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIAEXAMPLEKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjE//+/session=token")
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("host", "port", "user"),
    [
        (HOST, 5432, "vkc"),
        (HOST, 5432, "vkc user+1@x/ü~*"),
        ("VKC-Proxy.Proxy-ABC123.eu-central-1.rds.amazonaws.com", 5432, "vkc"),
        (HOST, 443, "vkc"),
        ("10.0.1.17", 6432, "vkc_ro"),
    ],
)
def test_the_token_is_the_one_boto3s_rds_client_makes(credentials: None, host: str, port: int, user: str) -> None:
    at = datetime.datetime(2026, 12, 5, 4, 40, 0)  # noqa: DTZ001 - botocore's clock is naive UTC
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=at):
        # a session of its own: boto3's default session keeps the credentials an earlier test resolved
        theirs = (
            boto3.session.Session()
            .client("rds", region_name="eu-central-1")
            .generate_db_auth_token(DBHostname=host, Port=port, DBUsername=user)
        )
    ours = RdsAuthTokens("eu-central-1").token(host, port, user, at=at.replace(tzinfo=datetime.UTC))
    assert ours == theirs
    assert ours.startswith(f"{host}:{port}/?Action=connect&DBUser=")


def test_without_a_session_token_the_token_is_boto3s_too(monkeypatch: pytest.MonkeyPatch, credentials: None) -> None:
    monkeypatch.delenv("AWS_SESSION_TOKEN")
    at = datetime.datetime(2026, 12, 5, 4, 40, 0)  # noqa: DTZ001
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=at):
        theirs = (
            boto3.session.Session()
            .client("rds", region_name="eu-central-1")
            .generate_db_auth_token(DBHostname=HOST, Port=5432, DBUsername="vkc")
        )
    ours = RdsAuthTokens("eu-central-1").token(HOST, 5432, "vkc", at=at.replace(tzinfo=datetime.UTC))
    assert ours == theirs
    assert "X-Amz-Security-Token" not in ours


def test_credentials_with_an_expiry_are_left_to_botocore(credentials: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS_CREDENTIAL_EXPIRATION makes botocore's EnvProvider refresh them: ours must not freeze them."""
    monkeypatch.setenv("AWS_CREDENTIAL_EXPIRATION", "2999-01-01T00:00:00Z")
    tokens = RdsAuthTokens("eu-central-1")
    assert "ASIAEXAMPLEKEY" in tokens.token(HOST, 5432, "vkc")
    assert type(tokens._resolved()).__module__.startswith("botocore")


def test_signing_with_environment_credentials_imports_no_botocore(credentials: None) -> None:
    """What a Lambda cold start without SnapStart does: the first connection signs without botocore."""
    probe = (
        "import sys\n"
        "from vkc.db.iam_token import RdsAuthTokens\n"
        f"RdsAuthTokens('eu-central-1').token({HOST!r}, 5432, 'vkc')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('botocore', 'boto3', 'urllib3')))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_forgotten_credentials_are_read_again(credentials: None, monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = RdsAuthTokens("eu-central-1")
    assert "ASIAEXAMPLEKEY" in tokens.token(HOST, 5432, "vkc")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIAROTATEDKEY")
    assert "ASIAEXAMPLEKEY" in tokens.token(HOST, 5432, "vkc")  # resolved once per process …
    tokens.reset()
    assert "ASIAROTATEDKEY" in tokens.token(HOST, 5432, "vkc")  # … until forgotten (a SnapStart restore)


def test_outside_lambda_the_default_chain_signs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No environment credentials and no container endpoint (a laptop, CI): botocore's profiles apply."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ):
        monkeypatch.delenv(name, raising=False)
    shared = tmp_path / "credentials"
    shared.write_text("[default]\naws_access_key_id = AKIAFROMPROFILE\naws_secret_access_key = s\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(shared))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert "AKIAFROMPROFILE" in RdsAuthTokens("eu-central-1").token(HOST, 5432, "vkc")
