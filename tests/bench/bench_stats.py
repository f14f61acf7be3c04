"""Statistics: DynamoDB items read for one dashboard load at 1,000 and at 100,000 tickets' worth of
aggregates (it must not grow with tickets), and the aggregation throughput in-process.

1,000 tickets go through the real stream handler (StatsFunction) against the local moto server,
each with four versions (filed, answered, resolved, some reopened) over the last 90 days; then
99,000 tickets' worth of counters are added straight to the aggregate items of the same slices and
of older days (what 100,000 tickets leave behind is counters, not more items per day).
"""

from __future__ import annotations

import random
import time
import warnings
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.client import BaseClient

warnings.filterwarnings("ignore")
CALLS: Counter[str] = Counter()
_original = BaseClient._make_api_call
THROUGH_HANDLER = 40
"""Tickets sent through the handler (moto applies each transaction item by item, slowly); the rest
of the first 1,000 tickets' worth is added as counters, like the 99,000 after them."""


def _counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
    CALLS[operation] += 1
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

    zone = institution_calendar().zone
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
            change = step(facts, v, zone)
            assert change is not None
            facts = change.facts
    pure = len(records) / (time.perf_counter() - started)

    handler = stack.functions["StatsFunction"].load()
    started = time.perf_counter()
    for i in range(0, len(records), 100):
        result = handler({"Records": records[i : i + 100]}, LambdaContext("StatsFunction"))
        assert result == {"batchItemFailures": []}
    elapsed = time.perf_counter() - started
    print(
        f"aggregation: {len(records):,} stream records ({THROUGH_HANDLER} tickets) in {elapsed:.1f} s",
        flush=True,
    )
    print(
        f"  through the handler against the local moto server: {len(records) / elapsed:,.2f} records/s",
        flush=True,
    )
    print(f"  the pure rule alone (facts -> deltas, no I/O): {pure:,.0f} records/s", flush=True)
    started = time.perf_counter()
    handler({"Records": records[:100]}, LambdaContext("StatsFunction"))
    print(f"  a replayed batch of 100 (all skipped): {time.perf_counter() - started:.2f} s", flush=True)

    today = now.astimezone(zone).date()
    _dashboard_cost(f"{THROUGH_HANDLER} tickets (handler)")
    _fill(store, today, now, zone, 1_000 - THROUGH_HANDLER, days=90, rng=rng)
    _dashboard_cost("1,000 tickets")
    # 99,000 more tickets' worth: the same slices' counters over 3 years of days (not measured)
    _fill(store, today, now, zone, 99_000, days=3 * 365, rng=rng)
    _dashboard_cost("100,000 tickets")
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


if __name__ == "__main__":
    main()
