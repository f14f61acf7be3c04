"""Open311 GeoReport v2 at /open311/v2: every endpoint in JSON and XML, the form-encoded POST with
attributes, each filter and each error, and the API keys that guard the POST (handlers against moto)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import Aws, post, table_items, ticket_body

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
SERVICE = "reclamo_servicio"


@pytest.fixture(scope="module")
def key(app: Any, aws: Aws) -> str:
    from chalice.test import Client

    with Client(app) as client:
        response = post(
            client.http,
            "/api/v1/admin/api-keys",
            {"name": "App Vecinal", "rate_limit_per_minute": 6000},
            aws.auth("elena.admin"),
        )
    assert response.status_code == 201, response.body
    return str(response.json_body["key"])


def form_body(key: str | None, **fields: Any) -> str:
    data: dict[str, Any] = {
        "service_code": SERVICE,
        "lat": "-33.4372",
        "long": "-70.6506",
        "email": "vecina@example.cl",
        "first_name": "Rosa",
        "last_name": "Díaz",
        "description": "Luminaria apagada frente al 123. Llamar al +56 9 8765 4321.",
        "attribute[servicio]": "alumbrado",
        "attribute[direccion]": "Av. Los Aromos 123",
        "media_url": "https://fotos.example.org/123.jpg",
    }
    if key is not None:
        data["api_key"] = key
    data.update({k: v for k, v in fields.items() if v is not None})
    for name in [k for k, v in fields.items() if v is None]:
        data.pop(name, None)
    return urlencode(data, doseq=True)


def submit(api: Any, body: str, fmt: str = "json", headers: dict[str, str] | None = None) -> Any:
    return api.post(f"/open311/v2/requests.{fmt}", body=body, headers={**FORM, **(headers or {})})


def xml_of(response: Any) -> ET.Element:
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    raw = response.body if isinstance(response.body, bytes) else response.body.encode()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(raw)


def json_of(response: Any) -> Any:
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.body)


def errors_json(response: Any, status: int) -> list[dict[str, Any]]:
    assert response.status_code == status, response.body
    body = json_of(response)
    assert isinstance(body, list) and body
    assert all(set(e) == {"code", "description"} for e in body)
    return body


def errors_xml(response: Any, status: int) -> list[str]:
    assert response.status_code == status, response.body
    root = xml_of(response)
    assert root.tag == "errors"
    return [e.findtext("description") or "" for e in root.findall("error")]


def filed(api: Any, key: str, **fields: Any) -> str:
    response = submit(api, form_body(key, **fields))
    assert response.status_code == 200, response.body
    return str(json_of(response)[0]["service_request_id"])


# ---- discovery and services ---------------------------------------------------------------------


def test_discovery_in_json_and_xml(api: Any) -> None:
    body = json_of(api.get("/open311/v2/discovery.json"))
    assert W3C.match(body["changeset"]) and body["contact"] and body["key_service"]
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "production"
    root = xml_of(api.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_one_per_open_subtype_in_json_and_xml(api: Any) -> None:
    services = json_of(api.get("/open311/v2/services.json"))
    codes = [s["service_code"] for s in services]
    assert SERVICE in codes and "consulta_general" in codes
    assert not any(c.startswith("soporte-interno_") for c in codes)  # internal audience only
    by_code = {s["service_code"]: s for s in services}
    assert by_code[SERVICE]["metadata"] is True and by_code["consulta_general"]["metadata"] is False
    assert by_code[SERVICE]["type"] == "realtime"
    assert by_code[SERVICE]["service_name"] == "Falla de un servicio municipal"
    assert by_code[SERVICE]["group"] == "Reclamo"
    root = xml_of(api.get("/open311/v2/services.xml", headers={"Accept-Language": "en"}))
    assert root.tag == "services"
    entries = {s.findtext("service_code"): s for s in root.findall("service")}
    assert set(entries) == set(codes)
    assert entries[SERVICE].findtext("metadata") == "true"
    assert entries["consulta_general"].findtext("metadata") == "false"
    assert entries[SERVICE].findtext("group") == "Complaint"


def test_service_definition_maps_form_fields(api: Any) -> None:
    body = json_of(api.get(f"/open311/v2/services/{SERVICE}.json"))
    assert body["service_code"] == SERVICE
    attrs = {a["code"]: a for a in body["attributes"]}
    assert attrs["servicio"]["datatype"] == "singlevaluelist" and attrs["servicio"]["required"] is True
    assert {v["key"] for v in attrs["servicio"]["values"]} >= {"alumbrado"}
    assert attrs["direccion"]["datatype"] == "string"
    # the place is the standard address_string or lat/long to a GeoReport client
    assert (
        attrs["direccion"]["required"] is False
        and "address_string" in attrs["direccion"]["datatype_description"]
    )
    assert attrs["referencia"]["required"] is False
    assert [a["order"] for a in body["attributes"]] == [1, 2, 3]
    assert all(a["variable"] is True for a in body["attributes"])
    numbers = json_of(api.get("/open311/v2/services/tramite_permiso-edificacion.json"))
    kinds = {a["code"]: a["datatype"] for a in numbers["attributes"]}
    assert kinds["superficie"] == "number"
    dated = json_of(api.get("/open311/v2/services/reclamo_atencion.json"))
    assert {a["code"]: a["datatype"] for a in dated["attributes"]}["fecha_atencion"] == "datetime"
    root = xml_of(api.get(f"/open311/v2/services/{SERVICE}.xml"))
    assert root.tag == "service_definition"
    first = root.find("attributes/attribute")
    assert first is not None and first.findtext("code") == "servicio"
    assert first.findtext("required") == "true"
    assert first.find("values/value/key") is not None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_and_bad_extension_are_404(api: Any, fmt: str) -> None:
    read = errors_json if fmt == "json" else errors_xml
    found = read(api.get(f"/open311/v2/services/no_existe.{fmt}"), 404)
    assert "no_existe" in json.dumps(found)
    errors_json(api.get("/open311/v2/services.html"), 404)
    errors_json(api.get(f"/open311/v2/services/{SERVICE}.html"), 404)
    errors_json(api.get("/open311/v2/requests/2026-000001"), 404)
    read(api.get(f"/open311/v2/nothing.{fmt}"), 404)


# ---- POST requests ------------------------------------------------------------------------------


def test_post_files_a_request_with_attributes_place_and_api_channel(api: Any, aws: Aws, key: str) -> None:
    response = submit(api, form_body(key))
    assert response.status_code == 200, response.body
    [created] = json_of(response)
    number = created["service_request_id"]
    assert isinstance(number, str) and re.fullmatch(r"\d{4}-\d{6}", number)
    assert "token" not in created and created["service_notice"]
    staff = api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth("bruno.l2")).json_body["ticket"]
    assert staff["channel"] == "api" and staff["api_client"]
    assert staff["form"] == {"servicio": "alumbrado", "direccion": "Av. Los Aromos 123"}
    assert staff["location"] == {"lat": -33.4372, "long": -70.6506, "address": None, "sector": None}
    assert staff["requester"]["name"] == "Rosa Díaz" and staff["requester"]["email"] == "vecina@example.cl"
    assert staff["subject"].startswith("Luminaria apagada")
    assert staff["media_url"] == "https://fotos.example.org/123.jpg"
    history = api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth("bruno.l2")).json_body["history"]
    assert history[0]["channel"] == "api"


def test_an_address_field_not_sent_is_the_standard_location(api: Any, aws: Aws, key: str) -> None:
    """Clients know address_string and lat/long, not our form's Dirección: it is filled from them."""
    by_address = filed(
        api,
        key,
        lat=None,
        long=None,
        address_string="Los Olmos 45, Valle Verde",
        **{"attribute[direccion]": None},
    )
    by_point = filed(api, key, **{"attribute[direccion]": None})
    sent = filed(api, key, address_string="Otra calle 1")  # the attribute, when sent, is kept
    forms = {
        n: api.get(f"/api/v1/agent/tickets/{n}", headers=aws.auth("bruno.l2")).json_body["ticket"]["form"]
        for n in (by_address, by_point, sent)
    }
    assert forms[by_address]["direccion"] == "Los Olmos 45, Valle Verde"
    assert forms[by_point]["direccion"] == "-33.437200, -70.650600"
    assert forms[sent]["direccion"] == "Av. Los Aromos 123"


def test_post_in_xml_with_address_title_and_key_in_header(api: Any, key: str) -> None:
    body = form_body(
        None,
        lat=None,
        long=None,
        address_string="Calle Larga 45, Valle Verde",
        **{"attribute[title]": "Poste caído", "attribute[report_url]": "https://fms.example/report/1"},
    )
    response = submit(api, body, "xml", {"X-Api-Key": key})
    assert response.status_code == 200, response.body
    root = xml_of(response)
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    assert number and root.find("request/token") is None
    one = json_of(api.get(f"/open311/v2/requests/{number}.json"))[0]
    assert one["address"] == "Calle Larga 45, Valle Verde" and one["lat"] is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("api_key", [None, "", "wrong-key", "x" * 500])
def test_post_without_a_valid_key_is_403_and_writes_nothing(
    api: Any, aws: Aws, fmt: str, api_key: str | None
) -> None:
    before = table_items(aws)
    response = submit(api, form_body(api_key), fmt)
    read = errors_json if fmt == "json" else errors_xml
    [description] = [e["description"] if isinstance(e, dict) else e for e in read(response, 403)]
    assert "api_key" in description
    assert table_items(aws) == before


BAD_POSTS = [
    ({"service_code": None}, 400, "service_code"),
    ({"service_code": ""}, 400, "service_code"),
    ({"service_code": "no_existe"}, 404, "service_code"),
    ({"lat": None, "long": None}, 400, "location"),
    ({"long": None}, 400, "lat"),
    ({"lat": "-95"}, 400, "lat"),
    ({"long": "181"}, 400, "long"),
    ({"lat": "abc"}, 400, "lat"),
    ({"attribute[servicio]": None}, 400, "attribute[servicio]"),
    ({"attribute[servicio]": "no-existe"}, 400, "attribute[servicio]"),
    ({"email": None}, 400, "phone"),
    ({"email": "no-es-correo"}, 400, "email"),
    ({"phone": "12"}, 400, "phone"),
    ({"description": "<script>alert(1)</script>"}, 400, "HTML"),
    ({"description": "a" * 4001}, 400, "4000"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
]


@pytest.mark.parametrize(("fields", "status", "named"), BAD_POSTS)
def test_post_errors_name_the_field_in_json_and_xml(
    api: Any, aws: Aws, key: str, fields: dict[str, Any], status: int, named: str
) -> None:
    before = table_items(aws)
    found = errors_json(submit(api, form_body(key, **fields)), status)
    assert named in found[0]["description"], found
    english = errors_xml(submit(api, form_body(key, **fields), "xml", {"Accept-Language": "en"}), status)
    assert named in english[0] and english[0] != found[0]["description"]  # Spanish first, then English
    assert table_items(aws) == before


def test_post_checks_attribute_types(api: Any, key: str) -> None:
    body = form_body(
        key,
        service_code="tramite_permiso-edificacion",
        **{
            "attribute[servicio]": None,
            "attribute[direccion]": "Los Olmos 9",
            "attribute[rut]": "12.345.678-5",
            "attribute[rol]": "123-45",
            "attribute[superficie]": "ancho",
        },
    )
    [error] = errors_json(submit(api, body), 400)
    assert "attribute[superficie]" in error["description"]
    ok = body.replace("superficie%5D=ancho", "superficie%5D=120.5")
    assert submit(api, ok).status_code == 200


def test_post_needs_a_form_body(api: Any, key: str) -> None:
    response = api.post(
        "/open311/v2/requests.json",
        body=json.dumps({"api_key": key}),
        headers={"Content-Type": "application/json"},
    )
    assert "x-www-form-urlencoded" in errors_json(response, 400)[0]["description"]
    errors_json(api.post("/open311/v2/services.json", body=form_body(key), headers=FORM), 404)


# ---- GET requests -------------------------------------------------------------------------------


def test_get_one_request_is_a_one_element_list_without_personal_data(api: Any, key: str) -> None:
    number = filed(api, key)
    [one] = json_of(api.get(f"/open311/v2/requests/{number}.json"))
    assert one["service_request_id"] == number and one["status"] == "open"
    assert one["service_code"] == SERVICE and one["agency_responsible"] == "Soporte técnico y operaciones"
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(one[name]), one[name]
    assert one["lat"] == -33.4372 and one["long"] == -70.6506
    assert "8765" not in one["description"] and "[número]" in one["description"]
    text = json.dumps(one, ensure_ascii=False)
    assert "vecina@example.cl" not in text and "Rosa" not in text and "Díaz" not in text
    root = xml_of(api.get(f"/open311/v2/requests/{number}.xml"))
    assert root.tag == "service_requests" and root.findtext("request/service_request_id") == number
    assert root.findtext("request/status") == "open"
    assert root.findtext("request/lat") == "-33.4372"


def test_requests_filed_on_the_portal_show_no_place_or_text(api: Any) -> None:
    created = post(
        api, "/api/v1/tickets", ticket_body(location={"lat": -33.1, "long": -70.1, "address": "Mi casa 1"})
    )
    assert created.status_code == 201, created.body
    number = created.json_body["number"]
    [one] = json_of(api.get(f"/open311/v2/requests/{number}.json"))
    assert one["description"] is None and one["address"] is None and one["lat"] is None
    assert one["media_url"] is None


def test_status_and_notes_follow_the_staff(api: Any, aws: Aws, key: str) -> None:
    number = filed(api, key)
    staff = aws.auth("bruno.l2")
    reply = post(
        api, f"/api/v1/agent/tickets/{number}/reply", {"body": "Enviamos una cuadrilla mañana."}, staff
    )
    assert reply.status_code in (200, 201), reply.body
    [one] = json_of(api.get(f"/open311/v2/requests/{number}.json"))
    assert one["status_notes"] == "Enviamos una cuadrilla mañana."
    moved = post(
        api, f"/api/v1/agent/tickets/{number}/status", {"status": "resolved", "body": "Reparada."}, staff
    )
    assert moved.status_code == 200, moved.body
    [closed] = json_of(api.get(f"/open311/v2/requests/{number}.json"))
    assert closed["status"] == "closed" and closed["status_notes"] == "Reparada."
    listed = json_of(api.get(f"/open311/v2/requests.json?service_request_id={number}&status=open"))
    assert [r["status"] for r in listed] == ["closed"]  # the id list overrides every other filter
    closed_only = json_of(api.get("/open311/v2/requests.json?status=closed"))
    assert number in [r["service_request_id"] for r in closed_only]
    assert all(r["status"] == "closed" for r in closed_only)
    open_only = json_of(api.get("/open311/v2/requests.json?status=open"))
    assert number not in [r["service_request_id"] for r in open_only]
    both = json_of(api.get("/open311/v2/requests.json?status=open,closed"))
    assert len(both) == len(open_only) + len(closed_only)


def test_get_requests_filters_in_json_and_xml(api: Any, key: str) -> None:
    a = filed(api, key)
    b = filed(
        api,
        key,
        service_code="consulta_general",
        **{"attribute[servicio]": None, "attribute[direccion]": None},
    )
    listed = json_of(api.get(f"/open311/v2/requests.json?service_request_id={a},{b},2026-999999"))
    assert [r["service_request_id"] for r in listed] == [a, b]
    recent = json_of(api.get("/open311/v2/requests.json"))
    ids = [r["service_request_id"] for r in recent]
    assert a in ids and b in ids
    assert ids.index(b) < ids.index(a)  # newest first
    only = json_of(api.get("/open311/v2/requests.json?service_code=consulta_general"))
    assert {r["service_code"] for r in only} == {"consulta_general"} and b in [
        r["service_request_id"] for r in only
    ]
    several = json_of(api.get(f"/open311/v2/requests.json?service_code=consulta_general,{SERVICE}"))
    assert {a, b} <= {r["service_request_id"] for r in several}
    root = xml_of(api.get("/open311/v2/requests.xml?service_code=consulta_general&status=open"))
    assert root.tag == "service_requests"
    assert b in [r.findtext("service_request_id") for r in root.findall("request")]
    empty = json_of(
        api.get("/open311/v2/requests.json?start_date=2001-01-01T00:00:00Z&end_date=2001-02-01T00:00:00Z")
    )
    assert empty == []
    from ventanilla.models.common import utcnow

    now = utcnow()
    start = now.strftime("%Y-%m-%dT00:00:00Z")
    around = json_of(api.get(f"/open311/v2/requests.json?start_date={start}"))
    assert a in [r["service_request_id"] for r in around]
    before = json_of(api.get(f"/open311/v2/requests.json?end_date={start}"))
    assert a not in [r["service_request_id"] for r in before]
    blank = json_of(api.get("/open311/v2/requests.json?status=&service_code=&start_date="))
    assert {a, b} <= {r["service_request_id"] for r in blank}  # empty means absent
    xml_empty = xml_of(api.get("/open311/v2/requests.xml?start_date=2001-01-01&end_date=2001-01-02"))
    assert xml_empty.tag == "service_requests" and not list(xml_empty)


BAD_QUERIES = [
    ("start_date=2026-01-01T00:00:00Z&end_date=2026-05-01T00:00:00Z", "90 days"),
    ("start_date=2026-03-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "after"),
    ("start_date=ayer", "start_date"),
    ("end_date=2026-01-01T00:00:00", "time zone"),
    ("status=pending", "status"),
    ("service_code=no_existe", "no_existe"),
    ("service_request_id=" + ",".join(f"2026-{i:06d}" for i in range(101)), "100"),
]


@pytest.mark.parametrize(("query", "named"), BAD_QUERIES)
def test_get_requests_errors_in_json_and_xml(api: Any, query: str, named: str) -> None:
    assert named in errors_json(api.get(f"/open311/v2/requests.json?{query}"), 400)[0]["description"]
    assert named in errors_xml(api.get(f"/open311/v2/requests.xml?{query}"), 400)[0]


def test_unknown_request_is_404_in_json_and_xml(api: Any) -> None:
    errors_json(api.get("/open311/v2/requests/2026-999999.json"), 404)
    errors_xml(api.get("/open311/v2/requests/2026-999999.xml"), 404)
    errors_xml(api.get("/open311/v2/requests/nada.xml"), 404)


def test_internal_requests_are_never_listed(api: Any, aws: Aws) -> None:
    body = ticket_body(type="soporte-interno", subtype="equipos", form={"unidad": "Finanzas"})
    body["requester"]["kind"] = "internal"
    body["channel"] = "phone"
    created = post(api, "/api/v1/tickets", body, aws.auth("ana.l1"))
    assert created.status_code == 201, created.body
    number = created.json_body["number"]
    errors_json(api.get(f"/open311/v2/requests/{number}.json"), 404)
    assert number not in [r["service_request_id"] for r in json_of(api.get("/open311/v2/requests.json"))]


# ---- API keys -----------------------------------------------------------------------------------


def test_api_keys_are_shown_once_listed_without_secret_and_revocable(api: Any, aws: Aws) -> None:
    admin = aws.auth("elena.admin")
    created = post(api, "/api/v1/admin/api-keys", {"name": "FixMyStreet Valle Verde"}, admin)
    assert created.status_code == 201, created.body
    issued = created.json_body
    assert issued["key"].startswith("vk_") and len(issued["key"]) > 40
    assert issued["scopes"] == ["open311:write"] and issued["rate_limit_per_minute"] == 60
    assert created.headers["Cache-Control"] == "no-store"
    listed = api.get("/api/v1/admin/api-keys", headers=admin)
    assert listed.status_code == 200
    assert (
        issued["key"] not in listed.body.decode()
        if isinstance(listed.body, bytes)
        else issued["key"] not in listed.body
    )
    mine = next(k for k in listed.json_body["items"] if k["id"] == issued["id"])
    assert "key" not in mine and "key_hash" not in mine and mine["prefix"] == issued["key"][:8]
    assert submit(api, form_body(issued["key"])).status_code == 200
    revoked = api.delete(f"/api/v1/admin/api-keys/{issued['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json_body["revoked_at"]
    errors_json(submit(api, form_body(issued["key"])), 403)
    again = api.delete(f"/api/v1/admin/api-keys/{issued['id']}", headers=admin)
    assert again.json_body["revoked_at"] == revoked.json_body["revoked_at"]
    assert api.delete("/api/v1/admin/api-keys/no-such-key", headers=admin).status_code == 404


def test_api_keys_are_for_admins_and_validated(api: Any, aws: Aws) -> None:
    for who in ("carla.supervisora", "ana.l1"):
        refused = post(api, "/api/v1/admin/api-keys", {"name": "X app"}, aws.auth(who))
        assert refused.status_code == 403
        assert api.get("/api/v1/admin/api-keys", headers=aws.auth(who)).status_code == 403
    assert post(api, "/api/v1/admin/api-keys", {"name": "X app"}).status_code == 401
    admin = aws.auth("elena.admin")
    for body, field in (
        ({"name": "x"}, "name"),
        ({"name": "App", "scopes": ["admin:all"]}, "scopes.0"),
        ({"name": "App", "scopes": []}, "scopes"),
        ({"name": "App", "rate_limit_per_minute": 0}, "rate_limit_per_minute"),
        ({"name": "App", "secret": "x"}, "secret"),
    ):
        response = post(api, "/api/v1/admin/api-keys", body, admin)
        assert response.status_code == 422, body
        assert field in [e["field"] for e in response.json_body["errors"]]


def test_a_key_over_its_rate_limit_is_429(api: Any, aws: Aws) -> None:
    created = post(
        api, "/api/v1/admin/api-keys", {"name": "Lenta", "rate_limit_per_minute": 1}, aws.auth("elena.admin")
    )
    slow = created.json_body["key"]
    assert submit(api, form_body(slow)).status_code == 200
    limited = errors_json(submit(api, form_body(slow)), 429)
    assert "límite" in limited[0]["description"]
