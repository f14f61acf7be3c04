"""Service levels end to end (issue 4): due dates, pauses, timers through the stream dispatcher,
fired timers (fresh and stale), the legal extension, escalation."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeSerializer

from tests.conftest import Aws, post, ticket_body

SER = TypeSerializer()


@pytest.fixture(autouse=True, scope="module")
def _timer_environment(aws: Aws) -> None:
    from infra.local.scheduler import export_timer_environment

    export_timer_environment(aws.stack.functions)


def create(api: Any, **overrides: Any) -> dict[str, Any]:
    response = post(api, "/api/v1/tickets", ticket_body(**overrides))
    assert response.status_code == 201, response.body
    return dict(response.json_body)


def consulta(api: Any) -> dict[str, Any]:
    return create(api, type="consulta", subtype="general", form={})


def transparencia(api: Any) -> dict[str, Any]:
    return create(
        api,
        type="solicitud-informacion",
        subtype="ley-20285",
        form={"rut": "12.345.678-5", "formato": "correo"},
        subject="Contratos de alumbrado 2025",
    )


def raw_item(aws: Aws, number: str) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"])
    item = table.get_item(Key={"PK": f"TICKET#{number}", "SK": "TICKET"}, ConsistentRead=True)["Item"]
    return dict(item)


def stream_record(old: dict[str, Any] | None, new: dict[str, Any] | None, seq: str = "1") -> dict[str, Any]:
    keys_from = new or old
    assert keys_from is not None
    dynamodb: dict[str, Any] = {
        "Keys": {"PK": SER.serialize(keys_from["PK"]), "SK": SER.serialize(keys_from["SK"])},
        "SequenceNumber": seq,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        dynamodb["OldImage"] = {k: SER.serialize(v) for k, v in old.items()}
    if new is not None:
        dynamodb["NewImage"] = {k: SER.serialize(v) for k, v in new.items()}
    name = "MODIFY" if old and new else ("INSERT" if new else "REMOVE")
    return {"eventID": seq, "eventName": name, "eventSource": "aws:dynamodb", "dynamodb": dynamodb}


def deliver(aws: Aws, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
    answer = aws.stack.functions["StreamFunction"].invoke({"Records": [stream_record(old, new)]})
    assert answer == {"batchItemFailures": []}


def schedules(aws: Aws, number: str) -> dict[str, dict[str, Any]]:
    client = boto3.client("scheduler")
    group = aws.stack.functions["StreamFunction"].environment["SLA_SCHEDULE_GROUP"]
    found: dict[str, dict[str, Any]] = {}
    kwargs: dict[str, Any] = {"GroupName": group, "NamePrefix": f"vt-{number}-"}
    while True:
        page = client.list_schedules(**kwargs)
        for s in page["Schedules"]:
            found[s["Name"]] = client.get_schedule(Name=s["Name"], GroupName=group)
        if not page.get("NextToken"):
            return found
        kwargs["NextToken"] = page["NextToken"]


def staff_get(api: Any, aws: Aws, number: str, who: str = "carla.supervisora") -> dict[str, Any]:
    response = api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth(who))
    assert response.status_code == 200, response.body
    return dict(response.json_body)


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.body
    return dict(json.loads(response.body))


def fields(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


# ---- due dates ----------------------------------------------------------------------------------


def test_new_ticket_has_due_dates_next_due_and_timers(api: Any, aws: Aws) -> None:
    created = consulta(api)
    t = staff_get(api, aws, created["number"])["ticket"]
    assert t["first_response_due"] == t["expected_response_by"] == created["expected_response_by"]
    assert t["resolution_due"] == created["resolution_due"]
    assert t["next_due"] == t["first_response_due"]
    assert t["legal_due"] is None and t["breached"] == []
    kinds = {(x["target"], x["kind"]) for x in t["timers"]}
    assert ("first_response", "breach") in kinds and ("resolution", "breach") in kinds
    assert all(x["name"].startswith(f"vt-{created['number']}-") for x in t["timers"])


def test_regulated_ticket_gets_legal_due_twenty_business_days_later(api: Any, aws: Aws) -> None:
    created = transparencia(api)
    t = staff_get(api, aws, created["number"])["ticket"]
    assert t["legal_kind"] == "CL/access_to_information"
    assert t["legal_due"] is not None and t["legal_due"] > t["first_response_due"]
    assert ("legal", "breach") in {(x["target"], x["kind"]) for x in t["timers"]}
    follow = api.get(
        f"/api/v1/tickets/{created['number']}", headers={"X-Access-Code": created["access_code"]}
    )
    assert follow.json_body["legal_due"] == t["legal_due"]


def test_first_reply_records_business_time_and_drops_first_response_timers(api: Any, aws: Aws) -> None:
    created = consulta(api)
    ana = aws.auth("ana.l1")
    reply = post(
        api, f"/api/v1/agent/tickets/{created['number']}/reply", {"body": "Hola, lo revisamos."}, ana
    )
    t = reply.json_body["ticket"]
    assert t["first_response_business_seconds"] is not None and t["first_response_business_seconds"] >= 0
    assert not any(x["target"] == "first_response" for x in t["timers"])
    assert t["next_due"] == t["resolution_due"]


# ---- pause and resume ------------------------------------------------------------------------------


def test_waiting_for_the_citizen_pauses_and_their_answer_resumes_with_later_dates(api: Any, aws: Aws) -> None:
    from ventanilla import clock

    created = consulta(api)
    number, ana = created["number"], aws.auth("ana.l1")
    before = staff_get(api, aws, number)["ticket"]
    paused = post(api, f"/api/v1/agent/tickets/{number}/status", {"status": "waiting_citizen"}, ana)
    assert paused.status_code == 200, paused.body
    t = paused.json_body["ticket"]
    assert t["pauses"][-1]["end"] is None and t["timers"] == []
    assert t["resolution_due"] == before["resolution_due"]  # last known date stays shown
    with clock.advanced(timedelta(days=7)):
        answer = post(
            api,
            f"/api/v1/tickets/{number}/messages",
            {"body": "Adjunto lo que pidieron."},
            {"X-Access-Code": created["access_code"]},
        )
        assert answer.status_code == 201, answer.body
    after = staff_get(api, aws, number)["ticket"]
    assert after["status"] == "in_progress" and after["pauses"][-1]["end"] is not None
    assert after["resolution_due"] > before["resolution_due"]  # a week paused: due moves later
    assert after["timers"]
    actions = [e["action"] for e in staff_get(api, aws, number)["history"]]
    assert actions.index("sla_paused") < actions.index("sla_resumed")
    timeline = [e["action"] for e in answer.json_body["timeline"]]
    assert "sla_paused" in timeline and "sla_resumed" in timeline  # the citizen sees each pause


# ---- timers through the stream function ------------------------------------------------------------


def test_timers_created_moved_and_deleted_by_the_stream_function(api: Any, aws: Aws) -> None:
    created = consulta(api)
    number, ana = created["number"], aws.auth("ana.l1")
    first = raw_item(aws, number)
    deliver(aws, None, first)
    made = schedules(aws, number)
    assert set(made) == {t["name"] for t in first["timers"]}
    breach = made[f"vt-{number}-resolution-breach"]
    assert breach["ActionAfterCompletion"] == "DELETE"
    assert breach["ScheduleExpression"].startswith("at(")
    assert json.loads(breach["Target"]["Input"])["number"] == number
    deliver(aws, None, first)  # a retried record: same names, nothing doubled
    assert set(schedules(aws, number)) == set(made)

    post(api, f"/api/v1/agent/tickets/{number}/status", {"status": "waiting_citizen"}, ana)
    paused = raw_item(aws, number)
    deliver(aws, first, paused)
    assert schedules(aws, number) == {}  # paused: every timer deleted

    post(api, f"/api/v1/agent/tickets/{number}/status", {"status": "in_progress"}, ana)
    resumed = raw_item(aws, number)
    deliver(aws, paused, resumed)
    again = schedules(aws, number)
    assert set(again) == {t["name"] for t in resumed["timers"]}


def test_unrelated_records_are_ignored_by_the_timers_function(aws: Aws) -> None:
    event_item = {"PK": "TICKET#2026-999999", "SK": "EV#x", "entity": "event"}
    deliver(aws, None, event_item)


# ---- fired timers --------------------------------------------------------------------------------------


def fire(aws: Aws, payload: dict[str, Any]) -> str:
    return str(aws.stack.functions["SlaFiredFunction"].invoke(payload)["outcome"])


def payload_of(ticket: dict[str, Any], target: str, kind: str) -> dict[str, Any]:
    timer = next(t for t in ticket["timers"] if t["target"] == target and t["kind"] == kind)
    return {"number": ticket["number"], **{k: timer[k] for k in ("name", "target", "kind", "fire_at")}}


def test_a_stale_timer_does_nothing(api: Any, aws: Aws) -> None:
    created = consulta(api)
    t = staff_get(api, aws, created["number"])["ticket"]
    payload = payload_of(t, "resolution", "breach")
    moved = {**payload, "fire_at": "2020-01-01T12:00:00.000Z"}  # an old instant: the timer moved since
    assert fire(aws, moved) == "stale"
    assert fire(aws, {**payload, "number": "2026-999998"}) == "stale"  # no such ticket
    after = staff_get(api, aws, created["number"])["ticket"]
    assert after["version"] == t["version"] and after["breached"] == []


def test_warning_then_breach_set_flags_history_and_escalate_per_policy(api: Any, aws: Aws) -> None:
    from ventanilla import domain_events

    created = consulta(api)
    number = created["number"]
    t = staff_get(api, aws, number)["ticket"]
    assert fire(aws, payload_of(t, "first_response", "warning_50")) == "warned"
    assert fire(aws, payload_of(t, "first_response", "warning_50")) == "stale"  # fired twice: once
    t = staff_get(api, aws, number)["ticket"]
    assert "first_response:warning_50" in t["warned"]
    assert fire(aws, payload_of(t, "first_response", "breach")) == "breached"
    view = staff_get(api, aws, number)
    assert view["ticket"]["breached"] == ["first_response"]
    breach_event = next(e for e in view["history"] if e["action"] == "sla_breached")
    assert breach_event["public"] is False and breach_event["data"]["target"] == "first_response"
    image = {**breach_event, "entity": "event", "actor": breach_event["actor"]}
    published = domain_events.from_stream_record("INSERT", image)
    assert published[0].detail_type == "SlaBreached"
    assert published[0].detail["notify"] == ["team", "supervisor"]
    assert "body" not in published[0].detail
    follow = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": created["access_code"]})
    assert "sla_breached" not in [e["action"] for e in follow.json_body["timeline"]]  # internal


def test_local_scheduler_fires_due_schedules_on_the_moved_clock(api: Any, aws: Aws) -> None:
    from infra.local.scheduler import LocalScheduler
    from ventanilla import clock

    created = consulta(api)
    number = created["number"]
    deliver(aws, None, raw_item(aws, number))
    group = aws.stack.functions["StreamFunction"].environment["SLA_SCHEDULE_GROUP"]
    runner = LocalScheduler(aws.stack.functions, group, aws.stack.moto)
    assert not [n for n, _ in runner.fire_due() if number in n]  # nothing due yet
    due = datetime.fromisoformat(staff_get(api, aws, number)["ticket"]["first_response_due"])
    with clock.advanced(due - clock.now() + timedelta(minutes=1)):
        fired = {n: a for n, a in runner.fire_due() if f"vt-{number}-" in n}
    assert fired[f"vt-{number}-first_response-breach"] == {"outcome": "breached"}
    assert f"vt-{number}-first_response-breach" not in schedules(aws, number)  # deleted after firing
    assert "first_response" in staff_get(api, aws, number)["ticket"]["breached"]


# ---- legal extension -----------------------------------------------------------------------------------


def test_extension_once_with_justification_the_citizen_sees(api: Any, aws: Aws) -> None:
    created = transparencia(api)
    number, bruno = created["number"], aws.auth("bruno.l2")
    before = staff_get(api, aws, number)["ticket"]
    path = f"/api/v1/agent/tickets/{number}/extension"
    assert fields(problem(post(api, path, {"days": 5, "justification": ""}, bruno), 422)) == {"justification"}
    assert fields(problem(post(api, path, {"days": 5}, bruno), 422)) == {"justification"}
    too_long = problem(post(api, path, {"days": 11, "justification": "Volumen de documentos"}, bruno), 422)
    assert fields(too_long) == {"days"}
    assert staff_get(api, aws, number)["ticket"]["version"] == before["version"]  # nothing written
    reason = "Se requiere reunir antecedentes de tres direcciones municipales."
    ok = post(api, path, {"days": 10, "justification": reason}, bruno)
    assert ok.status_code == 200, ok.body
    t = ok.json_body["ticket"]
    assert t["legal_due"] > before["legal_due"] and t["extensions_used"] == 1
    # the justification is the first public word from staff: answered, and in progress like a reply
    assert before["status"] == "received" and t["status"] == "in_progress" and t["first_response_at"]
    again = problem(post(api, path, {"days": 1, "justification": "Otra vez por favor"}, bruno), 422)
    assert again["errors"][0]["code"] == "extension_already_applied"
    follow = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": created["access_code"]})
    entry = next(e for e in follow.json_body["timeline"] if e["action"] == "extension")
    assert entry["body"] == reason
    assert follow.json_body["legal_due"] == t["legal_due"]


def test_extension_refused_for_unregulated_request_and_legal_term_survives_reclassify(
    api: Any, aws: Aws
) -> None:
    plain = consulta(api)
    response = post(
        api,
        f"/api/v1/agent/tickets/{plain['number']}/extension",
        {"days": 5, "justification": "No corresponde aquí"},
        aws.auth("ana.l1"),
    )
    assert problem(response, 409)["code"] == "not_regulated"
    regulated = transparencia(api)
    moved = post(
        api,
        f"/api/v1/agent/tickets/{regulated['number']}/reclassify",
        {"type": "consulta", "subtype": "general"},
        aws.auth("carla.supervisora"),
    )
    assert moved.status_code == 200, moved.body
    assert moved.json_body["ticket"]["legal_kind"] == "CL/access_to_information"
    assert moved.json_body["ticket"]["legal_due"] is not None


# ---- escalation and reclassification ------------------------------------------------------------------


def test_escalate_by_hand_to_next_tier_with_reason(api: Any, aws: Aws) -> None:
    created = consulta(api)
    number, ana = created["number"], aws.auth("ana.l1")
    path = f"/api/v1/agent/tickets/{number}/escalate"
    assert fields(problem(post(api, path, {}, ana), 422)) == {"reason"}
    assert fields(problem(post(api, path, {"reason": "otra", "to_tier": "L1"}, ana), 422)) == {"to_tier"}
    ok = post(api, path, {"reason": "Requiere revisión técnica"}, ana)
    assert ok.status_code == 200, ok.body
    assert ok.json_body["ticket"]["tier"] == "L2" and ok.json_body["ticket"]["escalation_level"] == 1
    event = ok.json_body["history"][-1]
    assert event["action"] == "escalated" and event["public"] is False and event["data"]["tier"] == "L2"
    top = post(api, path, {"reason": "a L3", "to_tier": "L3"}, ana)
    assert top.status_code == 200
    assert problem(post(api, path, {"reason": "más arriba"}, ana), 409)["code"] == "no_higher_tier"


def test_priority_change_recomputes_and_is_recorded(api: Any, aws: Aws) -> None:
    created = consulta(api)
    number = created["number"]
    response = post(
        api, f"/api/v1/agent/tickets/{number}/reclassify", {"priority": "critical"}, aws.auth("ana.l1")
    )
    assert response.status_code == 200, response.body
    assert response.json_body["ticket"]["priority"] == "critical"
    assert response.json_body["history"][-1]["action"] == "priority_changed"
    bad = post(api, f"/api/v1/agent/tickets/{number}/reclassify", {"priority": "urgent"}, aws.auth("ana.l1"))
    assert fields(problem(bad, 422)) == {"priority"}


@pytest.mark.parametrize("path", ["extension", "escalate"])
def test_staff_of_another_team_cannot_act(api: Any, aws: Aws, path: str) -> None:
    created = create(api)  # reclamo/servicio lands in team tecnico; ana.l1 is atencion only
    body = (
        {"days": 5, "justification": "Justificación suficiente"}
        if path == "extension"
        else {"reason": "x y z"}
    )
    response = post(api, f"/api/v1/agent/tickets/{created['number']}/{path}", body, aws.auth("ana.l1"))
    assert response.status_code == 403


def test_extension_moves_the_legal_schedules_through_the_stream_function(api: Any, aws: Aws) -> None:
    created = transparencia(api)
    number = created["number"]
    first = raw_item(aws, number)
    deliver(aws, None, first)
    before = schedules(aws, number)
    reason = "Antecedentes dispersos en varias unidades municipales."
    response = post(
        api,
        f"/api/v1/agent/tickets/{number}/extension",
        {"days": 10, "justification": reason},
        aws.auth("bruno.l2"),
    )
    assert response.status_code == 200, response.body
    extended = raw_item(aws, number)
    deliver(aws, first, extended)
    after = schedules(aws, number)
    name = f"vt-{number}-legal-breach"
    assert after[name]["ScheduleExpression"] > before[name]["ScheduleExpression"]  # moved later
    # The resolution target cannot stay before the extended legal term: it moves with it.
    followed = f"vt-{number}-resolution-breach"
    assert after[followed]["ScheduleExpression"] == after[name]["ScheduleExpression"]
    # The justification told to the citizen is the first response: its timers are gone.
    assert set(after) == {n for n in before if "-first_response-" not in n}


# ---- escalation levels before and after due ----------------------------------------------------------


def _put_policy(api: Any, aws: Aws, body: dict[str, Any]) -> Any:
    headers = {"Content-Type": "application/json", **aws.auth("carla.supervisora")}
    return api.put("/api/v1/admin/sla-policy", body=json.dumps(body), headers=headers)


def test_levels_before_and_after_due_notify_escalate_and_reassign(api: Any, aws: Aws) -> None:
    path = "/api/v1/admin/sla-policy"
    current = api.get(path, headers=aws.auth("carla.supervisora")).json_body
    current.pop("version")  # this test restores what it read, whatever was saved since
    policy = {
        **current,
        "on_warning": ["notify_assignee", "notify_supervisor"],
        "overdue": [
            {"after_hours": 4, "actions": ["notify_supervisor", "next_tier"]},
            {"after_hours": 8, "actions": ["reassign"]},
        ],
    }
    bruno = aws.auth("bruno.l2")
    try:
        assert _put_policy(api, aws, policy).status_code == 200
        created = consulta(api)
        number = created["number"]
        assign = post(
            api,
            f"/api/v1/agent/tickets/{number}/assign",
            {"assignee": aws.logins["ana.l1"].sub},
            aws.auth("ana.l1"),
        )
        assert assign.status_code == 200, assign.body
        t = staff_get(api, aws, number)["ticket"]
        assert not [x for x in t["timers"] if x["kind"].startswith("overdue_")]  # only once missed

        assert fire(aws, payload_of(t, "resolution", "warning_50")) == "warned"
        view = staff_get(api, aws, number)
        warning = next(e for e in view["history"] if e["action"] == "sla_warning")
        assert warning["data"]["notify"] == [t["assignee"], "supervisor"]  # before due: the policy's

        assert fire(aws, payload_of(view["ticket"], "resolution", "breach")) == "breached"
        t = staff_get(api, aws, number)["ticket"]
        overdue = {x["kind"]: x for x in t["timers"] if x["target"] == "resolution"}
        assert set(overdue) == {"overdue_1", "overdue_2"}
        assert overdue["overdue_1"]["fire_at"] < overdue["overdue_2"]["fire_at"]
        assert datetime.fromisoformat(overdue["overdue_1"]["fire_at"]) > datetime.fromisoformat(
            t["resolution_due"]
        )

        assert fire(aws, payload_of(t, "resolution", "overdue_1")) == "escalated"
        assert fire(aws, payload_of(t, "resolution", "overdue_1")) == "stale"  # once
        view = staff_get(api, aws, number)
        assert view["ticket"]["tier"] == "L2" and view["ticket"]["escalation_level"] == 1
        escalated = next(e for e in view["history"] if e["action"] == "escalated")
        assert escalated["data"]["cause"] == "overdue_1:resolution"

        put = api.put(
            "/api/v1/agent/me/availability",
            body=json.dumps({"available": True, "capacity": 50}),
            headers={"Content-Type": "application/json", **bruno},
        )
        assert put.status_code == 200, put.body
        before = view["ticket"]["assignee"]
        assert fire(aws, payload_of(view["ticket"], "resolution", "overdue_2")) == "escalated"
        view = staff_get(api, aws, number)
        assert view["ticket"]["assignee"] not in (None, before)  # someone else of the team
        moved = [e for e in view["history"] if e["action"] == "assigned" and e["data"].get("mode")]
        assert moved[-1]["data"]["mode"] == "escalation" and moved[-1]["data"]["previous_assignee"] == before
        assert not [x for x in view["ticket"]["timers"] if x["kind"].startswith("overdue_")]
    finally:
        assert _put_policy(api, aws, current).status_code == 200
        api.put(
            "/api/v1/agent/me/availability",
            body=json.dumps({"available": True}),  # demo agents start available
            headers={"Content-Type": "application/json", **bruno},
        )


def test_overdue_levels_must_ascend_and_name_known_actions(api: Any, aws: Aws) -> None:
    current = api.get("/api/v1/admin/sla-policy", headers=aws.auth("carla.supervisora")).json_body
    descending = {
        **current,
        "overdue": [
            {"after_hours": 8, "actions": ["reassign"]},
            {"after_hours": 4, "actions": ["next_tier"]},
        ],
    }
    assert fields(problem(_put_policy(api, aws, descending), 422)) == {"overdue"}
    unknown = {**current, "overdue": [{"after_hours": 8, "actions": ["fire_everyone"]}]}
    assert "overdue.0.actions.0" in fields(problem(_put_policy(api, aws, unknown), 422))
    empty = {**current, "overdue": [{"after_hours": 8, "actions": []}]}
    assert "overdue.0.actions" in fields(problem(_put_policy(api, aws, empty), 422))
    after = api.get("/api/v1/admin/sla-policy", headers=aws.auth("carla.supervisora")).json_body
    assert after == current  # nothing half written
