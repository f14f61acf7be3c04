"""Inbound SMS through the real path: the JSON End User Messaging publishes, on the stack's SNS
topic (what POST /dev/sms-in does), delivered by moto to the queue SmsInFunction reads."""

from __future__ import annotations

import json
import random
import uuid
from typing import Any

from tests.conftest import Aws, post, ticket_body
from tests.integration.test_notifications import drain, history_events, poller, publish_history, sent


def phone() -> tuple[str, str]:
    """A random Chilean mobile (from +56 9 8, all assigned), as typed and in E.164."""
    digits = f"8{random.randint(0, 9_999_999):07d}"
    return f"+56 9 {digits[:4]} {digits[4:]}", f"+569{digits}"


def text(aws: Aws, sender: str, body: str, message_id: str | None = None) -> None:
    from infra.local.sms_in import publish

    message = {
        "originationNumber": sender,
        "messageBody": body,
        "inboundMessageId": message_id or uuid.uuid4().hex,
    }
    status, _, _ = publish(json.dumps(message).encode())
    assert status == 202
    poller(aws, "SmsInFunction", "Inbound").drain(timeout=60)


def messages(number: str) -> list[dict[str, Any]]:
    return [e for e in history_events(number) if e["action"] == "message"]


def test_a_text_from_the_requesters_phone_is_appended_once(api: Any, aws: Aws) -> None:
    _, mobile = phone()
    created = post(
        api,
        "/api/v1/tickets",
        ticket_body(
            type="consulta",
            subtype="general",
            form={},
            requester={"phone": mobile, "email": f"sms-{uuid.uuid4().hex[:8]}@example.cl"},
        ),
    )
    number = created.json_body["number"]
    text(aws, mobile, f"{number} Ya tengo el certificado", "sms-1")
    text(aws, mobile, f"{number} Ya tengo el certificado", "sms-1")  # redelivered: once
    [message] = messages(number)
    assert message["body"] == "Ya tengo el certificado" and message["channel"] == "sms"
    assert message["actor"]["kind"] == "citizen"
    assert any(number in m["text"] and "Recibimos su mensaje" in m["text"] for m in sent(mobile, "sms"))
    view = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": created.json_body["access_code"]})
    assert any(e["action"] == "message" and e["channel"] == "sms" for e in view.json_body["timeline"])


def test_a_text_naming_a_merged_request_goes_on_with_the_one_it_was_merged_into(api: Any, aws: Aws) -> None:
    """As a reply in a merged request's email thread: the conversation continues on the survivor,
    and the confirmation names it; a request merged into another person's opens a request instead."""
    from tests.integration.test_merge import merge

    _, mobile = phone()
    requester = {"phone": mobile, "email": f"sms-{uuid.uuid4().hex[:8]}@example.cl"}
    first, second = (
        post(
            api,
            "/api/v1/tickets",
            ticket_body(type="consulta", subtype="general", form={}, requester=requester),
        ).json_body["number"]
        for _ in range(2)
    )
    assert merge(api, aws, first, second).status_code == 200
    text(aws, mobile, f"{first} Adjunto el comprobante")
    assert messages(first) == []
    [message] = messages(second)
    assert message["body"] == "Adjunto el comprobante" and message["channel"] == "sms"
    assert any(second in m["text"] and "Recibimos su mensaje" in m["text"] for m in sent(mobile, "sms"))

    _, other = phone()
    theirs = post(
        api,
        "/api/v1/tickets",
        ticket_body(type="consulta", subtype="general", form={}, requester={"phone": other}),
    ).json_body["number"]
    mine = post(
        api, "/api/v1/tickets", ticket_body(type="consulta", subtype="general", form={}, requester=requester)
    ).json_body["number"]
    assert merge(api, aws, mine, theirs).status_code == 200
    text(aws, mobile, f"{mine} sigo esperando")
    assert messages(theirs) == [] and messages(mine) == []  # not into another person's request


def test_another_phone_naming_a_request_opens_its_own_and_learns_nothing(api: Any, aws: Aws) -> None:
    _, owner = phone()
    _, stranger = phone()
    created = post(
        api,
        "/api/v1/tickets",
        ticket_body(type="consulta", subtype="general", form={}, requester={"phone": owner}),
    )
    number = created.json_body["number"]
    text(aws, stranger, f"{number} quiero ver esto")
    assert messages(number) == []
    from ventanilla.storage import people, tickets

    citizen = people.find_citizen_id(people.contact_hash("phone", stranger))
    assert citizen is not None
    [own] = tickets.by_citizen(citizen, 5)
    assert own.number != number and own.channel == "sms" and own.requester.phone == stranger
    assert all(number not in m["text"] for m in sent(stranger, "sms"))


def test_a_new_text_opens_a_request_and_the_receipt_sms_gives_number_and_link(api: Any, aws: Aws) -> None:
    drain(aws)
    _, mobile = phone()
    text(aws, mobile, "Hay un poste caído en calle Los Aromos 123")
    from ventanilla.storage import people, tickets

    citizen = people.find_citizen_id(people.contact_hash("phone", mobile))
    [ticket] = tickets.by_citizen(citizen or "", 5)
    assert ticket.channel == "sms" and ticket.subject.startswith("Hay un poste caído")
    assert ticket.type_code == "consulta" and ticket.requester.channels == ["sms"]
    publish_history(ticket.number)
    drain(aws)
    [receipt] = [m for m in sent(mobile, "sms") if ticket.number in m["text"]]
    assert (
        f"#/solicitud/{ticket.number}" in receipt["text"]
        or "/s/" in receipt["text"]
        or "http" in receipt["text"]
    )


def test_baja_opts_the_phone_out_and_nonsense_is_ignored(api: Any, aws: Aws) -> None:
    _, mobile = phone()
    created = post(
        api,
        "/api/v1/tickets",
        ticket_body(
            type="consulta",
            subtype="general",
            form={},
            requester={"phone": mobile, "email": f"sms-{uuid.uuid4().hex[:8]}@example.cl"},
        ),
    )
    assert created.status_code == 201
    text(aws, mobile, "BAJA")
    from ventanilla.storage import notices, people

    citizen = people.find_citizen_id(people.contact_hash("phone", mobile))
    assert "sms" in notices.opted_out(f"CITIZEN#{citizen}")
    assert any("no le enviaremos más SMS" in m["text"] for m in sent(mobile, "sms"))
    # A sender that is no phone number, or an empty text, opens nothing.
    from ventanilla.services import sms_intake

    assert sms_intake.handle({"originationNumber": "hola", "messageBody": "x"}) == "invalid_sender"
    assert sms_intake.handle({"originationNumber": mobile, "messageBody": "   "}) == "empty"
