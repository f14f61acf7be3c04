"""The service level report for a period (a month by default): printable HTML and CSV.

Executive summary first (the five figures a director reads), then volumes, times, goals,
satisfaction, top problems and bottlenecks. ``python -m ventanilla.stats.report`` makes it.
"""

from __future__ import annotations

import io
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ventanilla import spreadsheet
from ventanilla.errors import BadRequest
from ventanilla.i18n import Lang
from ventanilla.models.stats import Dashboard
from ventanilla.stats import dashboard as dashboard_service
from ventanilla.stats import svg

TEMPLATES = Path(__file__).parent / "templates"
TOP_PROBLEMS = 5

LABELS: dict[str, dict[Lang, str]] = {
    "title": {"es": "Informe de niveles de servicio", "en": "Service level report"},
    "summary": {"es": "Resumen ejecutivo", "en": "Executive summary"},
    "received": {"es": "Solicitudes recibidas", "en": "Requests received"},
    "on_time": {"es": "Resueltas a tiempo", "en": "Resolved on time"},
    "median_fr": {"es": "Mediana de primera respuesta", "en": "Median first response"},
    "backlog": {"es": "Pendientes al cierre", "en": "Backlog at period end"},
    "satisfaction": {"es": "Satisfacción", "en": "Satisfaction"},
    "reopen_rate": {"es": "Tasa de reapertura", "en": "Reopen rate"},
    "volumes": {"es": "Volúmenes", "en": "Volumes"},
    "volume_chart": {"es": "Solicitudes recibidas por día", "en": "Requests received per day"},
    "times": {"es": "Tiempos (horas hábiles)", "en": "Times (business hours)"},
    "fr_chart": {"es": "Distribución de primera respuesta", "en": "First response distribution"},
    "goals": {"es": "Metas (carta de compromisos)", "en": "Goals (service charter)"},
    "satisfaction_h": {"es": "Satisfacción", "en": "Satisfaction"},
    "problems": {"es": "Principales motivos", "en": "Top problems"},
    "bottlenecks": {
        "es": "Cuellos de botella (horas hábiles promedio por estado)",
        "en": "Bottlenecks (average business hours per status)",
    },
    "calendar_hours": {"es": "Horas corridas", "en": "Calendar hours"},
    "created": {"es": "Recibidas", "en": "Received"},
    "resolved": {"es": "Resueltas", "en": "Resolved"},
    "reopened": {"es": "Reabiertas", "en": "Reopened"},
    "breaches": {"es": "Incumplimientos", "en": "Breaches"},
    "escalations": {"es": "Escalamientos", "en": "Escalations"},
    "median": {"es": "Mediana", "en": "Median"},
    "p90": {"es": "Percentil 90", "en": "90th percentile"},
    "first_response": {"es": "Primera respuesta", "en": "First response"},
    "resolution": {"es": "Resolución", "en": "Resolution"},
    "legal": {"es": "Plazo legal", "en": "Legal deadline"},
    "met": {"es": "% cumplido", "en": "% met"},
    "goal": {"es": "Meta", "en": "Goal"},
    "target": {"es": "Objetivo", "en": "Target"},
    "actual": {"es": "Real", "en": "Actual"},
    "responses": {"es": "Respuestas", "en": "Responses"},
    "average": {"es": "Promedio (1-5)", "en": "Average (1-5)"},
    "satisfied": {"es": "Satisfechos (4-5)", "en": "Satisfied (4-5)"},
    "no_data": {"es": "Sin datos", "en": "No data"},
    "subtype": {"es": "Subtipo", "en": "Subtype"},
    "status": {"es": "Estado", "en": "Status"},
    "hours": {"es": "horas hábiles", "en": "business hours"},
    "period": {"es": "Período", "en": "Period"},
    "filters": {"es": "Filtros", "en": "Filters"},
    "type": {"es": "Tipo", "en": "Type"},
    "team": {"es": "Equipo", "en": "Team"},
    "channel": {"es": "Canal", "en": "Channel"},
}


@dataclass
class Report:
    month: str
    dashboard: Dashboard


def month_bounds(month: str | None) -> tuple[str, date, date]:
    """``YYYY-MM`` (default: last month) -> (label, first day, last day), or a 400."""
    if month is None:
        first = dashboard_service.today().replace(day=1)
        index = first.year * 12 + first.month - 2
        first = date(index // 12, index % 12 + 1, 1)
    else:
        try:
            year, mon = (int(p) for p in month.split("-"))
            first = date(year, mon, 1)
        except ValueError as error:
            raise BadRequest("invalid_query", {"detail": "period: AAAA-MM / YYYY-MM"}) from error
    last = first.replace(day=monthrange(first.year, first.month)[1])
    return first.strftime("%Y-%m"), first, last


def build(month: str | None = None, filters: dict[str, str] | None = None) -> Report:
    label, first, last = month_bounds(month)
    if first > dashboard_service.today():
        raise BadRequest("invalid_query", {"detail": "period > today"})
    start, end = dashboard_service.parse_period(first.isoformat(), last.isoformat())
    return Report(month=label, dashboard=dashboard_service.build(start, end, filters or {}))


def build_range(start: date, end: date, filters: dict[str, str]) -> Report:
    """The report of the dashboard's period and filters (the console's report downloads this)."""
    label = f"{start.isoformat()} – {end.isoformat()}"
    return Report(month=label, dashboard=dashboard_service.build(start, end, filters))


def _h(value: int | None, lang: Lang) -> str:
    return LABELS["no_data"][lang] if value is None else f"{value} h"


def _p(value: float | None, lang: Lang) -> str:
    return LABELS["no_data"][lang] if value is None else f"{value:g} %"


def summary(report: Report, lang: Lang) -> list[tuple[str, str]]:
    """The five figures a director reads first."""
    d = report.dashboard
    csat_label = (
        ("satisfaction", f"{d.csat.average:g} / 5")
        if d.csat.average is not None
        else ("reopen_rate", _p(d.reopen_rate, lang))
    )
    return [
        (LABELS["received"][lang], str(d.created)),
        (LABELS["on_time"][lang], _p(d.met["resolution"].pct, lang)),
        (LABELS["median_fr"][lang], _h(d.first_response.median_hours, lang)),
        (LABELS["backlog"][lang], str(d.backlog)),
        (LABELS[csat_label[0]][lang], csat_label[1]),
    ]


def render_html(report: Report, lang: Lang = "es") -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["j2", "html"]))
    d = report.dashboard
    L = {k: v[lang] for k, v in LABELS.items()}
    volume_svg = svg.bars(
        L["volume_chart"],
        [r.day.strftime("%d") for r in d.volume_by_day],
        [r.created for r in d.volume_by_day],
    )
    hist = d.first_response.histogram
    fr_svg = svg.bars(L["fr_chart"], list(hist), list(hist.values()))
    problems = sorted(
        ((v, m.get("created", 0)) for v, m in d.breakdown.get("subtype", {}).items()),
        key=lambda p: (-p[1], p[0]),
    )[:TOP_PROBLEMS]
    bottlenecks = [
        (status, hours, d.time_in_status_calendar_hours.get(status, 0.0))
        for status, hours in sorted(d.time_in_status_hours.items(), key=lambda s: -s[1])
    ]
    from markupsafe import Markup

    return env.get_template("report.html.j2").render(
        lang=lang,
        L=L,
        report=report,
        d=d,
        summary=summary(report, lang),
        volume_svg=Markup(volume_svg),  # noqa: S704 - built by svg.bars, every text escaped
        fr_svg=Markup(fr_svg),  # noqa: S704
        problems=problems,
        bottlenecks=bottlenecks,
        filters=[(L[k], v) for k, v in d.filters.items() if k in ("type", "team", "channel")],
        h=lambda v: _h(v, lang),
        p=lambda v: _p(v, lang),
    )


def render_csv(report: Report) -> str:
    """One row per figure: section, name, value (numbers only, so spreadsheets read it)."""
    d = report.dashboard
    out = io.StringIO()
    w = spreadsheet.writer(out)
    w.writerow(["section", "figure", "value"])
    w.writerow(["period", "from", d.start.isoformat()])
    w.writerow(["period", "to", d.end.isoformat()])
    for name, value in sorted(d.filters.items()):
        w.writerow(["filter", name, value])
    for key in ("created", "resolved", "reopened", "closed", "backlog", "escalations"):
        w.writerow(["volume", key, getattr(d, key)])
    for target, rates in d.met.items():
        w.writerow(["service_level", f"{target}_total", rates.total])
        w.writerow(["service_level", f"{target}_met_pct", "" if rates.pct is None else rates.pct])
    for name, times in (("first_response", d.first_response), ("resolution", d.resolution)):
        w.writerow(
            ["times", f"{name}_median_hours", "" if times.median_hours is None else times.median_hours]
        )
        w.writerow(["times", f"{name}_p90_hours", "" if times.p90_hours is None else times.p90_hours])
    for target, n in d.breaches.items():
        w.writerow(["breaches", target, n])
    for status in d.time_in_status_hours:
        w.writerow(["time_in_status_business_hours", status, d.time_in_status_hours[status]])
    for status in d.time_in_status_calendar_hours:
        w.writerow(["time_in_status_calendar_hours", status, d.time_in_status_calendar_hours[status]])
    for g in d.goals:
        w.writerow(["goal", g.goal.id, "" if g.current.pct is None else g.current.pct])
    w.writerow(["satisfaction", "responses", d.csat.responses])
    w.writerow(["satisfaction", "average", "" if d.csat.average is None else d.csat.average])
    w.writerow(
        ["satisfaction", "satisfied_pct", "" if d.csat.satisfied_pct is None else d.csat.satisfied_pct]
    )
    w.writerow(["quality", "reopen_rate_pct", "" if d.reopen_rate is None else d.reopen_rate])
    for row in d.volume_by_day:
        w.writerow(["day", row.day.isoformat(), row.created])
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="Service level report for a month")
    parser.add_argument("--period", help="YYYY-MM (default: last month)")
    parser.add_argument("--format", choices=["html", "csv"], default="html")
    parser.add_argument("--lang", choices=["es", "en"], default="es")
    parser.add_argument("--out", help="file to write (default: standard output)")
    parser.add_argument(
        "--local", metavar="MOTO_URL", help="read the local stack's table (the moto URL `make dev` prints)"
    )
    args = parser.parse_args(argv)
    if args.local:
        import os

        local = {
            "AWS_ENDPOINT_URL": args.local,
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "TABLE_NAME": "ventanilla-table",
        }
        for key, value in local.items():
            os.environ.setdefault(key, value)
    report = build(args.period)
    text = render_html(report, args.lang) if args.format == "html" else render_csv(report)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
