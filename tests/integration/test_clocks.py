"""Service-level and legal clocks that are right: the first response whatever route carries it,
the resolution target after a legal extension, the receipt of a regulated request, escalation
that leaves the L1 agent's hands and alerts the tier, and warnings that reach someone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import Aws, post
from tests.integration.test_notifications import drain, publish_history, sent
from tests.integration.test_sla import (
    _timer_environment,  # noqa: F401  (autouse: the timers functions' environment)
    consulta,
    create,
    deliver,
    fire,
    payload_of,
    raw_item,
    schedules,
    staff_get,
    transparencia,
)

REASON = "Antecedentes dispersos en tres direcciones municipales."


def extend(api: Any, aws: Aws, number: str, days: int) -> Any:
    body = {"days": days, "justification": REASON}
    return post(api, f"/api/v1/agent/tickets/{number}/extension", body, aws.auth("bruno.l2"))


# ---- 1. any public message from staff is the first response ----------------------------------------


def _ask_while_waiting(api: Any, aws: Aws, number: str) -> Any:
    body = {"status": "waiting_citizen", "body": "Envíenos una foto del poste y su número."}
    return post(api, f"/api/v1/agent/tickets/{number}/status", body, aws.auth("ana.l1"))


def _resolve_with_answer(api: Any, aws: Aws, number: str) -> Any:
    body = {"status": "resolved", "body": "La cuadrilla reparó la luminaria el martes."}
    return post(api, f"/api/v1/agent/tickets/{number}/status", body, aws.auth("ana.l1"))


@pytest.mark.parametrize("route", [_ask_while_waiting, _resolve_with_answer])
def test_a_public_message_carried_by_a_status_change_is_the_first_response(
    api: Any, aws: Aws, route: Any
) -> None:
    created = consulta(api)
    number = created["number"]
    before = staff_get(api, aws, number)["ticket"]
    response = route(api, aws, number)
    assert response.status_code == 200, response.body
    t = response.json_body["ticket"]
    assert t["first_response_at"] is not None and t["first_response_business_seconds"] is not None
    if t["status"] == "waiting_citizen":
        moved = post(
            api, f"/api/v1/agent/tickets/{number}/status", {"status": "in_progress"}, aws.auth("ana.l1")
        )
        t = moved.json_body["ticket"]
    assert not [x for x in t["timers"] if x["target"] == "first_response"]
    # The breach scheduled at filing no longer applies: nothing is recorded, nothing escalates.
    assert fire(aws, payload_of(before, "first_response", "breach")) == "stale"
    assert "first_response" not in staff_get(api, aws, number)["ticket"]["breached"]


def test_the_extension_told_to_the_citizen_is_a_first_response(api: Any, aws: Aws) -> None:
    created = transparencia(api)
    number = created["number"]
    before = staff_get(api, aws, number)["ticket"]
    ok = extend(api, aws, number, 5)
    assert ok.status_code == 200, ok.body
    assert ok.json_body["ticket"]["first_response_at"] is not None
    assert fire(aws, payload_of(before, "first_response", "breach")) == "stale"


def test_a_status_change_without_a_message_or_an_internal_note_is_not_a_first_response(
    api: Any, aws: Aws
) -> None:
    created = consulta(api)
    number, ana = created["number"], aws.auth("ana.l1")
    moved = post(api, f"/api/v1/agent/tickets/{number}/status", {"status": "in_progress"}, ana)
    assert moved.json_body["ticket"]["first_response_at"] is None
    noted = post(api, f"/api/v1/agent/tickets/{number}/note", {"body": "Revisar con bodega."}, ana)
    assert noted.status_code == 200, noted.body
    t = noted.json_body["ticket"]
    assert t["first_response_at"] is None
    assert [x for x in t["timers"] if x["target"] == "first_response"]


# ---- 2. the resolution target follows the legal term after an extension ---------------------------


def test_after_an_extension_the_resolution_target_and_its_timers_follow_the_legal_term(
    api: Any, aws: Aws
) -> None:
    created = transparencia(api)
    number = created["number"]
    first = raw_item(aws, number)
    deliver(aws, None, first)
    filed = staff_get(api, aws, number)["ticket"]
    assert filed["resolution_due"] <= filed["legal_due"]
    ok = extend(api, aws, number, 10)
    assert ok.status_code == 200, ok.body
    t = ok.json_body["ticket"]
    assert t["legal_due"] > filed["legal_due"]
    assert t["resolution_due"] == t["legal_due"]  # never earlier than the law now allows
    # The schedules follow through the table stream, and the old breach instant records nothing.
    deliver(aws, first, raw_item(aws, number))
    made = schedules(aws, number)
    breach = made[f"vt-{number}-resolution-breach"]["ScheduleExpression"]
    due_utc = datetime.fromisoformat(t["resolution_due"]).astimezone(UTC)
    assert breach == f"at({due_utc.strftime('%Y-%m-%dT%H:%M:%S')})"
    assert fire(aws, payload_of(filed, "resolution", "breach")) == "stale"
    assert fire(aws, payload_of(filed, "resolution", "warning_80")) == "stale"
    assert staff_get(api, aws, number)["ticket"]["breached"] == []
    # What the citizen sees: one date, the extended one.
    follow = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": created["access_code"]})
    assert follow.json_body["resolution_due"] == follow.json_body["legal_due"] == t["legal_due"]


@pytest.mark.parametrize(
    ("lang", "words"), [("es", ("Plazo legal", "Ley 20.285")), ("en", ("Legal deadline", "Ley 20.285"))]
)
def test_the_receipt_of_a_regulated_request_states_the_legal_deadline_and_the_law(
    api: Any, aws: Aws, lang: str, words: tuple[str, str]
) -> None:
    from ventanilla.notify.render import format_date
    from ventanilla.notify.sms import segments
    from ventanilla.services.due_dates import institution_calendar

    drain(aws)
    email = f"vecino-{uuid.uuid4().hex[:10]}@example.cl"
    phone = f"+56 9 5{uuid.uuid4().int % 10**7:07d}"
    created = create(
        api,
        type="solicitud-informacion",
        subtype="ley-20285",
        form={"rut": "12.345.678-5", "formato": "correo"},
        requester={
            "name": "Rosa Díaz",
            "email": email,
            "phone": phone,
            "channels": ["email", "sms"],
            "consent": True,
            "language": lang,
        },
    )
    number = created["number"]
    publish_history(number, {"created"})
    drain(aws)
    legal = datetime.fromisoformat(staff_get(api, aws, number)["ticket"]["legal_due"])
    day = legal.astimezone(institution_calendar().zone).date()
    [mail] = sent(email, "email")
    for part in (mail["text"], mail["html"]):
        assert words[0] in part and words[1] in part, part
        assert format_date(day, "long", lang) in part  # type: ignore[arg-type]
    [sms] = sent(phone.replace(" ", ""), "sms")
    assert "20.285" in sms["text"] and format_date(day, "day_month", lang) in sms["text"]  # type: ignore[arg-type]
    assert segments(sms["text"]) <= 2 and created["access_code"] in sms["text"]


def test_the_receipt_of_an_unregulated_request_names_no_law(api: Any, aws: Aws) -> None:
    drain(aws)
    email = f"vecina-{uuid.uuid4().hex[:10]}@example.cl"
    created = create(
        api,
        type="consulta",
        subtype="general",
        form={},
        requester={"name": "Rosa Díaz", "email": email, "channels": ["email"], "consent": True},
    )
    publish_history(created["number"], {"created"})
    drain(aws)
    [mail] = sent(email, "email")
    assert "Plazo legal" not in mail["text"] and "Ley" not in mail["text"]
    assert "\n\nGuarde el número" in mail["text"]  # the optional line leaves the layout as it was


# ---- 4. escalation leaves the L1 agent's hands and alerts the tier ---------------------------------


def _availability(api: Any, aws: Aws, who: str, available: bool) -> None:
    import json

    answer = api.put(
        "/api/v1/agent/me/availability",
        body=json.dumps({"available": available, "capacity": 50}),
        headers={"Content-Type": "application/json", **aws.auth(who)},
    )
    assert answer.status_code == 200, answer.body


def _email_of(aws: Aws, who: str) -> str:
    from ventanilla.storage import people

    profile = people.get_staff(aws.logins[who].sub)
    assert profile is not None and profile.email
    return profile.email


def _alerts(aws: Aws, who: str, number: str) -> list[dict[str, Any]]:
    return [m for m in sent(_email_of(aws, who), "email") if number in m["subject"]]


def _assigned_to_ana(api: Any, aws: Aws) -> str:
    number = str(consulta(api)["number"])  # atencion, L1
    mine = post(
        api,
        f"/api/v1/agent/tickets/{number}/assign",
        {"assignee": aws.logins["ana.l1"].sub},
        aws.auth("ana.l1"),
    )
    assert mine.status_code == 200, mine.body
    return number


def test_escalating_by_hand_unassigns_the_l1_agent_and_alerts_the_l2_tier_and_supervisors(
    api: Any, aws: Aws
) -> None:
    _availability(api, aws, "ana.l1", True)
    _availability(api, aws, "bruno.l2", True)
    drain(aws)
    number = _assigned_to_ana(api, aws)
    up = post(
        api,
        f"/api/v1/agent/tickets/{number}/escalate",
        {"reason": "Requiere revisión técnica"},
        aws.auth("ana.l1"),
    )
    assert up.status_code == 200, up.body
    t = up.json_body["ticket"]
    assert t["tier"] == "L2" and t["assignee"] is None  # in the L2 queue, out of Ana's hands
    handed = [e for e in up.json_body["history"] if e["action"] == "assigned"][-1]
    assert handed["data"]["previous_assignee"] == aws.logins["ana.l1"].sub
    publish_history(number, {"escalated"})
    drain(aws)
    assert len(_alerts(aws, "bruno.l2", number)) == 1  # an available L2 agent of the team
    assert len(_alerts(aws, "carla.supervisora", number)) == 1  # the team's supervisor


def test_an_unavailable_l2_agent_is_not_alerted_and_an_assignment_mode_picks_an_l2_agent(
    api: Any, aws: Aws
) -> None:
    import json

    carla = aws.auth("carla.supervisora")
    path = "/api/v1/admin/sla-policy"
    current = api.get(path, headers=carla).json_body
    current.pop("version")  # this test restores what it read, whatever was saved since
    _availability(api, aws, "ana.l1", True)
    _availability(api, aws, "bruno.l2", False)
    drain(aws)
    number = _assigned_to_ana(api, aws)
    post(api, f"/api/v1/agent/tickets/{number}/escalate", {"reason": "Caso complejo"}, aws.auth("ana.l1"))
    publish_history(number, {"escalated"})
    drain(aws)
    assert _alerts(aws, "bruno.l2", number) == []
    assert len(_alerts(aws, "carla.supervisora", number)) == 1
    # With least_loaded for the team, the escalated request goes to an L2 agent, never back to L1.
    _availability(api, aws, "bruno.l2", True)
    headers = {"Content-Type": "application/json", **carla}
    try:
        policy = {**current, "assignment": {"atencion": "least_loaded"}}
        assert api.put(path, body=json.dumps(policy), headers=headers).status_code == 200
        second = _assigned_to_ana(api, aws)
        up = post(api, f"/api/v1/agent/tickets/{second}/escalate", {"reason": "Nivel 2"}, aws.auth("ana.l1"))
        assert up.json_body["ticket"]["assignee"] == aws.logins["bruno.l2"].sub
    finally:
        assert api.put(path, body=json.dumps(current), headers=headers).status_code == 200


def test_escalation_by_the_breach_policy_hands_over_too(api: Any, aws: Aws) -> None:
    import json

    carla = aws.auth("carla.supervisora")
    path = "/api/v1/admin/sla-policy"
    current = api.get(path, headers=carla).json_body
    current.pop("version")  # this test restores what it read, whatever was saved since
    headers = {"Content-Type": "application/json", **carla}
    _availability(api, aws, "bruno.l2", True)
    try:
        policy = {**current, "on_breach": ["notify_assignee", "next_tier"]}
        assert api.put(path, body=json.dumps(policy), headers=headers).status_code == 200
        number = _assigned_to_ana(api, aws)
        t = staff_get(api, aws, number)["ticket"]
        assert fire(aws, payload_of(t, "resolution", "breach")) == "breached"
    finally:
        assert api.put(path, body=json.dumps(current), headers=headers).status_code == 200
    view = staff_get(api, aws, number)
    assert view["ticket"]["tier"] == "L2" and view["ticket"]["assignee"] is None
    escalated = next(e for e in view["history"] if e["action"] == "escalated")
    assert "tier:L2" in escalated["data"]["notify"]


# ---- 5. warnings on unassigned requests reach the supervisors and available agents ----------------


def test_a_warning_on_an_unassigned_request_reaches_supervisors_and_available_agents_only(
    api: Any, aws: Aws
) -> None:
    _availability(api, aws, "ana.l1", False)
    _availability(api, aws, "bruno.l2", True)
    drain(aws)
    number = str(consulta(api)["number"])
    t = staff_get(api, aws, number)["ticket"]
    assert t["assignee"] is None
    assert fire(aws, payload_of(t, "first_response", "warning_50")) == "warned"
    publish_history(number, {"sla_warning"})
    drain(aws)
    assert len(_alerts(aws, "carla.supervisora", number)) == 1
    assert len(_alerts(aws, "bruno.l2", number)) == 1
    assert _alerts(aws, "ana.l1", number) == []  # not taking requests now
    _availability(api, aws, "ana.l1", True)


def test_demo_agents_start_available(api: Any, aws: Aws) -> None:
    from infra.local import demo

    _availability(api, aws, "ana.l1", False)
    demo.seed_availability(list(aws.logins.values()))
    for who in ("ana.l1", "bruno.l2"):
        got = api.get("/api/v1/agent/me/availability", headers=aws.auth(who)).json_body
        assert got["available"] is True, who
    editor = api.get("/api/v1/agent/me/availability", headers=aws.auth("diana.editora"))
    assert editor.status_code == 403
