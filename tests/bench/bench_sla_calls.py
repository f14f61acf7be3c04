"""DynamoDB and Scheduler calls per ticket change, with 100 and with 10,000 tickets stored.

For each ticket change the path is: the API write (pause, resume), the stream dispatcher on that
ticket item's stream record (it creates/moves/deletes only the schedules that changed), and a fired
timer. The calls
are counted by wrapping botocore's ``BaseClient._make_api_call``; they must not grow with the table.
Steady state (warm process): the calendar, policy and routing rules are cached for 30-60 s, so a
cold process adds one GetItem for each on its first change.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable
from typing import Any

from botocore.client import BaseClient

from tests.bench.sizes import size

warnings.filterwarnings("ignore")
CALLS: Counter[str] = Counter()
_original = BaseClient._make_api_call


def _counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
    CALLS[f"{self.meta.service_model.service_name}:{operation}"] += 1
    return _original(self, operation, params)


def _count(fn: Callable[[], Any]) -> dict[str, int]:
    CALLS.clear()
    fn()
    return dict(sorted(CALLS.items()))


def _fill(table: Any, template: dict[str, Any], count: int, start: int) -> None:
    """Bulk-store ``count`` tickets like ``template`` (numbers from ``start``); not measured."""
    with table.batch_writer() as batch:
        for i in range(start, start + count):
            number = f"2099-{i:06d}"
            item = {**template, "PK": f"TICKET#{number}", "number": number}
            item["GSI1SK"] = str(template["GSI1SK"]).rsplit("#", 1)[0] + f"#{number}"
            item["timers"] = []
            batch.put_item(Item=item)


def _one_ticket(
    tickets: Any, dispatch: Any, sla: Any, ana: Any, body: Any, item: Any
) -> list[tuple[str, dict[str, int]]]:
    """Create a ticket, pause, resume and fire one timer; the calls of each step."""
    from ventanilla.models.ticket import StatusIn

    number = tickets.create_ticket(body).number
    keys = {"PK": f"TICKET#{number}", "SK": "TICKET"}
    created = item(number)
    rows: list[tuple[str, dict[str, int]]] = [
        ("stream fn: ticket created", _count(lambda: dispatch("INSERT", keys, None, created)))
    ]
    rows.append(
        (
            "api: pause (waiting_citizen)",
            _count(lambda: tickets.change_status(ana, number, StatusIn(status="waiting_citizen"))),
        )
    )
    paused = item(number)
    rows.append(("stream fn: pause", _count(lambda: dispatch("MODIFY", keys, created, paused))))
    rows.append(
        (
            "api: resume (in_progress)",
            _count(lambda: tickets.change_status(ana, number, StatusIn(status="in_progress"))),
        )
    )
    resumed = item(number)
    rows.append(("stream fn: resume", _count(lambda: dispatch("MODIFY", keys, paused, resumed))))
    timer = resumed["timers"][0]
    fired = sla.FiredTimer(number=number, **{k: timer[k] for k in ("name", "target", "kind", "fire_at")})
    rows.append(("fired fn: warning", _count(lambda: sla.on_timer_fired(fired))))
    rows.append(("fired fn: same timer again", _count(lambda: sla.on_timer_fired(fired))))
    return rows


def main() -> None:
    import boto3

    from infra.local.stack import LocalStack

    stack = LocalStack(port=0)
    stack.start_aws()  # exports the stream dispatcher's SLA_* variables
    from infra.local import demo

    demo.seed_catalog()
    staff = demo.seed_staff()
    from ventanilla.auth import Principal
    from ventanilla.models.ticket import CreateTicketIn
    from ventanilla.services import due_dates, routing, sla, tickets
    from ventanilla.services.dispatch import dispatch
    from ventanilla.storage.table import table

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
    raw = boto3.resource("dynamodb").Table(stack.functions["ApiFunction"].environment["TABLE_NAME"])

    def item(number: str) -> dict[str, Any]:
        return dict(raw.get_item(Key={"PK": f"TICKET#{number}", "SK": "TICKET"})["Item"])

    first = tickets.create_ticket(body)  # warms the caches (calendar, policy, rules)
    template = item(first.number)
    BaseClient._make_api_call = _counting  # type: ignore[method-assign]
    print(f"{'tickets stored':>15} {'change':<34} calls")
    stored = 1
    for target in size((100, 10_000), (10,)):
        BaseClient._make_api_call = _original  # type: ignore[method-assign]
        _fill(table(), template, target - stored, stored)
        stored = target
        due_dates.forget_cache()  # re-read now, uncounted: the figures are a warm process's
        due_dates.institution_calendar(), due_dates.sla_config(), routing.load_rules()
        BaseClient._make_api_call = _counting  # type: ignore[method-assign]
        rows = _one_ticket(tickets, dispatch, sla, ana, body, item)
        for name, calls in rows:
            print(f"{target:>15,} {name:<34} {calls}")
    BaseClient._make_api_call = _original  # type: ignore[method-assign]
    assert stack.moto is not None
    stack.moto.stop()


if __name__ == "__main__":
    main()
