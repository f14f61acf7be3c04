"""Shared fixtures. Integration tests run the handlers in-process against a moto server provisioned
from template.yaml (the same code ``make dev`` uses); unit tests need none of it."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

warnings.filterwarnings("ignore", message="No application metrics to publish")
# Some test modules import the API's blueprints at collection, before the local stack exports the
# template's environment; Powertools reads the metrics namespace when the Metrics object is made.
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Ventanilla")

TEST_LIMITS = {
    "FILING_PER_CLIENT_PER_HOUR": "1000000",
    "FILING_PER_ADDRESS_PER_DAY": "1000000",
    "SUBSCRIBE_PER_CLIENT_PER_HOUR": "1000000",
    "SUBSCRIBE_PER_ADDRESS_PER_DAY": "1000000",
    "CODE_ATTEMPTS": "1000000",
    "NOTIFY_COALESCE_SECONDS": "0",
}
"""Test stacks file hundreds of requests from one address and one email, and try wrong codes on the
same unknown number in many tests; the tests of the limits themselves set them low. Notices go at
once (no coalescing window) except in the tests of the window, which set one."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow first: started last, one of them kept a worker busy for minutes
    after the other had run out of tests."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@dataclass
class Aws:
    stack: Any
    env: dict[str, str]
    logins: dict[str, Any]

    def token(self, username: str) -> str:
        import boto3

        login = self.logins[username]
        result = boto3.client("cognito-idp").initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": login.username, "PASSWORD": login.password},
            ClientId=self.env["USER_POOL_CLIENT_ID"],
        )
        return str(result["AuthenticationResult"]["AccessToken"])

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}


@pytest.fixture(scope="session")
def aws() -> Iterator[Aws]:
    from infra.local.stack import LocalStack

    for name, value in TEST_LIMITS.items():
        os.environ.setdefault(name, value)
    stack = LocalStack(port=0)
    env = stack.start_aws()
    from infra.local import demo

    demo.seed_catalog()
    logins = {login.username: login for login in demo.seed_staff()}
    yield Aws(stack=stack, env=env, logins=logins)
    assert stack.moto is not None
    stack.moto.stop()


@pytest.fixture(scope="session")
def app(aws: Aws) -> Any:
    return aws.stack.functions["ApiFunction"].load()


@pytest.fixture()
def api(app: Any) -> Iterator[Any]:
    from chalice.test import Client

    from infra.local.gateway import ProblemGateway

    with Client(app) as client:
        http = client.http
        # The gateway the dev server uses: unknown routes answer as the deployed API's gateway responses.
        http._local_gateway = ProblemGateway(app, http._config)
        yield http


def ticket_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "reclamo",
        "subtype": "servicio",
        "subject": "Luminaria apagada en la esquina",
        "description": "Hace una semana que la luminaria de Los Aromos con Las Acacias está apagada.",
        "form": {"servicio": "alumbrado", "direccion": "Av. Los Aromos 123"},
        "requester": {
            "name": "María Pérez",
            "email": "maria.perez@example.cl",
            "phone": "+56 9 8765 4321",
            "channels": ["email", "sms"],
            "consent": True,
        },
    }
    for key, value in overrides.items():
        if key == "requester":
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    return body


JSON = {"Content-Type": "application/json"}


def post(api: Any, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return api.post(path, body=raw, headers={**JSON, **(headers or {})})


def table_items(aws: Aws) -> int:
    """How many items the table holds (tests only, to prove nothing was half written), leaving out
    the abuse counters (wrong codes, filing buckets), which a refused request does write. Counted in
    the moto server's own table, under its one-at-a-time lock: a Scan through the API took 0.2-1.6 s
    once earlier tests had filled the table, and about 300 of them ran per suite."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    account = os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
    backend = dynamodb_backends[account][os.environ.get("AWS_REGION", "us-east-1")]
    with aws.stack.moto.lock:
        table = backend.get_table(aws.env["TABLE_NAME"])
        return sum(
            len(by_range)
            for pk, by_range in table.items.items()
            if not str(pk.value).startswith(("GUESS#", "LIMIT#"))
        )
