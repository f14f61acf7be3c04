"""What one citizen request and one help search cost in AWS calls and DynamoDB write units, measured
against the local stack with the real item sizes; written to ``infra/ops/measured.json`` for the
cost model (``python -m infra.ops.cost``).

Compute is the calling thread's CPU time (``time.thread_time``: the moto server's threads and this
benchmark's own size reads excluded), which the cost model scales to Lambda's share of a vCPU and
adds a round trip per AWS call to. Bytes served are each answer's JSON, gzip-compressed as the CDN
sends it, and a first visit's portal files.

A request's life here: filed by a citizen, followed twice, an internal note, an answer, resolved;
the staff side reads the queue and the ticket as an agent would. Write units follow DynamoDB's
rules: each written item costs ceil(size / 1 KB), twice inside a transaction, plus one per GSI the
item is in; sizes are read back after each write. Statistics (the stream side) come from
``bench_stats``' measurement of its aggregate items at the demo catalogue.
"""

from __future__ import annotations

import gzip
import json
import math
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from botocore.client import BaseClient

from tests.bench.sizes import smoke

warnings.filterwarnings("ignore")
OUT = Path(__file__).resolve().parents[2] / "infra" / "ops" / "measured.json"
CALLS: Counter[str] = Counter()
WRITE_UNITS = [0.0]
OVERHEAD_CPU = [0.0]
"""CPU seconds this benchmark spent reading sizes back (not the request's work)."""
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
    started = time.thread_time()
    try:
        return _units_of(client, table, key, transactional)
    finally:
        OVERHEAD_CPU[0] += time.thread_time() - started


def _units_of(client: BaseClient, table: str, key: dict[str, Any], transactional: bool) -> float:
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


WEB = Path(__file__).resolve().parents[2] / "web"


def wire_bytes(answer: Any) -> int:
    """The answer's JSON as the CDN sends it (gzip)."""
    from pydantic import BaseModel

    if isinstance(answer, BaseModel):
        raw = answer.model_dump_json(by_alias=True).encode()
    else:
        raw = json.dumps(answer, default=str).encode()
    return len(gzip.compress(raw))


def first_visit_bytes() -> int:
    """An upper bound of a citizen's first visit: every page, script, style and the Spanish
    dictionary of the portal, gzip (the staff console's files included, the manuals not)."""
    files = [WEB / "index.html", WEB / "i18n" / "es.json"]
    files += [f for f in WEB.rglob("*") if f.suffix in (".js", ".css") and "manuales" not in f.parts]
    return sum(len(gzip.compress(f.read_bytes())) for f in files if f.is_file())


@dataclass
class Step:
    calls: dict[str, int]
    write_units: float
    cpu_seconds: float
    bytes_out: int


def _measure(fn: Any) -> Step:
    CALLS.clear()
    WRITE_UNITS[0] = OVERHEAD_CPU[0] = 0.0
    started = time.thread_time()
    answer = fn()
    cpu = time.thread_time() - started - OVERHEAD_CPU[0]
    return Step(dict(CALLS), WRITE_UNITS[0], max(cpu, 0.0), wire_bytes(answer))


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
    from ventanilla.services import help_public, idempotent, queue, tickets
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

    def life(citizen: str) -> dict[str, Step]:
        """One request's life, filed by ``citizen`` (each request a new address, as at a desk)."""
        steps: dict[str, Step] = {}
        state: dict[str, Any] = {}

        def create() -> Any:
            requester = body.requester.model_copy(update={"email": f"{citizen}@example.cl"})
            filed = body.model_copy(update={"requester": requester})
            # as the API files it: held to the client's and the address's filing limits
            created = idempotent.create_once(filed, None, client=f"198.51.100.{len(citizen)}")
            state.update(number=created.number, code=created.access_code)
            return created

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
        return steps

    life("primera")  # the first request of a process imports and caches what a cold start would
    steps = life("segunda")
    searches = [
        "patente comercial",
        "horario",
        "certificado de residencia",
        "zzqxw nada",
        "permiso edificación",
    ]
    help_public.search("horario", "es", None, None, None, 10)  # the index's load is a cold start's
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
    sent = 0
    for name, times in lifecycle.items():
        step = steps[name]
        calls.update({k: v * times for k, v in step.calls.items()})
        units += step.write_units * times
        seconds += step.cpu_seconds * times
        sent += step.bytes_out * times
        print(
            f"{name:<12} x{times}  write units {step.write_units:>5.1f}  CPU {step.cpu_seconds * 1000:>6.1f} ms"
            f"  answer {step.bytes_out:>6,} B gzip  calls {dict(sorted(step.calls.items()))}"
        )
    search_calls: Counter[str] = Counter()
    for run in search_runs:
        search_calls.update(run.calls)
    n = len(search_runs)
    per_search = {k: v / n for k, v in search_calls.items()}
    search_units = sum(r.write_units for r in search_runs) / n
    search_seconds = sum(r.cpu_seconds for r in search_runs) / n
    search_bytes = sum(r.bytes_out for r in search_runs) / n
    staff_steps = [steps["queue"], steps["staff view"]]
    visit = first_visit_bytes()
    print(
        f"per help search (mean of {n}): write units {search_units:.2f}, CPU {search_seconds * 1000:.1f} ms,"
        f" answer {search_bytes:,.0f} B gzip, calls {per_search}"
    )
    print(f"a citizen's first visit (upper bound): {visit:,} B gzip")
    stats = json.loads(OUT.read_text(encoding="utf-8")).get("stats", {}) if OUT.exists() else {}
    measured = {
        "source": "make bench (tests/bench/bench_cost.py, bench_stats.py) against the local stack",
        "request": {
            "api_calls": sum(lifecycle.values()),
            "aws_calls": dict(sorted(calls.items())),
            "write_units": round(units, 1),
            "cpu_seconds": round(seconds, 4),
            "bytes_out": sent,
            "first_visit_bytes": visit,
            "ticket_versions": 4,
            "notices": 3,
        },
        "staff_call": {
            "aws_calls": round(sum(sum(s.calls.values()) for s in staff_steps) / len(staff_steps), 1),
            "cpu_seconds": round(sum(s.cpu_seconds for s in staff_steps) / len(staff_steps), 4),
            "bytes_out": round(sum(s.bytes_out for s in staff_steps) / len(staff_steps)),
        },
        "search": {
            "aws_calls": {k: round(v, 2) for k, v in sorted(per_search.items())},
            "write_units": round(search_units, 2),
            "cpu_seconds": round(search_seconds, 4),
            "bytes_out": round(search_bytes),
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
