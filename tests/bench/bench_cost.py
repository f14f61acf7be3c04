"""What one citizen request and one help search cost in AWS calls and DynamoDB write units, measured
against the local stack with the real item sizes; written to ``infra/ops/measured.json`` for the
cost model (``python -m infra.ops.cost``).

A request's life here: filed by a citizen, followed twice, an internal note, an answer, resolved;
the staff side reads the queue and the ticket as an agent would. Write units follow DynamoDB's
rules: each written item costs ceil(size / 1 KB), twice inside a transaction, plus one per GSI the
item is in; sizes are read back after each write. Statistics (the stream side) come from
``bench_stats``' measurement of its aggregate items at the demo catalogue.
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from botocore.client import BaseClient

from tests.bench.sizes import smoke

warnings.filterwarnings("ignore")
OUT = Path(__file__).resolve().parents[2] / "infra" / "ops" / "measured.json"
CALLS: Counter[str] = Counter()
WRITE_UNITS = [0.0]
_original = BaseClient._make_api_call
GSI_ATTRS = ("GSI1PK", "GSI2PK", "GSI3PK", "GSI5PK")
_TYPES = {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"}


def item_bytes(item: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute names plus values (strings UTF-8, numbers ~1 byte per 2 digits
    + 1, lists and maps 3 bytes + their elements)."""
    return sum(len(k.encode()) + _value_bytes(v) for k, v in item.items())


def _value_bytes(value: Any) -> int:
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int | float | Decimal):
        return (len(str(abs(value)).replace(".", "").strip("0") or "0") + 1) // 2 + 1
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, dict):
        return 3 + sum(len(k.encode()) + _value_bytes(v) + 1 for k, v in value.items())
    if isinstance(value, list | set | tuple):
        return 3 + sum(_value_bytes(v) + 1 for v in value)
    return len(str(value))


def _units(client: BaseClient, table: str, key: dict[str, Any], transactional: bool) -> float:
    got = _original(client, "GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})
    item = got.get("Item")
    if item is None:
        return 1.0 * (2 if transactional else 1)  # a delete, or an item removed again
    from boto3.dynamodb.types import TypeDeserializer

    wire = all(isinstance(v, dict) and len(v) == 1 and next(iter(v)) in _TYPES for v in item.values())
    plain = {k: TypeDeserializer().deserialize(v) for k, v in item.items()} if wire else dict(item)
    units = math.ceil(item_bytes(plain) / 1024) * (2 if transactional else 1)
    return float(units + sum(1 for g in GSI_ATTRS if g in plain))


def _key_of(params: dict[str, Any]) -> dict[str, Any]:
    if "Key" in params:
        return dict(params["Key"])
    item = params["Item"]
    return {"PK": item["PK"], "SK": item["SK"]}


def _counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
    service = self.meta.service_model.service_name
    CALLS[f"{service}:{operation}"] += 1
    answer = _original(self, operation, params)
    if service == "dynamodb" and operation in ("PutItem", "UpdateItem", "DeleteItem"):
        WRITE_UNITS[0] += _units(self, params["TableName"], _key_of(params), False)
    elif service == "dynamodb" and operation == "TransactWriteItems":
        for entry in params["TransactItems"]:
            kind, body = next(iter(entry.items()))
            if kind != "ConditionCheck":
                WRITE_UNITS[0] += _units(self, body["TableName"], _key_of(body), True)
    elif service == "dynamodb" and operation == "BatchWriteItem":
        for table, requests in params["RequestItems"].items():
            for r in requests:
                body = r.get("PutRequest") or r.get("DeleteRequest")
                WRITE_UNITS[0] += _units(self, table, _key_of(body), False)
    return answer


def _measure(fn: Any) -> tuple[dict[str, int], float, float]:
    CALLS.clear()
    WRITE_UNITS[0] = 0.0
    started = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - started
    return dict(CALLS), WRITE_UNITS[0], elapsed


def main() -> None:
    from infra.local.stack import LocalStack

    stack = LocalStack(port=0)
    stack.start_aws()
    from infra.local import demo

    demo.seed_catalog()
    staff = demo.seed_staff()
    demo.seed_help()
    from ventanilla.auth import Principal
    from ventanilla.models.ticket import CreateTicketIn, StaffMessageIn, StatusIn
    from ventanilla.services import help_public, queue, tickets
    from ventanilla.services.help_public import rebuild

    rebuild()
    body = CreateTicketIn.model_validate(
        {
            "type": "consulta",
            "subtype": "general",
            "subject": "Horario de atención",
            "description": "¿Atienden el sábado? Necesito renovar mi patente comercial.",
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
    BaseClient._make_api_call = _counting  # type: ignore[method-assign]
    steps: dict[str, tuple[dict[str, int], float, float]] = {}
    state: dict[str, Any] = {}

    def create() -> None:
        created = tickets.create_ticket(body)
        state.update(number=created.number, code=created.access_code)

    steps["create"] = _measure(create)
    steps["follow"] = _measure(lambda: tickets.follow(state["number"], state["code"], "es"))
    steps["queue"] = _measure(lambda: queue.agent_queue(ana, "atencion", None, 50, None))
    steps["staff view"] = _measure(lambda: tickets.staff_view(ana, state["number"]))
    steps["note"] = _measure(
        lambda: tickets.staff_reply(ana, state["number"], StaffMessageIn(body="nota"), internal=True)
    )
    steps["answer"] = _measure(
        lambda: tickets.staff_reply(
            ana, state["number"], StaffMessageIn(body="Sí, de 9 a 13."), internal=False
        )
    )
    steps["resolve"] = _measure(
        lambda: tickets.change_status(ana, state["number"], StatusIn(status="resolved", body="Resuelto"))
    )
    searches = [
        "patente comercial",
        "horario",
        "certificado de residencia",
        "zzqxw nada",
        "permiso edificación",
    ]
    search_runs = [
        _measure(lambda q=q: help_public.search(q, "es", None, None, None, 10))  # type: ignore[misc]
        for q in searches
    ]
    BaseClient._make_api_call = _original  # type: ignore[method-assign]
    # a request: filed, followed twice, the agent opens the queue and the ticket 3 times, a note,
    # an answer, resolved (the survey and notices run on the stream side)
    lifecycle = {"create": 1, "follow": 2, "queue": 3, "staff view": 3, "note": 1, "answer": 1, "resolve": 1}
    calls: Counter[str] = Counter()
    units = seconds = 0.0
    for name, times in lifecycle.items():
        c, u, s = steps[name]
        calls.update({k: v * times for k, v in c.items()})
        units += u * times
        seconds += s * times
        print(f"{name:<12} x{times}  write units {u:>5.1f}  calls {dict(sorted(c.items()))}")
    search_calls: Counter[str] = Counter()
    for c, _, _ in search_runs:
        search_calls.update(c)
    n = len(search_runs)
    per_search = {k: v / n for k, v in search_calls.items()}
    search_units = sum(u for _, u, _ in search_runs) / n
    search_seconds = sum(s for _, _, s in search_runs) / n
    print(f"per help search (mean of {n}): write units {search_units:.2f}, calls {per_search}")
    stats = json.loads(OUT.read_text(encoding="utf-8")).get("stats", {}) if OUT.exists() else {}
    measured = {
        "source": "make bench (tests/bench/bench_cost.py, bench_stats.py) against the local stack",
        "request": {
            "api_calls": sum(lifecycle.values()),
            "aws_calls": dict(sorted(calls.items())),
            "write_units": round(units, 1),
            "compute_seconds_in_process": round(seconds, 3),
            "ticket_versions": 4,
            "notices": 3,
        },
        "search": {
            "aws_calls": {k: round(v, 2) for k, v in sorted(per_search.items())},
            "write_units": round(search_units, 2),
            "compute_seconds_in_process": round(search_seconds, 4),
        },
        "stats": stats,
    }
    if not smoke():  # the smoke run proves the benchmark works; the model keeps the real figures
        OUT.write_text(json.dumps(measured, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"written to {OUT.relative_to(OUT.parents[2])}")
    assert stack.moto is not None
    stack.moto.stop()


if __name__ == "__main__":
    main()
