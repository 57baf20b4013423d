"""RDS IAM auth tokens signed without an RDS client are the tokens boto3's RDS client makes.

RDS Proxy accepts what `generate_db_auth_token` returns; ours must be the same string for the same
credentials, host, port, user, region and instant (special characters in the user and the session
token included), or every database connection on Lambda fails.
"""

from __future__ import annotations

import datetime
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


@pytest.mark.parametrize("user", ["vkc", "vkc user+1@x"])
def test_the_token_is_the_one_boto3s_rds_client_makes(credentials: None, user: str) -> None:
    at = datetime.datetime(2026, 12, 5, 4, 40, 0)  # noqa: DTZ001 - botocore's clock is naive UTC
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=at):
        # a session of its own: boto3's default session keeps the credentials an earlier test resolved
        theirs = (
            boto3.session.Session()
            .client("rds", region_name="eu-central-1")
            .generate_db_auth_token(DBHostname=HOST, Port=5432, DBUsername=user)
        )
        ours = RdsAuthTokens("eu-central-1").token(HOST, 5432, user)
    assert ours == theirs
    assert ours.startswith(f"{HOST}:5432/?Action=connect&DBUser=")


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
