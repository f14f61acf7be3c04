"""The operator tools against moto in-process: no endpoint of the local stack's server may leak in."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest


@pytest.fixture()
def mocked_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from moto import mock_aws

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    # Each test its own account: fresh resources, and the session stack's (account 123456789012,
    # on the moto server that shares this process's state) neither seen nor reset.
    monkeypatch.setenv("MOTO_ACCOUNT_ID", f"{uuid.uuid4().int % 10**12:012d}")
    _forget_clients()
    # moto keeps one state per process, which the session's moto server (other tests in this
    # worker) shares: start and stop the mock without resetting or removing it.
    mock = mock_aws()
    mock.start(reset=False)
    try:
        yield
    finally:
        mock.stop(remove_data=False)
        _forget_clients()


def _forget_clients() -> None:
    """Settings and boto3 clients are cached per process: made under this mock (no endpoint, another
    table name), they would send the integration tests that follow in this worker elsewhere."""
    from ventanilla import settings
    from ventanilla.integrations import eventbus, parameters, scheduler, secrets
    from ventanilla.storage import table

    settings.get_settings.cache_clear()
    for module in (eventbus, parameters, scheduler, secrets):
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()
    table._session = None
    for name in ("table", "client"):
        if hasattr(table._local, name):
            delattr(table._local, name)
