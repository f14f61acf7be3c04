"""A citizen and an agent over real HTTP against the stack ``make dev`` runs."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
import requests

pytestmark = pytest.mark.e2e

BODY: dict[str, Any] = {
    "type": "consulta",
    "subtype": "tramite",
    "subject": "¿Qué necesito para renovar mi licencia?",
    "description": "Mi licencia clase B vence el próximo mes. ¿Qué documentos debo llevar?",
    "form": {"tramite": "licencia"},
    "requester": {
        "name": "Javiera Torres",
        "email": "javiera@example.cl",
        "channels": ["email"],
        "consent": True,
    },
}


def login(url: str, username: str, password: str) -> dict[str, str]:
    """Logs in as the web console does: InitiateAuth against the pool the config names."""
    config = requests.get(f"{url}/api/v1/config", timeout=10).json()
    cognito = boto3.client(
        "cognito-idp",
        region_name=config["region"],
        endpoint_url=config["cognito_endpoint"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    result = cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
        ClientId=config["user_pool_client_id"],
    )
    return {"Authorization": f"Bearer {result['AuthenticationResult']['AccessToken']}"}


def test_citizen_and_agent_round_trip(stack_url: str) -> None:
    health = requests.get(f"{stack_url}/api/v1/health", timeout=10)
    assert health.json()["status"] == "ok"
    assert "Ventanilla" in requests.get(stack_url, timeout=10).text

    created = requests.post(f"{stack_url}/api/v1/tickets", json=BODY, timeout=30)
    assert created.status_code == 201, created.text
    number, code = created.json()["number"], created.json()["access_code"]
    citizen = {"X-Access-Code": code}

    agent = login(stack_url, "ana.l1", "Demo-Ventanilla-1")
    queue = requests.get(f"{stack_url}/api/v1/agent/queue?team=atencion", headers=agent, timeout=30).json()
    assert number in [i["number"] for i in queue.get("items", [])], queue

    reply = "Estimada Javiera: debe traer su cédula y la licencia anterior."
    answered = requests.post(
        f"{stack_url}/api/v1/agent/tickets/{number}/reply", json={"body": reply}, headers=agent, timeout=30
    )
    assert answered.status_code == 200, answered.text
    requests.post(
        f"{stack_url}/api/v1/agent/tickets/{number}/note",
        json={"body": "Nota interna"},
        headers=agent,
        timeout=30,
    )

    view = requests.get(f"{stack_url}/api/v1/tickets/{number}", headers=citizen, timeout=30).json()
    assert view["status"] == "in_progress"
    bodies = [e["body"] for e in view["timeline"]]
    assert reply in bodies and "Nota interna" not in bodies

    thanks = requests.post(
        f"{stack_url}/api/v1/tickets/{number}/messages",
        json={"body": "¡Gracias!"},
        headers=citizen,
        timeout=30,
    )
    assert thanks.status_code == 201
    staff_view = requests.get(f"{stack_url}/api/v1/agent/tickets/{number}", headers=agent, timeout=30).json()
    # the notifier may record what it sent after the message: look for the message, not the last event
    said = [e for e in staff_view["history"] if e.get("body") == "¡Gracias!"]
    assert len(said) == 1 and said[0]["actor"]["kind"] == "citizen", staff_view["history"]
    assert (
        requests.get(
            f"{stack_url}/api/v1/tickets/{number}", headers={"X-Access-Code": "X" * 10}, timeout=30
        ).status_code
        == 404
    )


def test_fifty_concurrent_creates_get_fifty_distinct_numbers(stack_url: str) -> None:
    def create(i: int) -> str:
        body = {**BODY, "subject": f"Consulta concurrente {i}"}
        response = requests.post(f"{stack_url}/api/v1/tickets", json=body, timeout=300)
        assert response.status_code == 201, response.text
        return str(response.json()["number"])

    with ThreadPoolExecutor(max_workers=50) as pool:
        numbers = list(pool.map(create, range(50)))
    assert len(set(numbers)) == 50
    sequences = sorted(int(n.split("-")[1]) for n in numbers)
    assert sequences == list(range(sequences[0], sequences[0] + 50))  # no gaps, no repeats


def test_static_files_cannot_escape_the_web_folder(stack_url: str) -> None:
    for path in ("/../pyproject.toml", "/%2e%2e/pyproject.toml", "/..%2fMakefile"):
        response = requests.get(stack_url + path, timeout=10)
        assert response.status_code == 404
        assert "[project]" not in response.text
