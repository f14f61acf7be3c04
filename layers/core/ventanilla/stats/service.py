"""What the statistics routes call: role checks, filter validation, and each chart as CSV."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

from ventanilla import spreadsheet
from ventanilla.auth import Principal
from ventanilla.errors import BadRequest, FieldError, NotFound, ValidationFailed
from ventanilla.i18n import Lang
from ventanilla.models.common import Channel
from ventanilla.models.stats import Dashboard
from ventanilla.services import routing as _routing  # noqa: F401  (registers unknown_team)
from ventanilla.stats import dashboard as dashboard_service
from ventanilla.stats import report as report_service
from ventanilla.storage import catalog as catalog_store

VIEWERS = ("supervisor", "admin")
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
CHARTS = (
    "volume",
    "first_response",
    "resolution",
    "goals",
    "backlog_age",
    "met",
    "time_in_status",
    "breakdown",
    "forum",
)


def filters_of(query: Mapping[str, str]) -> dict[str, str]:
    """Type, team and channel filters, each checked against the catalog, teams and channels."""
    errors: list[FieldError] = []
    out: dict[str, str] = {}
    for name in ("type", "team", "channel"):
        value = query.get(name)
        if not value:
            continue
        if not CODE_RE.match(value) and name != "channel":
            errors.append(FieldError(name, "string_pattern_mismatch", {"pattern": CODE_RE.pattern}))
            continue
        if name == "type" and catalog_store.get_type(value) is None:
            errors.append(FieldError(name, "unknown_type"))
        elif name == "team" and value not in {t.code for t in catalog_store.list_teams()}:
            errors.append(FieldError(name, "unknown_team", {"team": value}))
        elif name == "channel" and value not in {c.value for c in Channel}:
            errors.append(FieldError(name, "enum", {"expected": ", ".join(c.value for c in Channel)}))
        else:
            out[name] = value
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
    return out


def dashboard(principal: Principal, query: Mapping[str, str]) -> Dashboard:
    principal.require(*VIEWERS)
    filters = filters_of(query)
    start, end = dashboard_service.parse_period(query.get("from"), query.get("to"))
    return dashboard_service.build(start, end, filters)


def _blank(value: float | None) -> float | str:
    return "" if value is None else value


def chart_csv(principal: Principal, chart: str, query: Mapping[str, str]) -> str:
    if chart not in CHARTS:
        raise NotFound("chart_not_found", {"charts": ", ".join(CHARTS)})
    d = dashboard(principal, query)
    out = io.StringIO()
    w = spreadsheet.writer(out)
    if chart == "volume":
        w.writerow(["day", "created", "resolved", "reopened", "backlog"])
        for r in d.volume_by_day:
            w.writerow([r.day.isoformat(), r.created, r.resolved, r.reopened, r.backlog])
    elif chart in ("first_response", "resolution"):
        times = d.first_response if chart == "first_response" else d.resolution
        w.writerow(["up_to_business_hours", "count"])
        for edge, n in times.histogram.items():
            w.writerow([edge, n])
    elif chart == "goals":
        w.writerow(
            ["goal", "type", "metric", "threshold_hours", "target_pct", "period", "total", "met", "pct"]
        )
        for g in d.goals:
            for c in [*g.trend, g.current]:
                goal = g.goal
                head = [goal.id, goal.type_code, goal.metric, goal.threshold_hours, goal.target_pct]
                w.writerow([*head, c.period, c.total, c.met, _blank(c.pct)])
    elif chart == "backlog_age":
        w.writerow(["age_days", "open"])
        for label, n in d.backlog_by_age.items():
            w.writerow([label, n])
    elif chart == "met":
        w.writerow(["dimension", "value", "target", "total", "met", "pct"])
        for target, rate in d.met.items():
            w.writerow(["all", "", target, rate.total, rate.met, _blank(rate.pct)])
        for dim, by_value in d.met_by.items():
            for value, targets in by_value.items():
                for target, rate in targets.items():
                    w.writerow([dim, value, target, rate.total, rate.met, _blank(rate.pct)])
    elif chart == "time_in_status":
        w.writerow(["status", "average_business_hours", "average_calendar_hours"])
        for status, hours in d.time_in_status_hours.items():
            w.writerow([status, hours, d.time_in_status_calendar_hours.get(status, "")])
    elif chart == "forum":
        w.writerow(["measure", "value"])
        for measure, value in (d.forum.model_dump(exclude={"start", "end"}) if d.forum else {}).items():
            w.writerow([measure, _blank(value)])
    else:
        w.writerow(["dimension", "value", "measure", "count"])
        for dim, parts in sorted(d.breakdown.items()):
            for value, measures in sorted(parts.items()):
                for measure, n in sorted(measures.items()):
                    w.writerow([dim, value, measure, n])
        for dim, open_now in sorted(d.backlog_by.items()):
            for value, n in sorted(open_now.items()):
                w.writerow([dim, value, "open_now", n])
    return out.getvalue()


def report(principal: Principal, query: Mapping[str, str], lang: Lang) -> tuple[str, str]:
    """(content type, body) of the report for ``period`` (YYYY-MM) or ``from``/``to`` (the
    dashboard's period), with the dashboard's filters, as ``format`` html or csv."""
    principal.require(*VIEWERS)
    fmt = query.get("format", "html")
    if fmt not in ("html", "csv"):
        raise ValidationFailed(
            "validation_failed", errors=[FieldError("format", "enum", {"expected": "html, csv"})]
        )
    filters = filters_of(query)
    if query.get("from") or query.get("to"):
        if query.get("period"):
            raise BadRequest("invalid_query", {"detail": "period, or from/to: not both"})
        start, end = dashboard_service.parse_period(query.get("from"), query.get("to"))
        built = report_service.build_range(start, end, filters)
    else:
        built = report_service.build(query.get("period"), filters)
    if fmt == "csv":
        return "text/csv; charset=utf-8", report_service.render_csv(built)
    return "text/html; charset=utf-8", report_service.render_html(built, lang)
