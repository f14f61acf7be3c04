"""Inventory reports (supervisors' dashboard and CSV) and the monthly warranty notice to the teams.

Counts come from one counter item; incidents from one Query per month of the period; warranties
from one Query per asset type on GSI4 (type, warranty end); licences from their types' partitions.
None reads the inventory item by item.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from ventanilla import spreadsheet
from ventanilla.auth import Principal
from ventanilla.errors import BadRequest, NotFound
from ventanilla.models.assets import (
    AssetReports,
    CountRow,
    IncidentRow,
    LicenceRow,
    WarrantyRow,
)
from ventanilla.models.common import utcnow
from ventanilla.storage import assets as store

VIEWERS = ("supervisor", "admin", "inventory")
NEAR_SEATS = 0.9
"""A licence is near its seats from 90 % of them used."""
MAX_MONTHS = 12
REPORTS = ("counts", "incidents", "warranties", "licences")


def _months(first: date, last: date) -> list[str]:
    months: list[str] = []
    cursor = date(first.year, first.month, 1)
    while cursor <= last and len(months) < MAX_MONTHS:
        months.append(cursor.strftime("%Y-%m"))
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    return months


def _day(query: dict[str, str], name: str, default: date) -> date:
    raw = query.get(name)
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise BadRequest("invalid_query", {"detail": f"{name}: YYYY-MM-DD"}) from error


def warranties(days: int, today: date) -> list[WarrantyRow]:
    rows = []
    last = today + timedelta(days=days)
    for t in store.list_types():
        for a in store.warranties_until(t.code, today.isoformat(), last.isoformat()):
            if a.warranty_end is None or a.status.value == "retired":
                continue
            rows.append(
                WarrantyRow(
                    inventory_number=a.inventory_number,
                    name=a.name,
                    type=a.type,
                    team=a.team,
                    warranty_end=a.warranty_end,
                    days_left=(a.warranty_end - today).days,
                )
            )
    return sorted(rows, key=lambda r: (r.warranty_end, r.inventory_number))


def build(principal: Principal, query: dict[str, str]) -> AssetReports:
    principal.require(*VIEWERS)
    today = utcnow().date()
    last = _day(query, "to", today)
    first = _day(query, "from", last - timedelta(days=89))
    if first > last:
        raise BadRequest("invalid_query", {"detail": "from > to"})
    raw_days = query.get("days", "60")
    if not raw_days.isdigit() or not 1 <= int(raw_days) <= 730:
        raise BadRequest("invalid_query", {"detail": "days ∉ [1, 730]"})
    days = int(raw_days)
    counts = [
        CountRow(
            dimension={"loc": "location"}.get(k.split("#")[0], k.split("#")[0]),
            value=k.split("#", 1)[1],
            count=v,
        )
        for k, v in sorted(store.counts().items())
        if v > 0
    ]
    totals = store.incidents_in(_months(first, last))
    top = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    names = store.get_many(inv for inv, _ in top)
    most = [
        IncidentRow(inventory_number=inv, name=names[inv].name if inv in names else None, incidents=n)
        for inv, n in top
    ]
    licences = []
    for t in store.list_types():
        if t.kind != "licence":
            continue
        items, _ = store.list_by("GSI1", f"ASSETTYPE#{t.code}", store.MAX_LIST, None)
        for a in items:
            if not a.seats:
                continue
            if a.seats_used > a.seats or a.seats_used >= a.seats * NEAR_SEATS:
                licences.append(
                    LicenceRow(
                        inventory_number=a.inventory_number,
                        name=a.name,
                        seats=a.seats,
                        seats_used=a.seats_used,
                        state="over" if a.seats_used > a.seats else "near",
                    )
                )
    return AssetReports(
        counts=counts,
        most_incidents=most,
        warranties=warranties(days, today),
        licences=licences,
        period_from=first.isoformat(),
        period_to=last.isoformat(),
        warranty_days=days,
    )


def csv_of(principal: Principal, name: str, query: dict[str, str]) -> str:
    if name not in REPORTS:
        raise NotFound("asset_report_unknown")
    built = build(principal, query)
    rows: list[Any] = {  # type: ignore[assignment]
        "counts": built.counts,
        "incidents": built.most_incidents,
        "warranties": built.warranties,
        "licences": built.licences,
    }[name]
    model: Any = {
        "counts": CountRow,
        "incidents": IncidentRow,
        "warranties": WarrantyRow,
        "licences": LicenceRow,
    }[name]
    out = io.StringIO()
    writer = spreadsheet.dict_writer(out, list(model.model_fields))
    writer.writeheader()
    for row in rows:
        writer.writerow(row.model_dump(mode="json"))
    return out.getvalue()


# ---- monthly warranty notice ------------------------------------------------------------------


def warranty_notices(days: int = 60) -> dict[str, list[WarrantyRow]]:
    """Per supporting team, its assets whose warranty ends within ``days`` (the monthly notice)."""
    by_team: dict[str, list[WarrantyRow]] = {}
    for row in warranties(days, utcnow().date()):
        by_team.setdefault(row.team, []).append(row)
    return by_team


def render_notice(team: str, rows: list[WarrantyRow]) -> tuple[str, str, str]:
    """Subject, HTML and text of one team's notice (Spanish first, English below)."""
    from html import escape

    subject = f"Garantías por vencer ({len(rows)}) / Warranties expiring — {team}"
    lines = [
        f"{r.inventory_number} · {r.name} · {r.warranty_end.isoformat()} ({r.days_left} d)" for r in rows
    ]
    text = (
        "Estos activos que su equipo soporta tienen garantías por vencer:\n"
        + "\n".join(lines)
        + "\n\nThese assets your team supports have warranties expiring soon (above)."
    )
    html = (
        "<p>Estos activos que su equipo soporta tienen garantías por vencer:</p><ul>"
        + "".join(f"<li>{escape(line)}</li>" for line in lines)
        + "</ul><p lang='en'>These assets your team supports have warranties expiring soon.</p>"
    )
    return subject, html, text
