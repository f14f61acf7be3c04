"""The asset inventory (F5): create/edit with history, roles, the CSV import with bad rows, links
with requests and the incident history, licences, reports, the lookup for monitoring alerts."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.conftest import Aws, post, table_items, ticket_body


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.body
    return dict(json.loads(response.body))


def put(api: Any, path: str, body: Any, headers: dict[str, str]) -> Any:
    return api.put(path, body=json.dumps(body), headers={**headers, "Content-Type": "application/json"})


def inv(prefix: str = "T") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


def laptop(number: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "inventory_number": number,
        "type": "computador",
        "name": "Notebook de prueba",
        "status": "in_use",
        "serial": f"SN-{number}",
        "hostname": number.lower(),
        "location": "central-p1",
        "team": "tecnico",
        "responsible": {"username": "ana.l1"},
        "purchase_date": "2025-01-10",
        "warranty_end": "2028-01-10",
        "fields": {"cpu": "Intel Core i5", "ram_gb": 16, "sistema": "windows-11"},
    }
    body.update(overrides)
    return body


@pytest.fixture(scope="module")
def writer(aws: Aws) -> dict[str, str]:
    return aws.auth("ines.inventario")


def test_create_edit_and_history(api: Any, aws: Aws, writer: dict[str, str]) -> None:
    number = inv()
    created = post(api, "/api/v1/assets", {**laptop(number), "inventory_number": number.lower()}, writer)
    assert created.status_code == 201, created.body
    assert created.json_body["inventory_number"] == number and created.json_body["version"] == 1
    # unique inventory number: a second create is 409 naming the field, nothing written
    before = table_items(aws)
    again = problem(
        post(api, "/api/v1/assets", laptop(number, serial="other", hostname="other"), writer), 409
    )
    assert again["code"] == "asset_exists" and again["errors"][0]["field"] == "inventory_number"
    assert table_items(aws) == before
    edit = {k: v for k, v in laptop(number).items() if k != "inventory_number"}
    edited = put(api, f"/api/v1/assets/{number}", {**edit, "status": "in_repair", "version": 1}, writer)
    assert edited.status_code == 200 and edited.json_body["version"] == 2
    stale = problem(
        put(api, f"/api/v1/assets/{number}", {**edit, "status": "retired", "version": 1}, writer), 409
    )
    assert stale["code"] == "asset_stale"
    page = api.get(f"/api/v1/assets/{number}", headers=writer).json_body
    actions = [e["action"] for e in page["history"]]
    assert actions == ["updated", "created"]
    change = page["history"][0]["changes"]
    assert change == {"status": {"before": "in_use", "after": "in_repair"}}
    assert page["history"][0]["actor"] == "ines.inventario"
    assert page["type"]["code"] == "computador" and page["location"]["building"] == "Edificio Central"


def test_bad_asset_names_each_field_and_writes_nothing(api: Any, aws: Aws, writer: dict[str, str]) -> None:
    before = table_items(aws)
    body = laptop(
        inv(),
        type="computador",
        location="luna",
        team="nadie",
        fields={"ram_gb": "mucha", "sistema": "beos", "color": True},
        seats=3,
    )
    errors = problem(post(api, "/api/v1/assets", body, writer), 422)["errors"]
    fields = {e["field"] for e in errors}
    assert {"location", "team", "fields.ram_gb", "fields.sistema", "fields.color", "seats"} <= fields
    dates = problem(
        post(
            api,
            "/api/v1/assets",
            laptop(inv(), purchase_date="2025-01-01", warranty_end="2024-01-01"),
            writer,
        ),
        422,
    )
    assert "warranty_end" in dates["errors"][0]["message"]
    bad_number = problem(post(api, "/api/v1/assets", laptop("pc 01 / x", hostname=None), writer), 422)
    assert bad_number["errors"][0]["field"] == "inventory_number"
    assert table_items(aws) == before


def test_roles_agents_read_their_teams_only_writers_write(api: Any, aws: Aws, writer: dict[str, str]) -> None:
    number = inv()
    other = {"name": "Pedro Soto", "email": "pedro.soto@example.cl"}
    assert (
        post(api, "/api/v1/assets", laptop(number, team="tecnico", responsible=other), writer).status_code
        == 201
    )
    ana = aws.auth("ana.l1")  # team atencion only
    assert problem(api.get(f"/api/v1/assets/{number}", headers=ana), 404)["code"] == "asset_not_found"
    # ... but her own equipment she reads, whatever team supports it
    own = inv()
    assert post(api, "/api/v1/assets", laptop(own, team="tecnico"), writer).status_code == 201
    assert api.get(f"/api/v1/assets/{own}", headers=ana).status_code == 200
    assert api.get(f"/api/v1/assets/{number}", headers=aws.auth("bruno.l2")).status_code == 200
    assert (
        problem(post(api, "/api/v1/assets", laptop(inv()), aws.auth("bruno.l2")), 403)["code"]
        == "role_required"
    )
    assert problem(post(api, "/api/v1/assets", laptop(inv()), aws.auth("carla.supervisora")), 403)
    assert (
        post(
            api, "/api/v1/assets", laptop(inv(), serial=None, hostname=None), aws.auth("elena.admin")
        ).status_code
        == 201
    )
    assert problem(api.get("/api/v1/assets?team=tecnico", headers=ana), 403)
    assert problem(api.get("/api/v1/assets"), 401)
    assert problem(api.get("/api/v1/assets", headers=aws.auth("diana.editora")), 403)


def test_listings_by_type_location_team_and_responsible_page_by_page(
    api: Any, aws: Aws, writer: dict[str, str]
) -> None:
    tag = uuid.uuid4().hex[:4].upper()
    for i in range(5):
        body = laptop(
            f"LST{tag}-{i}", location="anexo-sur", responsible={"name": "Tomás Ríos", "email": f"t{tag}@x.cl"}
        )
        assert post(api, "/api/v1/assets", body, writer).status_code == 201
    got, cursor, pages = [], None, 0
    while True:
        url = f"/api/v1/assets?type=computador&q=LST{tag}&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(url, headers=writer).json_body
        got += [a["inventory_number"] for a in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert got == [f"LST{tag}-{i}" for i in range(5)] and pages >= 3
    by_loc = api.get(f"/api/v1/assets?location=anexo-sur&q=LST{tag}", headers=writer).json_body["items"]
    assert len(by_loc) == 5
    person = f"person:t{tag.lower()}@x.cl"
    by_person = api.get(f"/api/v1/assets?responsible={person}", headers=writer).json_body["items"]
    assert sorted(a["inventory_number"] for a in by_person) == got
    both = problem(api.get("/api/v1/assets?type=computador&location=anexo-sur", headers=writer), 422)
    assert both["errors"][0]["field"] == "location"
    assert (
        problem(api.get("/api/v1/assets?status=roto", headers=writer), 422)["errors"][0]["field"] == "status"
    )
    mine = api.get("/api/v1/assets/mine", headers=aws.auth("ana.l1")).json_body["items"]
    assert mine and all(a["responsible"]["username"] == "ana.l1" for a in mine)


def test_import_preview_all_or_nothing_and_valid_rows(api: Any, aws: Aws, writer: dict[str, str]) -> None:
    tag = uuid.uuid4().hex[:5].upper()
    header = "inventory_number,type,name,status,location,team,warranty_end,seats,field.ram_gb,field.producto"
    good = [
        f"IMP{tag}-1,computador,Notebook A,en uso,central-p2,tecnico,2027-01-01,,8,",
        f"IMP{tag}-2,licencia,Office,in_use,,tecnico,2027-01-01,10,,Office",
    ]
    bad = [
        f"IMP{tag}-3,computador,Notebook B,rota,central-p2,tecnico,2027-13-01,,ocho,",
        f"IMP{tag}-1,impresora,Duplicada,in_use,marte,tecnico,,,,",
    ]
    text = "\n".join([header, *good, *bad]) + "\n"
    headers = {**writer, "Content-Type": "text/csv"}
    before = table_items(aws)
    preview = api.post("/api/v1/assets/import?mode=preview", body=text, headers=headers).json_body
    assert preview["valid"] == 2 and preview["invalid"] == 2 and preview["written"] == 0
    cells = {(e["row"], e["column"]) for e in preview["errors"]}
    assert {
        (4, "status"),
        (4, "warranty_end"),
        (4, "field.ram_gb"),
        (5, "location"),
        (5, "inventory_number"),
    } <= cells
    dup = next(e for e in preview["errors"] if (e["row"], e["column"]) == (5, "inventory_number"))
    assert "2" in dup["message"]  # names the row it repeats
    assert table_items(aws) == before
    refused = problem(api.post("/api/v1/assets/import?mode=all", body=text, headers=headers), 422)
    assert refused["code"] == "import_invalid" and any(
        e["field"] == "row[4].status" for e in refused["errors"]
    )
    assert table_items(aws) == before
    partial = api.post("/api/v1/assets/import?mode=valid", body=text, headers=headers).json_body
    assert partial["written"] == 2
    assert api.get(f"/api/v1/assets/IMP{tag}-2", headers=writer).json_body["asset"]["seats"] == 10
    again = api.post("/api/v1/assets/import?mode=preview", body="\n".join([header, good[0]]), headers=headers)
    assert again.json_body["errors"][0]["code"] == "asset_exists"
    unknown = api.post(
        "/api/v1/assets/import", body="inventory_number,colour\nX-1,red\n", headers=headers
    ).json_body
    assert {(e["column"], e["code"]) for e in unknown["errors"]} >= {
        ("colour", "csv_unknown_column"),
        ("type", "csv_missing_column"),
    }
    assert problem(
        api.post(
            "/api/v1/assets/import", body=text, headers={**aws.auth("bruno.l2"), "Content-Type": "text/csv"}
        ),
        403,
    )
    assert problem(
        api.post("/api/v1/assets/import", body=text, headers={**writer, "Content-Type": "application/pdf"}),
        415,
    )


def test_example_csv_imports_cleanly_in_preview(api: Any, writer: dict[str, str]) -> None:
    from infra.ops.seeding import SEED

    text = (SEED / "assets.csv").read_text(encoding="utf-8")
    report = api.post(
        "/api/v1/assets/import?mode=preview", body=text, headers={**writer, "Content-Type": "text/csv"}
    ).json_body
    # every row is well formed; in a stack that imported the demo already, they exist
    assert all(e["code"] in ("asset_exists", "asset_alias_taken") for e in report["errors"]), report[
        "errors"
    ][:3]
    assert len(report["rows"]) >= 55


def test_export_csv_and_json(api: Any, writer: dict[str, str]) -> None:
    number = inv("EXP")
    post(api, "/api/v1/assets", laptop(number, notes='=HYPERLINK("x")'), writer)
    csv_answer = api.get(f"/api/v1/assets/export?format=csv&type=computador&q={number}", headers=writer)
    assert csv_answer.headers["Content-Type"].startswith("text/csv")
    lines = (
        csv_answer.body.decode().splitlines()
        if isinstance(csv_answer.body, bytes)
        else csv_answer.body.splitlines()
    )
    assert lines[0].startswith("inventory_number,type,name") and number in lines[1]
    assert "'=HYPERLINK" in lines[1]  # not a formula in a spreadsheet
    as_json = api.get(f"/api/v1/assets/export?type=computador&q={number}", headers=writer).json_body
    assert as_json["items"][0]["inventory_number"] == number


def test_link_unlink_and_incident_history(api: Any, aws: Aws, writer: dict[str, str]) -> None:
    number = inv("LNK")
    post(api, "/api/v1/assets", laptop(number), writer)
    bruno = aws.auth("bruno.l2")
    created = post(
        api,
        "/api/v1/tickets",
        ticket_body(
            type="soporte-interno",
            subtype="equipos",
            form={"unidad": "OIRS", "inventario": number},
            requester={"kind": "internal"},
        ),
        bruno,
    ).json_body
    ticket = created["number"]
    # The form's inventory number linked it when it was filed; linking again is a conflict.
    linked = api.get(f"/api/v1/agent/tickets/{ticket}/assets", headers=bruno)
    assert [a["inventory_number"] for a in linked.json_body["items"]] == [number]
    assert problem(
        post(api, f"/api/v1/agent/tickets/{ticket}/assets", {"inventory_number": number.lower()}, bruno), 409
    )
    assert problem(
        post(api, f"/api/v1/agent/tickets/{ticket}/assets", {"inventory_number": "NO-SUCH-1"}, bruno), 404
    )
    # an agent of another team cannot link to this request
    assert problem(
        post(api, f"/api/v1/agent/tickets/{ticket}/assets", {"inventory_number": number}, aws.auth("ana.l1")),
        403,
    )
    page = api.get(f"/api/v1/assets/{number}", headers=bruno).json_body
    assert [r["number"] for r in page["requests"]] == [ticket]
    assert page["requests"][0]["sla"] == "pending" and page["open_requests"] == 1
    assert page["asset"]["incidents"] == 1
    resolved = post(
        api, f"/api/v1/agent/tickets/{ticket}/status", {"status": "resolved", "body": "Listo."}, bruno
    )
    assert resolved.status_code == 200, resolved.body
    page = api.get(f"/api/v1/assets/{number}", headers=bruno).json_body
    assert page["requests"][0]["sla"] == "met" and page["open_requests"] == 0
    assert page["requests"][0]["resolved_at"] and page["hours_lost"] >= 0
    assert [e["action"] for e in page["history"]][:1] == ["linked"]
    assert api.delete(f"/api/v1/agent/tickets/{ticket}/assets/{number}", headers=bruno).status_code == 204
    assert problem(api.delete(f"/api/v1/agent/tickets/{ticket}/assets/{number}", headers=bruno), 404)
    page = api.get(f"/api/v1/assets/{number}", headers=bruno).json_body
    assert page["requests"] == [] and page["history"][0]["action"] == "unlinked"
    assert page["asset"]["incidents"] == 1  # the incident happened; unlinking does not unsay it


def test_requester_links_own_equipment_only(api: Any, aws: Aws, writer: dict[str, str]) -> None:
    mine, other = inv("OWN"), inv("OTH")
    post(api, "/api/v1/assets", laptop(mine, responsible={"username": "ana.l1"}, team="tecnico"), writer)
    post(api, "/api/v1/assets", laptop(other, responsible={"username": "bruno.l2"}, team="tecnico"), writer)
    ana = aws.auth("ana.l1")
    ticket = post(
        api,
        "/api/v1/tickets",
        ticket_body(
            type="soporte-interno", subtype="equipos", form={"unidad": "OIRS"}, requester={"kind": "internal"}
        ),
        ana,
    ).json_body["number"]
    assert (
        post(api, f"/api/v1/agent/tickets/{ticket}/assets", {"inventory_number": mine}, ana).status_code
        == 201
    )
    assert problem(post(api, f"/api/v1/agent/tickets/{ticket}/assets", {"inventory_number": other}, ana), 403)
    assert [
        a["inventory_number"]
        for a in api.get(f"/api/v1/agent/tickets/{ticket}/assets", headers=ana).json_body["items"]
    ] == [mine]


def test_alert_lookup_by_host_name(api: Any, aws: Aws, writer: dict[str, str]) -> None:
    from ventanilla.services.assets import asset_for_alert, link_system

    number = inv("SRV")
    post(
        api,
        "/api/v1/assets",
        laptop(number, type="servidor", hostname=f"db-{number.lower()}", fields={"ip": "10.0.0.9"}),
        writer,
    )
    assert asset_for_alert(f"db-{number.lower()}").inventory_number == number  # type: ignore[union-attr]
    assert asset_for_alert(f"DB-{number}.vallverde.example").inventory_number == number  # type: ignore[union-attr]
    assert asset_for_alert(f"SN-{number}").inventory_number == number  # type: ignore[union-attr]
    assert asset_for_alert("no-such-host") is None
    ticket = post(api, "/api/v1/tickets", ticket_body(), None).json_body["number"]
    asset = asset_for_alert(number)
    assert asset is not None and link_system(ticket, asset) and not link_system(ticket, asset)
    history = api.get(f"/api/v1/assets/{number}", headers=writer).json_body["history"]
    assert history[0]["actor"] == "monitoring" and history[0]["ticket"] == ticket
    # a host name is unique too
    taken = problem(post(api, "/api/v1/assets", laptop(inv(), hostname=f"db-{number.lower()}"), writer), 409)
    assert taken["errors"][0]["field"] == "hostname"
    found = api.get(f"/api/v1/assets/lookup?id=db-{number.lower()}", headers=writer).json_body
    assert found["inventory_number"] == number


def test_licence_seats(api: Any, writer: dict[str, str]) -> None:
    number = inv("LIC")
    body = {
        **laptop(number, type="licencia", seats=2, fields={"producto": "Visio"}),
        "hostname": None,
        "serial": None,
    }
    assert post(api, "/api/v1/assets", body, writer).status_code == 201
    assert post(api, f"/api/v1/assets/{number}/seats", {"holder": "ana.l1"}, writer).status_code == 201
    assert (
        problem(post(api, f"/api/v1/assets/{number}/seats", {"holder": "ana.l1"}, writer), 409)["code"]
        == "seat_taken"
    )
    view = post(api, f"/api/v1/assets/{number}/seats", {"holder": "bruno.l2"}, writer).json_body
    assert view["asset"]["seats_used"] == 2 and len(view["seats"]) == 2
    assert (
        problem(post(api, f"/api/v1/assets/{number}/seats", {"holder": "carla"}, writer), 409)["code"]
        == "seats_full"
    )
    assert api.delete(f"/api/v1/assets/{number}/seats/ana.l1", headers=writer).status_code == 204
    assert problem(api.delete(f"/api/v1/assets/{number}/seats/ana.l1", headers=writer), 404)
    laptop_number = inv()
    post(api, "/api/v1/assets", laptop(laptop_number), writer)
    assert problem(post(api, f"/api/v1/assets/{laptop_number}/seats", {"holder": "x1"}, writer), 422)


def test_reports_counts_incidents_warranties_licences(api: Any, aws: Aws, writer: dict[str, str]) -> None:
    from datetime import date, timedelta

    soon = (date.today() + timedelta(days=20)).isoformat()
    number = inv("WAR")
    post(api, "/api/v1/assets", laptop(number, purchase_date="2024-01-01", warranty_end=soon), writer)
    lic = inv("LIC")
    post(
        api,
        "/api/v1/assets",
        {**laptop(lic, type="licencia", seats=1, fields={"producto": "X"}), "hostname": None, "serial": None},
        writer,
    )
    post(api, f"/api/v1/assets/{lic}/seats", {"holder": "ana.l1"}, writer)
    ticket = post(api, "/api/v1/tickets", ticket_body(), None).json_body["number"]
    from ventanilla.services.assets import asset_for_alert, link_system

    link_system(ticket, asset_for_alert(number))  # type: ignore[arg-type]
    carla = aws.auth("carla.supervisora")
    built = api.get("/api/v1/assets/reports?days=30", headers=carla).json_body
    assert any(
        c["dimension"] == "type" and c["value"] == "computador" and c["count"] >= 1 for c in built["counts"]
    )
    assert any(c["dimension"] == "location" for c in built["counts"])
    assert number in [w["inventory_number"] for w in built["warranties"]]
    assert {
        "inventory_number": lic,
        "name": "Notebook de prueba",
        "seats": 1,
        "seats_used": 1,
        "state": "near",
    } in built["licences"]
    assert any(r["inventory_number"] == number for r in built["most_incidents"])
    as_csv = api.get("/api/v1/assets/reports/warranties?days=30", headers=carla)
    text = as_csv.body.decode() if isinstance(as_csv.body, bytes) else as_csv.body
    assert text.startswith("inventory_number,name,type,team,warranty_end,days_left") and number in text
    assert problem(api.get("/api/v1/assets/reports/nada", headers=carla), 404)
    assert problem(api.get("/api/v1/assets/reports", headers=aws.auth("ana.l1")), 403)
    assert problem(api.get("/api/v1/assets/reports?days=0", headers=carla), 400)
    from ventanilla.services import asset_reports

    notices = asset_reports.warranty_notices(30)
    assert number in [r.inventory_number for r in notices["tecnico"]]
    subject, html, text = asset_reports.render_notice("tecnico", notices["tecnico"])
    assert "Garantías" in subject and number in html and number in text


def test_monthly_warranty_mail_goes_to_the_team(aws: Aws, api: Any, writer: dict[str, str]) -> None:
    """The monthly scheduled run (no period) also tells each supporting team of its warranties."""
    from datetime import date, timedelta

    import boto3

    from infra.local.functions import LambdaContext as Context

    soon = (date.today() + timedelta(days=5)).isoformat()
    post(api, "/api/v1/assets", laptop(inv("MAIL"), warranty_end=soon), writer)
    ses = boto3.client("ses")
    sender = aws.stack.functions["StatsReportFunction"].environment["REPORT_SENDER"]
    ses.verify_email_identity(EmailAddress=sender)
    sent_before = ses.get_send_quota()["SentLast24Hours"]
    handler = aws.stack.functions["StatsReportFunction"].load()
    result = handler({}, Context("StatsReportFunction"))
    assert result["warranties"]["teams"] >= 1 and result["warranties"]["assets"] >= 1
    assert ses.get_send_quota()["SentLast24Hours"] > sent_before + 2  # the report and the notices


def test_admin_edits_types_and_locations(api: Any, aws: Aws) -> None:
    elena = aws.auth("elena.admin")
    body = {
        "name": {"es": "Proyector", "en": "Projector"},
        "fields": [{"name": "lumens", "label": {"es": "Lúmenes"}, "kind": "number"}],
    }
    assert put(api, "/api/v1/assets/types/proyector", body, elena).status_code == 200
    assert "proyector" in [
        t["code"] for t in api.get("/api/v1/assets/types", headers=aws.auth("ana.l1")).json_body["items"]
    ]
    assert problem(put(api, "/api/v1/assets/types/proyector", body, aws.auth("carla.supervisora")), 403)
    assert problem(put(api, "/api/v1/assets/types/proyector", {"name": {"es": ""}}, elena), 422)
    assert (
        put(
            api, "/api/v1/assets/locations/anexo-este", {"building": "Anexo Este", "office": "Piso 1"}, elena
        ).status_code
        == 200
    )
    assert "anexo-este" in [
        x["code"] for x in api.get("/api/v1/assets/locations", headers=elena).json_body["items"]
    ]


def test_the_asset_a_filing_names_in_its_form_is_linked_when_it_is_filed(
    api: Any, aws: Aws, writer: dict[str, str]
) -> None:
    """What the console's second call did, done at creation for any API client (both filing
    routes), with the same checks; a refusal writes nothing."""
    mine, other = inv("FRM"), inv("FRO")
    post(api, "/api/v1/assets", laptop(mine, responsible={"username": "ana.l1"}, team="tecnico"), writer)
    post(api, "/api/v1/assets", laptop(other, responsible={"username": "bruno.l2"}, team="tecnico"), writer)
    ana = aws.auth("ana.l1")

    def filing(value: str) -> dict[str, Any]:
        return {
            "type": "soporte-interno",
            "subtype": "equipos",
            "subject": "El notebook no enciende",
            "description": "Desde esta mañana no enciende.",
            "channel": "chat",
            "form": {"unidad": "OIRS", "inventario": value},
        }

    created = post(
        api, "/api/v1/agent/tickets", filing(f" {mine.lower()} "), {**ana, "Idempotency-Key": "k-" + mine}
    )
    assert created.status_code == 201, created.body
    number = created.json_body["number"]
    items = api.get(f"/api/v1/agent/tickets/{number}/assets", headers=ana).json_body["items"]
    assert [a["inventory_number"] for a in items] == [mine]
    page = api.get(f"/api/v1/assets/{mine}", headers=writer).json_body
    assert [r["number"] for r in page["requests"]] == [number] and page["history"][0]["action"] == "linked"
    # The same filing retried with its key: the same request, still one link.
    again = post(
        api, "/api/v1/agent/tickets", filing(f" {mine.lower()} "), {**ana, "Idempotency-Key": "k-" + mine}
    )
    assert again.status_code == 201 and again.json_body["number"] == number
    assert len(api.get(f"/api/v1/assets/{mine}", headers=writer).json_body["requests"]) == 1
    # The citizen-facing route, filed by staff for themselves: linked too.
    body = {**filing(mine), "channel": "web", "requester": {**ticket_body()["requester"], "kind": "internal"}}
    through_portal = post(api, "/api/v1/tickets", body, ana)
    assert through_portal.status_code == 201, through_portal.body
    second = through_portal.json_body["number"]
    assert [
        a["inventory_number"]
        for a in api.get(f"/api/v1/agent/tickets/{second}/assets", headers=ana).json_body["items"]
    ] == [mine]
    # Unknown, malformed, or someone else's equipment outside the filer's teams: 422 naming the
    # field, the same answer each time, nothing written.
    before = table_items(aws)
    for value in ("NO-SUCH-77", "pc 01 / x", other):
        doc = problem(post(api, "/api/v1/agent/tickets", filing(value), ana), 422)
        assert [e["field"] for e in doc["errors"]] == ["form.inventario"], value
        assert doc["errors"][0]["code"] == "asset_not_found"
    assert table_items(aws) == before
    # An empty field links nothing.
    blank = post(api, "/api/v1/agent/tickets", filing(""), ana)
    assert blank.status_code == 201, blank.body
    assert (
        api.get(f"/api/v1/agent/tickets/{blank.json_body['number']}/assets", headers=ana).json_body["items"]
        == []
    )
