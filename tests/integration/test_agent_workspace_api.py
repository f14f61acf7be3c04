"""The agents' workspace queue: search, assigned to me / unassigned, newest / oldest, real totals,
the new-requests count; bad input is a 400 naming the parameter; an L1 agent sees only their teams."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import Aws, post, ticket_body
from ventanilla import clock
from ventanilla.models.common import iso


def create(api: Any, **overrides: Any) -> dict[str, Any]:
    response = post(api, "/api/v1/tickets", ticket_body(**overrides))
    assert response.status_code == 201, response.body
    return dict(response.json_body)


def consulta(api: Any, **overrides: Any) -> dict[str, Any]:
    """A request that lands in the 'atencion' team (ana.l1's)."""
    return create(api, type="consulta", subtype="general", form={}, **overrides)


def emergency(api: Any, **overrides: Any) -> dict[str, Any]:
    """A request that lands in the 'tecnico' team (not ana.l1's)."""
    form = {"servicio": "agua", "direccion": "Calle 9"}
    return create(api, type="emergencia", subtype="corte-servicio", form=form, **overrides)


def queue(api: Any, headers: dict[str, str], query: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/agent/queue?{query}", headers=headers)
    assert response.status_code == 200, response.body
    return dict(response.json_body)


def every_page(api: Any, headers: dict[str, str], query: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    page = queue(api, headers, query)
    out += page["items"]
    for _ in range(200):
        if not page.get("next_cursor"):
            return out
        page = queue(api, headers, f"{query}&cursor={page['next_cursor']}")
        out += page["items"]
    raise AssertionError("the cursor never ended")


def test_search_finds_by_requester_name_email_text_and_number(api: Any, aws: Aws) -> None:
    tag = uuid.uuid4().hex[:8]
    mine = consulta(
        api,
        subject=f"Consulta sobre patente {tag}",
        requester={"name": f"Ñandú Gómez {tag}", "email": f"gomez.{tag}@example.cl"},
    )
    other = consulta(api, subject=f"Otro asunto {tag}")
    carla = aws.auth("carla.supervisora")
    # accents and case do not matter; every word must match
    by_name = queue(api, carla, f"q={quote('nandu GOMEZ ' + tag)}")
    assert [i["number"] for i in by_name["items"]] == [mine["number"]]
    assert by_name["total"] == 1 and by_name["total_complete"] is True
    assert by_name["items"][0]["requester_name"] == f"Ñandú Gómez {tag}"
    by_email = queue(api, carla, f"q={quote(f'gomez.{tag}@example.cl')}")
    assert [i["number"] for i in by_email["items"]] == [mine["number"]]
    by_text = queue(api, carla, f"q={tag}&order=oldest")
    assert [i["number"] for i in by_text["items"]] == [mine["number"], other["number"]]
    assert by_text["total"] == 2 and by_text["next_cursor"] is None
    by_number = queue(api, carla, f"q={mine['number']}")
    assert [i["number"] for i in by_number["items"]] == [mine["number"]]
    assert queue(api, carla, f"q=zzz{tag}zzz")["items"] == []


def test_an_l1_agent_searches_and_counts_only_their_teams(api: Any, aws: Aws) -> None:
    tag = uuid.uuid4().hex[:8]
    theirs = consulta(api, subject=f"Consulta {tag}")
    foreign = emergency(api, subject=f"Corte {tag}")
    ana = aws.auth("ana.l1")
    found = queue(api, ana, f"q={tag}")
    assert [i["number"] for i in found["items"]] == [theirs["number"]]
    assert queue(api, ana, f"q={foreign['number']}")["items"] == []  # not 'not found': nothing
    assert queue(api, aws.auth("bruno.l2"), f"q={foreign['number']}")["total"] == 1
    page = queue(api, ana, "limit=100")
    assert {i["team"] for i in every_page(api, ana, "limit=100")} <= {"atencion"}
    assert page["total"] == len(every_page(api, ana, "limit=100"))
    assert queue(api, ana, f"q={tag}&team=atencion")["total"] == 1
    refused = api.get(f"/api/v1/agent/queue/new?since={iso(clock.now())}&team=tecnico", headers=ana)
    assert refused.status_code == 403


def test_totals_are_the_number_of_matching_requests_not_the_page(api: Any, aws: Aws) -> None:
    for _ in range(3):
        consulta(api)
    carla = aws.auth("carla.supervisora")
    for query in ("team=atencion", "team=atencion&status=received", "priority=low", "assigned=none"):
        first = queue(api, carla, f"{query}&limit=2")
        assert len(first["items"]) <= 2
        assert first["total"] == len(every_page(api, carla, f"{query}&limit=2")), query
        assert first["total_complete"] is True
        if first["next_cursor"]:  # later pages do not count again
            later = queue(api, carla, f"{query}&limit=2&cursor={first['next_cursor']}")
            assert later["total"] is None


def test_assigned_to_me_and_unassigned(api: Any, aws: Aws) -> None:
    ana = aws.auth("ana.l1")
    ana_sub = aws.logins["ana.l1"].sub
    taken, left = consulta(api), consulta(api)
    assert (
        post(api, f"/api/v1/agent/tickets/{taken['number']}/assign", {"assignee": ana_sub}, ana).status_code
        == 200
    )
    mine = every_page(api, ana, "assigned=me&limit=5")
    assert taken["number"] in {i["number"] for i in mine}
    assert {i["assignee"] for i in mine} == {ana_sub}
    assert queue(api, ana, "assigned=me")["total"] == len(mine)
    free = every_page(api, ana, "assigned=none&limit=5")
    assert left["number"] in {i["number"] for i in free} and taken["number"] not in {
        i["number"] for i in free
    }
    assert {i["assignee"] for i in free} == {None}


def test_newest_and_oldest_are_by_filing_instant_exactly_across_pages(api: Any, aws: Aws) -> None:
    consulta(api)
    emergency(api)
    consulta(api)
    carla = aws.auth("carla.supervisora")
    newest = every_page(api, carla, "order=newest&limit=3")
    oldest = every_page(api, carla, "order=oldest&limit=3")
    keys = [(i["created_at"], i["number"]) for i in newest]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys)
    assert [i["number"] for i in oldest] == [i["number"] for i in reversed(newest)]
    assert {i["number"] for i in newest} == {i["number"] for i in every_page(api, carla, "limit=50")}


def test_new_requests_since_an_instant(api: Any, aws: Aws) -> None:
    carla = aws.auth("carla.supervisora")
    as_of = queue(api, carla, "limit=1")["as_of"]
    assert api.get(f"/api/v1/agent/queue/new?since={as_of}", headers=carla).json_body["count"] == 0
    with clock.advanced(timedelta(seconds=2)):
        consulta(api)
        consulta(api)
        emergency(api)
    body = api.get(f"/api/v1/agent/queue/new?since={as_of}", headers=carla).json_body
    assert body["count"] == 3 and body["complete"] is True
    team = api.get(f"/api/v1/agent/queue/new?since={as_of}&team=atencion", headers=carla).json_body
    assert team["count"] == 2
    ana = api.get(f"/api/v1/agent/queue/new?since={as_of}", headers=aws.auth("ana.l1")).json_body
    assert ana["count"] == 2  # the emergency is another team's


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/agent/queue?order=sideways", "order"),
        ("/api/v1/agent/queue?assigned=them", "assigned"),
        ("/api/v1/agent/queue?status=closed", "status"),
        ("/api/v1/agent/queue?team=NOT%20A%20CODE", "team"),
        ("/api/v1/agent/queue?q=" + "x" * 101, "q"),
        ("/api/v1/agent/queue?q=a%01b", "q"),
        ("/api/v1/agent/queue?q=abc&cursor=eyJ9", "cursor"),
        ("/api/v1/agent/queue/new", "since"),
        ("/api/v1/agent/queue/new?since=yesterday", "since"),
        ("/api/v1/agent/queue/new?since=2026-01-01T00:00:00Z&assigned=x", "assigned"),
    ],
)
def test_bad_queue_input_is_a_400_naming_the_parameter(api: Any, aws: Aws, path: str, name: str) -> None:
    response = api.get(path, headers={**aws.auth("carla.supervisora"), "Accept-Language": "en"})
    assert response.status_code == 400, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    body = json.loads(response.body)
    assert name in json.dumps(body), body
