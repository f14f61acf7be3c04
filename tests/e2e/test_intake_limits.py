"""Intake limits over real HTTP, on a stack started with small limits: the 429s, their Retry-After
and problem documents, what the citizen can still do, and sign-out through the console's calls."""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.e2e.test_round_trip import BODY, login
from tests.stack_process import local_stack

pytestmark = pytest.mark.e2e

LIMITS = {
    "FILING_PER_CLIENT_PER_HOUR": "4",
    "FILING_PER_ADDRESS_PER_DAY": "2",
    "CODE_ATTEMPTS": "3",
    "CODE_LOCKOUT_MINUTES": "15",
}


@pytest.fixture(scope="module")
def strict_url() -> Iterator[str]:
    with local_stack("e2e-limits-stack.log", env_extra=LIMITS) as url:
        yield url


def _file(url: str, email: str) -> requests.Response:
    body = copy.deepcopy(BODY)
    body["requester"]["email"] = email
    return requests.post(f"{url}/api/v1/tickets", json=body, timeout=60)


def _problem(answer: requests.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    problem: dict[str, Any] = answer.json()
    return problem


def test_address_then_client_limits_answer_429_with_retry_after(strict_url: str) -> None:
    email = f"pumping.{uuid.uuid4().hex[:8]}@example.cl"
    first, second = _file(strict_url, email), _file(strict_url, email)
    assert first.status_code == second.status_code == 201
    by_address = _file(strict_url, email)
    assert _problem(by_address, 429)["errors"][0]["field"] == "requester.email"
    assert int(by_address.headers["Retry-After"]) > 0
    # Two more from other addresses fit the client's four; the fifth does not, whatever the address.
    assert _file(strict_url, f"otra.{uuid.uuid4().hex[:8]}@example.cl").status_code == 201
    assert _file(strict_url, f"otra.{uuid.uuid4().hex[:8]}@example.cl").status_code == 201
    by_client = _file(strict_url, f"otra.{uuid.uuid4().hex[:8]}@example.cl")
    problem = _problem(by_client, 429)
    assert [e["field"] for e in problem["errors"]] == ["client"]
    assert 0 < int(by_client.headers["Retry-After"]) <= 900
    assert problem["code"] == "too_many_filings"
    english = requests.post(
        f"{strict_url}/api/v1/tickets", json=BODY, headers={"Accept-Language": "en"}, timeout=60
    )
    assert _problem(english, 429)["title"] == "Too many requests"


def test_guessing_codes_locks_the_number(strict_url: str) -> None:
    number = "2026-777777"
    answers = [
        requests.get(
            f"{strict_url}/api/v1/tickets/{number}", headers={"X-Access-Code": "ABCDEFGHJK"}, timeout=30
        )
        for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 900


def test_signing_out_refuses_the_old_token(stack_url: str) -> None:
    headers = login(stack_url, "bruno.l2", "Demo-Ventanilla-2")
    assert requests.get(f"{stack_url}/api/v1/agent/me/preferences", headers=headers, timeout=30).ok
    out = requests.post(f"{stack_url}/api/v1/agent/me/sign-out", headers=headers, timeout=30)
    assert out.status_code == 204
    refused = requests.get(f"{stack_url}/api/v1/agent/me/preferences", headers=headers, timeout=30)
    assert _problem(refused, 401)["code"] == "token_revoked"
    deadline = time.monotonic() + 5  # a sign-in in the same whole second as the sign-out is refused
    while True:
        again = login(stack_url, "bruno.l2", "Demo-Ventanilla-2")
        answer = requests.get(f"{stack_url}/api/v1/agent/me/preferences", headers=again, timeout=30)
        if answer.ok or time.monotonic() > deadline:
            break
    assert answer.status_code == 200
