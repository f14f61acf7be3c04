"""Satisfaction and reopen rate on the dashboard (issue 22, item 11): computed from the counters
the aggregator already keeps, with the number of answers; a period without answers reads as no
data (null, "Sin datos"), never a division by zero."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Aws
from tests.integration.stats_support import ticket_image
from ventanilla.stats import consume
from ventanilla.stats.dashboard import today

SUPERVISOR = "carla.supervisora"
SLICE = "type=soporte-interno&channel=chat"


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _walk(number: str, when: datetime, changes: list[dict[str, Any]]) -> None:
    """A chat request's versions through the aggregator, as the table's stream delivers them."""
    image = ticket_image(number, when, type_code="soporte-interno", subtype_code="equipos", channel="chat")
    assert consume.apply_ticket(number, image)
    for n, change in enumerate(changes, start=2):
        image = {**image, **change, "version": n, "updated_at": _iso(when + timedelta(minutes=10 * n))}
        assert consume.apply_ticket(number, image)


def test_satisfaction_and_reopen_rate_come_with_their_counts(api: Any, aws: Aws) -> None:
    auth = aws.auth(SUPERVISOR)
    url = f"/api/v1/stats/dashboard?{SLICE}"
    before = api.get(url, headers=auth).json_body
    when = datetime.now(UTC) - timedelta(hours=5)
    at = [_iso(when + timedelta(minutes=10 * i)) for i in range(10)]
    # one answered 2, reopened, resolved again and answered 5; another answered 4; one never answered
    _walk(
        "2026-711001",
        when,
        [
            {"status": "resolved", "resolved_at": at[2]},
            {"csat_score": 2, "csat_at": at[3], "csat_resolved_at": at[2]},
            {"status": "reopened", "resolved_at": None},
            {"status": "resolved", "resolved_at": at[5]},
            {"csat_score": 5, "csat_at": at[6], "csat_resolved_at": at[5]},
        ],
    )
    _walk(
        "2026-711002",
        when,
        [{"status": "resolved", "resolved_at": at[2]}, {"csat_score": 4, "csat_at": at[3]}],
    )
    _walk("2026-711003", when, [{"status": "resolved", "resolved_at": at[2]}])
    after = api.get(url, headers=auth).json_body
    csat = after["csat"]
    assert csat["responses"] - before["csat"]["responses"] == 3
    assert csat["satisfied"] - before["csat"]["satisfied"] == 2  # the 4 and the 5, not the 2
    assert csat["satisfied_pct"] == round(100 * csat["satisfied"] / csat["responses"], 1)
    assert csat["satisfied"] == csat["distribution"]["4"] + csat["distribution"]["5"]
    assert after["reopened"] - before["reopened"] == 1
    assert after["resolved"] - before["resolved"] == 4  # the reopened one was resolved twice
    assert after["reopen_rate"] == round(100 * after["reopened"] / after["resolved"], 1)
    # the printable report and its CSV carry the share satisfied too
    month = today().strftime("%Y-%m")
    csv_ = api.get(f"/api/v1/stats/report?period={month}&format=csv", headers=auth).body.decode()
    assert any(line.startswith("satisfaction,satisfied_pct,") for line in csv_.splitlines())


def test_a_period_without_answers_reads_as_no_data(api: Any, aws: Aws) -> None:
    auth = aws.auth(SUPERVISOR)
    long_ago = today() - timedelta(days=700)
    query = f"from={long_ago.isoformat()}&to={(long_ago + timedelta(days=9)).isoformat()}&{SLICE}"
    response = api.get(f"/api/v1/stats/dashboard?{query}", headers=auth)
    assert response.status_code == 200, response.body
    body = response.json_body
    assert body["csat"] == {
        "responses": 0,
        "average": None,
        "distribution": {str(s): 0 for s in range(1, 6)},
        "response_rate": None,
        "satisfied": 0,
        "satisfied_pct": None,
    }
    assert body["resolved"] == 0 and body["reopen_rate"] is None
    # the report of a month without answers says so in both languages, and leaves the CSV cell empty
    month = long_ago.strftime("%Y-%m")
    html = api.get(f"/api/v1/stats/report?period={month}", headers=auth).body.decode()
    satisfaction = html.split('id="s-csat"')[1].split("</section>")[0]
    assert satisfaction.count("Sin datos") == 3  # average, share satisfied, reopen rate
    english = api.get(f"/api/v1/stats/report?period={month}", headers={**auth, "Accept-Language": "en"})
    assert english.body.decode().split('id="s-csat"')[1].split("</section>")[0].count("No data") == 3
    csv_ = api.get(f"/api/v1/stats/report?period={month}&format=csv", headers=auth).body.decode()
    assert "satisfaction,satisfied_pct,\r\n" in csv_ or "satisfaction,satisfied_pct,\n" in csv_
    assert "quality,reopen_rate_pct," in csv_


def test_the_report_follows_the_dashboards_period_and_filters(api: Any, aws: Aws) -> None:
    auth = aws.auth(SUPERVISOR)
    end = today()
    start = end - timedelta(days=6)
    query = f"from={start.isoformat()}&to={end.isoformat()}&{SLICE}"
    dashboard = api.get(f"/api/v1/stats/dashboard?{query}", headers=auth).json_body
    csv_ = api.get(f"/api/v1/stats/report?{query}&format=csv", headers=auth)
    assert csv_.status_code == 200, csv_.body
    rows = [line.split(",") for line in csv_.body.decode().splitlines()]
    assert ["period", "from", start.isoformat()] in rows and ["period", "to", end.isoformat()] in rows
    assert ["filter", "type", "soporte-interno"] in rows and ["filter", "channel", "chat"] in rows
    assert ["volume", "created", str(dashboard["created"])] in rows
    html = api.get(f"/api/v1/stats/report?{query}", headers=auth).body.decode()
    assert f"{start.isoformat()} – {end.isoformat()}" in html
    assert "Tipo = soporte-interno · Canal = chat" in html
    # bad input names what is wrong and nothing else is read
    both = api.get(f"/api/v1/stats/report?period={end:%Y-%m}&from={start.isoformat()}", headers=auth)
    assert both.status_code == 400 and "not both" in both.body.decode()
    backwards = api.get(f"/api/v1/stats/report?from={end.isoformat()}&to={start.isoformat()}", headers=auth)
    assert backwards.status_code == 400 and "from > to" in backwards.body.decode()
    unknown = api.get("/api/v1/stats/report?team=no-existe", headers=auth)
    assert unknown.status_code == 422
    assert unknown.json_body["errors"][0]["field"] == "team"
    assert api.get(f"/api/v1/stats/report?{query}", headers=aws.auth("ana.l1")).status_code == 403
