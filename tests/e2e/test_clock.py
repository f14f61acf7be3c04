"""Service-level timers over real HTTP: the local runner fires them when the dev clock moves."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from tests.e2e.test_round_trip import BODY, login
from tests.stack_process import local_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def clock_stack() -> Iterator[str]:
    """A stack of its own: moving its clock must not move the other end-to-end tests' clock."""
    with local_stack("e2e-clock-stack.log") as url:
        yield url


def test_moving_the_dev_clock_fires_the_breach_and_the_agent_sees_it(clock_stack: str) -> None:
    created = requests.post(f"{clock_stack}/api/v1/tickets", json=BODY, timeout=30)
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    agent = login(clock_stack, "carla.supervisora", "Demo-Ventanilla-3")
    view = f"{clock_stack}/api/v1/agent/tickets/{number}"
    assert requests.get(view, headers=agent, timeout=30).json()["ticket"]["breached"] == []

    bad = requests.post(f"{clock_stack}/dev/clock?advance=soon", timeout=10)
    assert bad.status_code == 400 and "amount" in bad.json()["error"]
    moved = requests.post(f"{clock_stack}/dev/clock?advance=60d", timeout=10)
    assert moved.status_code == 200 and moved.json()["offset_seconds"] == 60 * 86400

    deadline, breached = time.monotonic() + 90, []
    while time.monotonic() < deadline and set(breached) != {"first_response", "resolution"}:
        time.sleep(0.5)
        breached = requests.get(view, headers=agent, timeout=30).json()["ticket"]["breached"]
    assert set(breached) == {"first_response", "resolution"}
    history = requests.get(view, headers=agent, timeout=30).json()["history"]
    assert {e["data"]["target"] for e in history if e["action"] == "sla_breached"} == set(breached)
