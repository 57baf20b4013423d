"""Settings come from the environment as template.yaml and the local stack name them.

The variable names are the contract between the template and the code: a name read in the wrong case,
an alias ignored or a keyword argument losing to the environment would misconfigure a deployed function.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from vkc.settings import Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DB_HOST", "DB_PORT", "DB_NAME", "DB_IAM_AUTH", "DB_SSL", "STAGE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("POWERTOOLS_SERVICE_NAME", raising=False)


def test_fields_come_from_their_variables_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_HOST", "vkc-proxy.example")
    monkeypatch.setenv("db_port", "6432")
    monkeypatch.setenv("Db_Iam_Auth", "1")
    monkeypatch.setenv("DB_SSL", "false")
    settings = Settings()
    assert (settings.db_host, settings.db_port, settings.db_iam_auth, settings.db_ssl) == (
        "vkc-proxy.example",
        6432,
        True,
        False,
    )


def test_an_aliased_field_reads_its_alias_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "vkc-api")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("SERVICE_NAME", "ignored")
    settings = Settings()
    assert (settings.service_name, settings.aws_region) == ("vkc-api", "us-east-1")


def test_keywords_win_over_the_environment_and_the_rest_comes_from_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_NAME", "vkc")
    monkeypatch.setenv("STAGE", "prod")
    settings = Settings(db_name="vkc_test", aws_region="eu-west-1")
    assert (settings.db_name, settings.stage, settings.aws_region) == ("vkc_test", "prod", "eu-west-1")


def test_defaults_without_the_variables() -> None:
    settings = Settings()
    assert (settings.db_host, settings.db_port, settings.stage, settings.aws_region) == (
        "127.0.0.1",
        5432,
        "local",
        "eu-central-1",
    )
    assert settings.service_name == "vkc"


@pytest.mark.parametrize(("name", "value"), [("DB_PORT", "not-a-port"), ("WEBHOOK_REQUEUE_AFTER_S", "5")])
def test_an_invalid_value_is_refused_at_start(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()
