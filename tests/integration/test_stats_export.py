"""The requests export: roles first (403 before any validation), filters checked by name (400),
pages of a bounded size followed by a cursor (a header in CSV, a field in JSON), personal data only
for supervisors and admins, agents only their teams' requests."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

import pytest

from tests.conftest import Aws, post, ticket_body

SUPERVISOR = "carla.supervisora"
URL = "/api/v1/stats/export"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    return dict(json.loads(response.body))


def _file(api: Any, subject: str) -> str:
    body = ticket_body(
        type="cuenta",
        subtype="acceso-portal",
        form={"correo_cuenta": "maria.perez@example.cl"},
        subject=subject,
    )
    made = post(api, "/api/v1/tickets", body)
    assert made.status_code == 201, made.body
    return str(made.json_body["number"])


def _csv_pages(api: Any, headers: dict[str, str], query: str) -> tuple[list[str], list[dict[str, str]], int]:
    """Every row of the export, following the cursor header; the header row; how many pages."""
    rows: list[dict[str, str]] = []
    header: list[str] = []
    cursor, pages = "", 0
    while True:
        response = api.get(f"{URL}?{query}&format=csv{cursor}", headers=headers)
        assert response.status_code == 200, response.body
        assert response.headers["Content-Type"].startswith("text/csv")
        reader = csv.DictReader(io.StringIO(response.body.decode()))
        page = list(reader)
        header = list(reader.fieldnames or [])
        assert len(page) <= 2  # the page size asked for, never more
        rows += page
        pages += 1
        following = response.headers.get("X-Next-Cursor")
        if not following:
            return header, rows, pages
        cursor = f"&cursor={following}"
        assert pages < 200


def test_supervisors_export_requests_with_personal_data_page_by_page(api: Any, aws: Aws) -> None:
    tag = uuid.uuid4().hex[:8]
    numbers = {_file(api, f"No puedo entrar al portal {tag} {i}") for i in range(3)}
    headers = aws.auth(SUPERVISOR)
    header, rows, pages = _csv_pages(api, headers, "type=cuenta&team=atencion&status=received&limit=2")
    assert pages >= 2  # three requests at most two a page
    mine = {r["number"]: r for r in rows if r["number"] in numbers}
    assert set(mine) == numbers
    assert len(rows) == len({r["number"] for r in rows})  # no request twice across pages
    assert {"requester_name", "requester_email", "requester_phone"} <= set(header)
    row = mine[min(numbers)]
    assert row["requester_email"] == "maria.perez@example.cl" and row["type"] == "cuenta"
    assert all(r["type"] == "cuenta" and r["status"] == "received" for r in rows)

    # JSON: the same filters, the cursor in the body
    # (a page reads at most `limit` tickets of the queue and keeps those of the type: another
    # test's requests in the queue can leave a page empty, with a cursor to go on)
    cursor, items = "", []
    for _ in range(50):
        page = api.get(f"{URL}?type=cuenta&team=atencion&status=received&limit=2{cursor}", headers=headers)
        assert page.status_code == 200, page.body
        assert len(page.json_body["items"]) <= 2
        items += page.json_body["items"]
        if items or not page.json_body["next_cursor"]:
            break
        cursor = f"&cursor={page.json_body['next_cursor']}"
    assert items and items[0]["requester"]["email"]
    # a period with none of them: nothing of theirs
    old = api.get(f"{URL}?type=cuenta&from=2025-01-01&to=2025-01-31&format=json", headers=headers)
    assert old.status_code == 200
    assert not {i["number"] for i in old.json_body["items"]} & numbers


def test_a_citizens_formula_reaches_the_spreadsheet_as_text(api: Any, aws: Aws) -> None:
    """A subject a spreadsheet would run (=HYPERLINK sends the reader elsewhere) is exported with
    a leading apostrophe; the JSON keeps it as written."""
    formula = f'=HYPERLINK("http://evil.example/{uuid.uuid4().hex[:6]}","Ver detalle")'
    number = _file(api, formula)
    _, rows, _ = _csv_pages(api, aws.auth(SUPERVISOR), "type=cuenta&team=atencion&status=received&limit=2")
    [row] = [r for r in rows if r["number"] == number]
    assert row["subject"] == "'" + formula and row["requester_phone"] == "+56987654321"  # a number stays one
    page = api.get(
        f"{URL}?type=cuenta&team=atencion&status=received&format=json&limit=100", headers=aws.auth(SUPERVISOR)
    )
    assert formula in [i["subject"] for i in page.json_body["items"]]


def test_agents_export_only_their_teams_and_no_personal_data(api: Any, aws: Aws) -> None:
    number = _file(api, f"Contraseña olvidada {uuid.uuid4().hex[:8]}")
    agent = aws.auth("ana.l1")  # team atencion only
    header, rows, _ = _csv_pages(api, agent, "type=cuenta&status=received&limit=2")
    assert number in {r["number"] for r in rows}
    assert not {"requester_name", "requester_email", "requester_phone", "subject"} & set(header)
    assert "maria.perez" not in json.dumps(rows)
    assert all(r["team"] == "atencion" for r in rows)
    refused = _problem(api.get(f"{URL}?team=tecnico", headers=agent), 403)
    assert refused["code"] == "team_forbidden"


def test_roles_are_checked_before_the_filters(api: Any, aws: Aws) -> None:
    assert _problem(api.get(URL), 401)["code"] == "token_missing"
    editor = aws.auth("diana.editora")
    assert _problem(api.get(f"{URL}?format=xml&from=ayer", headers=editor), 403)["code"] == "role_required"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("format=xml", "format"),
        ("from=ayer", "from"),
        ("to=2026-13-40", "to"),
        ("from=2026-11-10&to=2026-11-01", "from"),
        ("status=perdido", "status"),
        ("type=nada", "type"),
        ("team=nadie", "team"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("cursor=no-es-un-cursor", "cursor"),
    ],
)
def test_bad_filters_answer_400_naming_the_field(api: Any, aws: Aws, query: str, field: str) -> None:
    body = _problem(api.get(f"{URL}?{query}", headers=aws.auth(SUPERVISOR)), 400)
    assert [e["field"] for e in body["errors"]] == [field]


def test_the_export_is_described_in_the_openapi_document(api: Any) -> None:
    doc = api.get("/api/v1/openapi.json").json_body
    operation = doc["paths"][URL]["get"]
    assert "personal data" in operation["summary"] or "personal data" in operation.get("description", "")
    names = {p["name"] for p in operation.get("parameters", [])}
    assert {"from", "to", "type", "team", "status", "format", "limit", "cursor"} <= names
    assert "text/csv" in operation["responses"]["200"]["content"]
