"""Canned responses: supervisors manage them; agents get the ones that fit, filled in (B8)."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Aws, post, table_items, ticket_body


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.body
    return dict(json.loads(response.body))


def test_agent_gets_fitting_responses_with_placeholders_filled(api: Any, aws: Aws) -> None:
    created = post(api, "/api/v1/tickets", ticket_body(type="consulta", subtype="general", form={})).json_body
    items = api.get(
        f"/api/v1/agent/tickets/{created['number']}/canned", headers=aws.auth("ana.l1")
    ).json_body["items"]
    titles = [i["title"] for i in items]
    assert "Acuse de recibo" in titles
    assert "Derivación a Transparencia" not in titles  # another team and type
    assert "Acknowledgement" not in titles  # the citizen wrote in Spanish
    ack = next(i for i in items if i["title"] == "Acuse de recibo")
    assert created["number"] in ack["body"] and "Ana Rojas" in ack["body"]
    assert "{" not in ack["body"]
    # The notice's wrapper greets the citizen ("Hola, María Pérez:"): the answer does not again.
    assert not ack["body"].startswith(("Estimad", "Hola", "María"))
    # An answer that asks the citizen for something sets the request waiting when sent.
    asks = next(i for i in items if i["title"] == "Solicitar más antecedentes")
    assert asks["status"] == "waiting_citizen" and ack["status"] is None


def test_canned_for_a_ticket_of_another_team_is_403(api: Any, aws: Aws) -> None:
    emergency = post(
        api,
        "/api/v1/tickets",
        ticket_body(type="emergencia", subtype="corte-servicio", form={"servicio": "luz", "direccion": "x"}),
    ).json_body
    assert problem(
        api.get(f"/api/v1/agent/tickets/{emergency['number']}/canned", headers=aws.auth("ana.l1")), 403
    )


def test_supervisor_manages_canned_responses(api: Any, aws: Aws) -> None:
    carla = aws.auth("carla.supervisora")
    body = {
        "title": "Cierre por falta de respuesta",
        "body": "Estimado/a {nombre}: cerramos la solicitud {numero}.",
    }
    created = post(api, "/api/v1/admin/canned", body, carla)
    assert created.status_code == 201 and created.json_body["id"] == "cierre-por-falta-de-respuesta"
    assert problem(post(api, "/api/v1/admin/canned", body, carla), 409)["code"] == "canned_exists"
    updated = api.put(
        "/api/v1/admin/canned/cierre-por-falta-de-respuesta",
        body=json.dumps({**body, "team": "atencion"}),
        headers={**carla, "Content-Type": "application/json"},
    )
    assert updated.status_code == 200 and updated.json_body["team"] == "atencion"
    listed = api.get("/api/v1/admin/canned", headers=carla).json_body
    assert (
        "cierre-por-falta-de-respuesta" in [i["id"] for i in listed["items"]]
        and "nombre" in listed["placeholders"]
    )
    assert api.delete("/api/v1/admin/canned/cierre-por-falta-de-respuesta", headers=carla).status_code == 204
    assert (
        problem(api.delete("/api/v1/admin/canned/cierre-por-falta-de-respuesta", headers=carla), 404)["code"]
        == "canned_not_found"
    )


def test_unknown_placeholders_and_agents_are_refused(api: Any, aws: Aws) -> None:
    carla = aws.auth("carla.supervisora")
    before = table_items(aws)
    bad = problem(
        post(api, "/api/v1/admin/canned", {"title": "Malo", "body": "Hola {0.__class__} {rut}"}, carla), 422
    )
    assert bad["errors"][0]["field"] == "body" and "rut" in bad["errors"][0]["message"]
    assert problem(
        post(api, "/api/v1/admin/canned", {"title": "Agente", "body": "x"}, aws.auth("ana.l1")), 403
    )
    assert (
        problem(api.get("/api/v1/admin/canned", headers=aws.auth("bruno.l2")), 403)["code"] == "role_required"
    )
    missing = api.put(
        "/api/v1/admin/canned/no-existe",
        body=json.dumps({"title": "abc", "body": "x"}),
        headers={**carla, "Content-Type": "application/json"},
    )
    assert problem(missing, 404)
    assert table_items(aws) == before
