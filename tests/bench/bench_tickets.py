"""Request lifecycle cost against the local stack: latency and AWS calls per operation.

Shows that the calls per create, follow and change stay the same whatever the table holds
(no Scan on a request path): measured with 100 and with 1,000 tickets already stored.
"""

from __future__ import annotations

import statistics
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.client import BaseClient

from tests.bench.sizes import size

warnings.filterwarnings("ignore")
CALLS: Counter[str] = Counter()
_original = BaseClient._make_api_call


def _counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
    CALLS[f"{self.meta.service_model.service_name}:{operation}"] += 1
    return _original(self, operation, params)


@contextmanager
def counted() -> Iterator[Counter[str]]:
    CALLS.clear()
    yield CALLS


def _time(fn: Callable[[], Any], n: int) -> tuple[float, float, Counter[str]]:
    samples = []
    with counted() as calls:
        for _ in range(n):
            started = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - started) * 1000)
        per_call = Counter({k: v // n for k, v in calls.items()})
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], per_call


def main() -> None:
    from infra.local.stack import LocalStack

    stack = LocalStack(port=0)
    stack.start_aws()
    from infra.local import demo

    demo.seed_catalog()
    staff = demo.seed_staff()
    BaseClient._make_api_call = _counting  # type: ignore[method-assign]
    from ventanilla.auth import Principal
    from ventanilla.models.ticket import CreateTicketIn, StaffMessageIn
    from ventanilla.services import queue, tickets

    body = CreateTicketIn.model_validate(
        {
            "type": "consulta",
            "subtype": "general",
            "subject": "Horario de atención",
            "description": "¿Atienden el sábado?",
            "requester": {
                "name": "Bench",
                "email": "bench@example.cl",
                "channels": ["email"],
                "consent": True,
            },
        }
    )
    ana = Principal(
        sub=staff[0].sub, username="ana.l1", groups=frozenset({"agent-l1"}), name="Ana", teams=("atencion",)
    )
    print(f"{'tickets stored':>15} {'operation':<12} {'p50 ms':>8} {'p95 ms':>8}  AWS calls per operation")
    stored = 0
    last: dict[str, str] = {}
    for target in size((100, 1_000), (5,)):
        while stored < target:
            tickets.create_ticket(body)
            stored += 1

        def create() -> None:
            created = tickets.create_ticket(body)
            last.update(number=created.number, code=created.access_code)

        for name, fn in (
            ("create", create),
            ("follow", lambda: tickets.follow(last["number"], last["code"], "es")),
            (
                "agent note",
                lambda: tickets.staff_reply(ana, last["number"], StaffMessageIn(body="nota"), internal=True),
            ),
            ("queue", lambda: queue.agent_queue(ana, "atencion", None, 50, None)),
        ):
            p50, p95, calls = _time(fn, size(30, 3))
            print(f"{target:>15,} {name:<12} {p50:>8.1f} {p95:>8.1f}  {dict(sorted(calls.items()))}")
        stored += size(30, 3)
    BaseClient._make_api_call = _original  # type: ignore[method-assign]
    assert stack.moto is not None
    stack.moto.stop()
