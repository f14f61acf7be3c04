"""Statistics: DynamoDB items read for one dashboard load at 1,000 and at 100,000 tickets' worth of
aggregates (it must not grow with tickets), the aggregation throughput in-process with the AWS
calls and transaction items per stream record, and the items one ticket version touches and the
largest aggregate item at a small and a large catalogue.

Tickets go through the real stream handler (StatsFunction) against the local moto server, each
with three or four versions (filed, answered, resolved, some reopened) over the last 90 days; then
the rest of 1,000 and 99,000 more tickets' worth of counters are written straight to the aggregate
items of the same slices over the same three years of days (what 100,000 tickets leave behind is
bigger counters, not more items per day).
"""

from __future__ import annotations

import math
import random
import time
import warnings
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.client import BaseClient

from tests.bench.sizes import size as bench_size

warnings.filterwarnings("ignore")
CALLS: Counter[str] = Counter()
_original = BaseClient._make_api_call
THROUGH_HANDLER = bench_size(40, 3)
"""Tickets sent through the handler (moto applies each transaction item by item, slowly); the rest
of the first 1,000 tickets' worth is added as counters, like the 99,000 after them."""


def _counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
    CALLS[operation] += 1
    if operation == "TransactWriteItems":
        CALLS["transaction items"] += len(params["TransactItems"])
        for item in params["TransactItems"]:
            CALLS["ADD actions"] += len(item.get("Update", {}).get("ExpressionAttributeNames", {}))
    return _original(self, operation, params)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _versions(i: int, rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    start = now - timedelta(minutes=rng.randint(60, 90 * 24 * 60))
    base: dict[str, Any] = {
        "number": f"2098-{i:06d}",
        "version": 1,
        "type_code": rng.choice(["consulta", "reclamo", "solicitud-informacion", "tramite"]),
        "subtype_code": "general",
        "channel": rng.choice(["web", "email", "phone"]),
        "team": rng.choice(["atencion", "tecnico", "transparencia"]),
        "priority": rng.choice(["low", "medium", "high"]),
        "status": "received",
        "created_at": _iso(start),
        "updated_at": _iso(start),
        "breached": [],
        "escalation_level": 0,
    }
    t1 = start + timedelta(minutes=rng.randint(5, 3000))
    answered = {
        **base,
        "version": 2,
        "status": "in_progress",
        "updated_at": _iso(min(t1, now)),
        "first_response_at": _iso(min(t1, now)),
        "first_response_business_seconds": rng.randint(600, 200 * 3600),
    }
    t2 = t1 + timedelta(minutes=rng.randint(5, 5000))
    resolved = {
        **answered,
        "version": 3,
        "status": "resolved",
        "updated_at": _iso(min(t2, now)),
        "resolution_business_seconds": rng.randint(3600, 400 * 3600),
        "breached": ["resolution"] if rng.random() < 0.1 else [],
    }
    out = [base, answered, resolved]
    if rng.random() < 0.1:
        out.append(
            {
                **resolved,
                "version": 4,
                "status": "reopened",
                "updated_at": _iso(min(t2 + timedelta(hours=1), now)),
            }
        )
    return out


def _dashboard_cost(label: str) -> None:
    from ventanilla.stats import dashboard
    from ventanilla.storage import stats as store

    for days in (30, 366):
        end = dashboard.today()
        start = end - timedelta(days=days - 1)
        store.items_read = 0
        CALLS.clear()
        BaseClient._make_api_call = _counting  # type: ignore[method-assign]
        board = dashboard.build(start, end, {})
        BaseClient._make_api_call = _original  # type: ignore[method-assign]
        print(
            f"{label:>28} | period {days:>3} days | items read {store.items_read:>4} | "
            f"calls {dict(sorted(CALLS.items()))} | created in period {board.created:,}"
        )


def main() -> None:
    import os

    from infra.local.functions import LambdaContext
    from infra.local.stack import LocalStack
    from tests.integration.test_stats_aggregation import _record

    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    stack = LocalStack(port=0)
    stack.start_aws()
    from infra.local import demo

    demo.seed_catalog()
    from ventanilla.models.common import utcnow
    from ventanilla.services.due_dates import institution_calendar
    from ventanilla.stats.aggregate import step
    from ventanilla.storage import stats as store

    calendar = institution_calendar()
    zone = calendar.zone
    _item_sizes(calendar)
    rng = random.Random(7)
    now = utcnow()
    histories = [_versions(i, rng, now) for i in range(1, THROUGH_HANDLER + 1)]
    records = [
        _record(v, seq, old=h[j - 1] if j else None)
        for seq, (h, j, v) in enumerate(((h, j, v) for h in histories for j, v in enumerate(h)), start=1)
    ]
    # pure rule, no I/O
    started = time.perf_counter()
    for h in histories:
        facts = None
        for v in h:
            change = step(facts, v, calendar)
            assert change is not None
            facts = change.facts
    pure = len(records) / (time.perf_counter() - started)

    handler = stack.functions["StatsFunction"].load()
    CALLS.clear()
    BaseClient._make_api_call = _counting  # type: ignore[method-assign]
    started = time.perf_counter()
    for i in range(0, len(records), 100):
        result = handler({"Records": records[i : i + 100]}, LambdaContext("StatsFunction"))
        assert result == {"batchItemFailures": []}
    elapsed = time.perf_counter() - started
    BaseClient._make_api_call = _original  # type: ignore[method-assign]
    per_record = {k: round(v / len(records), 1) for k, v in sorted(CALLS.items())}
    print(
        f"aggregation: {len(records):,} stream records ({THROUGH_HANDLER} tickets) in {elapsed:.1f} s",
        flush=True,
    )
    print(
        f"  through the handler against the local moto server: {len(records) / elapsed:,.2f} records/s",
        flush=True,
    )
    print(f"  per record: {per_record}", flush=True)
    print(f"  the pure rule alone (facts -> deltas, no I/O): {pure:,.0f} records/s", flush=True)
    started = time.perf_counter()
    handler({"Records": records[:100]}, LambdaContext("StatsFunction"))
    print(f"  a replayed batch of 100 (all skipped): {time.perf_counter() - started:.2f} s", flush=True)

    today = now.astimezone(zone).date()
    _dashboard_cost(f"{THROUGH_HANDLER} tickets (handler)")
    for label, more, days in bench_size(
        # 99,000 more tickets' worth: the same slices' counters over the same 3 years of days
        (("1,000 tickets", 1_000 - THROUGH_HANDLER, 3 * 365), ("100,000 tickets", 99_000, 3 * 365)),
        (("a week of tickets", 10, 7),),
    ):
        _fill(store, today, now, zone, more, days=days, rng=rng)
        _dashboard_cost(label)
    assert stack.moto is not None
    stack.moto.stop()


def _fill(
    store: Any, today: Any, now: datetime, zone: Any, tickets: int, *, days: int, rng: random.Random
) -> None:
    """Day items holding ``tickets`` tickets' counters over the last ``days`` days, written whole (what the
    aggregator would have left there), plus the stocks."""
    from ventanilla.stats.keys import Dims, day_sk, local_day, month_sk, slices_of, stats_pk

    dims = [
        Dims(t, "general", c, team, p)
        for t in ("consulta", "reclamo", "solicitud-informacion", "tramite")
        for c in ("web", "email", "phone")
        for team in ("atencion", "tecnico", "transparencia")
        for p in ("low", "medium", "high")
    ]
    slices = sorted({s for d in dims for s in slices_of(d)})
    per_day = max(1, tickets // days)
    from ventanilla.storage.table import table

    with table().batch_writer(overwrite_by_pkeys=["PK", "SK"]) as batch:
        for back in range(days):
            day = (today - timedelta(days=back)).isoformat()
            counters = {"created": per_day, "resolved": per_day - 1, "net_open": 1, "fr_n": per_day}
            counters["frh#12"] = per_day
            for s in ("all", *rng.sample(slices, 1)):
                batch.put_item(Item={"PK": stats_pk(s), "SK": day_sk(day), "entity": "stats", **counters})
    for s in ("all",):
        store.add_counters(stats_pk(s), month_sk(today.isoformat()[:7]), {"created": per_day})
    store.add_counters(stats_pk("all"), "NOW", {"open": days, f"age#{local_day(now, zone)}": days})


def _item_bytes(attrs: dict[str, int], pk: str, sk: str) -> int:
    """DynamoDB's size of an item: attribute names in UTF-8 plus each number's 1 byte per two
    significant digits and 1 more, plus the keys and ``entity``."""
    size = len(f"PK{pk}SK{sk}entitystats".encode())
    for name, value in attrs.items():
        digits = len(str(abs(value)).rstrip("0") or "0")
        size += len(name.encode()) + (digits + 1) // 2 + 1
    return size


def _attr_bytes(name: str, value: int) -> int:
    """One counter attribute's share of an item's size (0 when the counter is 0: not stored)."""
    if not value:
        return 0
    digits = len(str(abs(value)).rstrip("0") or "0")
    return len(name.encode()) + (digits + 1) // 2 + 1


def _stream_window() -> tuple[int, int]:
    """The statistics stream's batching window (s) and batch size, as template.yaml sets them."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "template.yaml").read_text(encoding="utf-8")
    block = text[text.index("        StatsStream:") :]
    window = int(block.split("MaximumBatchingWindowInSeconds:", 1)[1].split()[0])
    size = int(block.split("BatchSize:", 1)[1].split()[0])
    return window, size


def _item_sizes(calendar: Any) -> None:
    """A busy day of a small and of a large catalogue through the pure rule: the most items one
    version touches, the most ADD actions on one item, the largest day, month and NOW items, and the
    write units per ticket change with the real item sizes as they grow through the day: counted
    one transaction per version (the way before journals), through journals with the stream's
    batching window (versions arriving over ten working hours), and through journals at a quiet
    desk (every version alone in its batch)."""
    from ventanilla.stats.aggregate import step
    from ventanilla.storage.stats import _pack

    window, batch_size = _stream_window()
    catalogues = {
        "demo catalogue (8 types, 13 subtypes, 3 teams)": (8, 13, 3, bench_size(1_000, 20)),
        "large catalogue (40 types, 320 subtypes, 30 teams)": (40, 320, 30, bench_size(3_000, 20)),
    }
    measured: dict[str, Any] = {}
    for label, (types, subtypes, teams, tickets) in catalogues.items():
        rng = random.Random(11)
        day = datetime(2026, 11, 4, 8, tzinfo=UTC)
        most_items = most_adds = 0
        changes: list[tuple[datetime, str, Any]] = []
        for i in range(tickets):
            t = rng.randrange(types)
            filed = day + timedelta(seconds=rng.randrange(10 * 3600))
            image: dict[str, Any] = {
                "number": f"2097-{i:06d}",
                "version": 1,
                "type_code": f"tipo-{t:02d}",
                "subtype_code": f"subtipo-{rng.randrange(max(1, subtypes // types)):02d}",
                "channel": rng.choice(["web", "email", "sms", "phone", "in_person", "letter", "chat", "api"]),
                "team": f"equipo-{rng.randrange(teams):02d}",
                "priority": rng.choice(["low", "medium", "high", "critical"]),
                "status": "received",
                "created_at": _iso(filed),
                "updated_at": _iso(filed),
                "breached": [],
                "escalation_level": 0,
                "legal_kind": "CL/access_to_information" if t % 5 == 0 else None,
            }
            steps = [
                {"status": "assigned", "team": f"equipo-{rng.randrange(teams):02d}"},
                {"status": "in_progress", "first_response_at": _iso(filed)},
                {"first_response_business_seconds": rng.randrange(1, 300 * 3600)},
                {"status": "resolved", "resolution_business_seconds": rng.randrange(1, 900 * 3600)},
                {"breached": ["resolution"] if rng.random() < 0.2 else [], "escalation_level": 1},
                {"csat_score": rng.randint(1, 5), "csat_at": _iso(filed)},
                {"status": "closed"},
            ]
            facts = None
            at = filed
            for n, change in enumerate([{}, *steps[: rng.randint(1, len(steps))]]):
                at = at + timedelta(minutes=rng.randint(2, 90)) if n else at
                image = {**image, **change, "version": n + 1, "updated_at": _iso(at)}
                result = step(facts, image, calendar)
                assert result is not None
                facts = result.facts
                most_items = max(most_items, len(result.deltas) + 1)
                most_adds = max([most_adds, *(len(a) for a in result.deltas.values())])
                changes.append((at, image["number"], result.deltas))
        changes.sort(key=lambda c: c[0])
        versions = len(changes)
        before = _Items()
        for _, _, deltas in changes:
            before.units += 2 * math.ceil(_FACTS_BYTES / 1024)  # the facts Put, in the transaction
            for key, attrs in deltas.items():
                before.add(key, attrs, factor=2)  # an Update in a transaction
        batches: list[list[tuple[datetime, str, Any]]] = [[]]
        for c in changes:
            if batches[-1] and (
                len(batches[-1]) >= batch_size or (c[0] - batches[-1][0][0]).total_seconds() > window
            ):
                batches.append([])
            batches[-1].append(c)
        busy = _journaled(batches, _pack)
        quiet = _journaled([[c] for c in changes], _pack)
        largest: dict[str, tuple[int, str]] = {}
        for (pk, sk), attrs in busy.items.items():
            kind = "NOW" if sk == "NOW" else sk[0]
            size = _item_bytes({k: v for k, v in attrs.items() if v}, pk, sk)
            largest[kind] = max(largest.get(kind, (0, "")), (size, pk))
        print(
            f"{label}, {tickets:,} tickets ({versions:,} versions) in one day: at most {most_items} items "
            f"per version (limit 100), at most {most_adds} ADD actions on one item",
            flush=True,
        )
        for kind, name in (("D", "day"), ("M", "month"), ("NOW", "NOW")):
            size, pk = largest[kind]
            print(f"  largest {name} item: {size / 1024:,.1f} KB ({pk}; limit 400 KB)", flush=True)
        figures = {
            "before": round(before.units / versions, 1),
            "busy": round(busy.units / versions, 1),
            "quiet": round(quiet.units / versions, 1),
        }
        print(
            f"  write units per ticket change (real item sizes): one transaction per version "
            f"{figures['before']:,.1f}; journaled, {window} s batches ({len(batches):,} batches) "
            f"{figures['busy']:,.1f} ({figures['before'] / figures['busy']:.1f}x fewer); journaled, "
            f"one version per batch {figures['quiet']:,.1f} ({figures['before'] / figures['quiet']:.1f}x fewer)",
            flush=True,
        )
        measured[label] = {
            "write_units_per_ticket_change": figures["busy"],
            "write_units_per_ticket_change_quiet": figures["quiet"],
            "write_units_per_ticket_change_before": figures["before"],
            "ticket_changes": versions,
            "batching_window_seconds": window,
        }
    _save(measured)


class _Items:
    """Counter items as they grow, and the write units their updates cost."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Counter[str]] = {}
        self.sizes: dict[tuple[str, str], int] = {}
        self.units = 0

    def add(self, key: tuple[str, str], attrs: dict[str, int], *, factor: int, extra: int = 0) -> None:
        held = self.items.setdefault(key, Counter())
        before = self.sizes.get(key) or _item_bytes({}, *key) + extra
        after = before
        for name, amount in attrs.items():
            after += _attr_bytes(name, held[name] + amount) - _attr_bytes(name, held[name])
        held.update(attrs)
        self.sizes[key] = after
        self.units += factor * math.ceil(max(before, after) / 1024)


_MARK_BYTES = len("j") + 29
"""The journal id an applied item carries (``j``)."""


def _journaled(batches: list[list[tuple[datetime, str, Any]]], pack: Any) -> _Items:
    """Write units of journaled batches: per chunk of at most 99 tickets, one transaction (their
    facts and the compressed journal), then the applier's lease (a Put and a Delete), one plain
    Update per counter item with the merged deltas, and the journal's Delete."""
    out = _Items()
    for batch in batches:
        by_ticket: dict[str, list[Any]] = {}
        for _, number, deltas in batch:
            by_ticket.setdefault(number, []).append(deltas)
        numbers = list(by_ticket)
        for start in range(0, len(numbers), 99):
            merged: dict[tuple[str, str], Counter[str]] = {}
            for number in numbers[start : start + 99]:
                for deltas in by_ticket[number]:
                    for key, attrs in deltas.items():
                        merged.setdefault(key, Counter()).update(attrs)
            kept = {k: {a: n for a, n in v.items() if n} for k, v in merged.items()}
            kept = {k: v for k, v in kept.items() if v}
            journal_kb = math.ceil((len(pack(kept)) + 60) / 1024)
            out.units += 2 * len(numbers[start : start + 99]) * math.ceil(_FACTS_BYTES / 1024)
            out.units += 2 * journal_kb + 2 + journal_kb  # the journal Put (transaction), lease, Delete
            for key, attrs in kept.items():
                out.add(key, attrs, factor=1, extra=_MARK_BYTES)
    return out


_FACTS_BYTES = 260
"""A FACTS item (``STATSTICKET#<n>`` / ``FACTS``: version, status, since, dimensions, days)."""


def _save(measured: dict[str, Any]) -> None:
    """Hand the figures to the cost model (infra/ops/measured.json, ``stats``)."""
    import json
    from pathlib import Path

    from tests.bench.sizes import smoke

    if smoke():
        return  # smallest sizes prove the benchmark works; their figures are not the model's
    out = Path(__file__).resolve().parents[2] / "infra" / "ops" / "measured.json"
    data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    data["stats"] = measured
    out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
