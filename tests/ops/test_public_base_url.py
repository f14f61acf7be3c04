"""Links in notices use the portal's address: from PUBLIC_BASE_URL, or else from the SSM parameter
the stack writes once the CDN exists (read once per process)."""

from __future__ import annotations

import boto3
import pytest

from ventanilla.integrations.parameters import parameter
from ventanilla.settings import Settings

pytestmark = pytest.mark.usefixtures("mocked_aws")
NAME = "/vt/public-base-url"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    parameter.cache_clear()


def _settings(monkeypatch: pytest.MonkeyPatch, value: str) -> Settings:
    monkeypatch.setenv("TABLE_NAME", "vt-table")
    monkeypatch.setenv("PUBLIC_BASE_URL", value)
    monkeypatch.setenv("PUBLIC_BASE_URL_PARAMETER", NAME)
    return Settings.from_env()


def test_empty_variable_reads_the_parameter_once(monkeypatch: pytest.MonkeyPatch) -> None:
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name=NAME, Value="https://d111.cloudfront.net/", Type="String")
    settings = _settings(monkeypatch, "")
    assert settings.public_base_url == "https://d111.cloudfront.net"
    ssm.put_parameter(Name=NAME, Value="https://otra.example", Type="String", Overwrite=True)
    assert settings.public_base_url == "https://d111.cloudfront.net"  # cached for the process


def test_the_variable_wins_and_ssm_is_not_called(monkeypatch: pytest.MonkeyPatch) -> None:
    # No parameter exists: reading it would raise ParameterNotFound.
    assert _settings(monkeypatch, "https://ventanilla.muni.example/").public_base_url == (
        "https://ventanilla.muni.example"
    )


def test_a_missing_parameter_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(boto3.client("ssm").exceptions.ParameterNotFound):
        _ = _settings(monkeypatch, "").public_base_url


def test_nothing_set_is_the_local_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "vt-table")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("PUBLIC_BASE_URL_PARAMETER", raising=False)
    assert Settings.from_env().public_base_url == "http://localhost:8000"
