"""Merging a request into another (B8): copies, closure pointing to the survivor, the citizen's view
of the old number, the notice with both numbers, history on both, and every refusal writing nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.conftest import Aws, post, table_items, ticket_body
from tests.integration.test_notifications import drain, publish_history, sent
from ventanilla.models.attachments import Attachment
from ventanilla.models.common import utcnow


def filed(api: Any, email: str | None = None) -> tuple[str, str, str]:
    email = email or f"vecina-{uuid.uuid4().hex[:8]}@example.cl"
    body = ticket_body(
        type="consulta",
        subtype="general",
        form={},
        requester={"email": email, "phone": None, "channels": ["email"]},
    )
    response = post(api, "/api/v1/tickets", body)
    assert response.status_code == 201, response.body
    return str(response.json_body["number"]), str(response.json_body["access_code"]), email


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    return dict(json.loads(response.body))


def merge(api: Any, aws: Aws, number: str, into: str, who: str = "ana.l1", **extra: Any) -> Any:
    return post(api, f"/api/v1/agent/tickets/{number}/merge", {"into": into, **extra}, aws.auth(who))


def staff_ticket(api: Any, aws: Aws, number: str) -> dict[str, Any]:
    return dict(api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth("ana.l1")).json_body)


def test_merge_copies_closes_tells_the_citizen_and_the_old_number_shows_where_it_went(
    api: Any, aws: Aws
) -> None:
    drain(aws)
    survivor, survivor_code, _ = filed(api)
    old, old_code, email = filed(api)
    reply = post(
        api, f"/api/v1/tickets/{old}/messages", {"body": "Sigue apagada anoche."}, {"X-Access-Code": old_code}
    )
    assert reply.status_code in (200, 201), reply.body
    from ventanilla.storage import attachments

    file = Attachment(
        attachment_id=uuid.uuid4().hex,
        number=old,
        filename="foto.png",
        content_type="image/png",
        size=10,
        status="available",
        uploaded_by="citizen",
        created_at=utcnow(),
    )
    attachments.put_new(file)
    version = staff_ticket(api, aws, old)["ticket"]["version"]

    merged = merge(api, aws, old, survivor, version=version)
    assert merged.status_code == 200, merged.body
    closed = merged.json_body["ticket"]
    assert closed["status"] == "closed" and closed["merged_into"] == survivor and closed["timers"] == []

    # Both histories; the survivor holds the description, the message and the file (as staff see it).
    old_history = staff_ticket(api, aws, old)["history"]
    [event] = [h for h in old_history if h["action"] == "merged"]
    assert event["data"]["into"] == survivor and event["public"] is True
    assert any(h["action"] == "status_changed" and h["data"].get("reason") == "merged" for h in old_history)
    target = staff_ticket(api, aws, survivor)
    assert target["ticket"]["merged_from"] == [old]
    [absorbed] = [h for h in target["history"] if h["action"] == "merged"]
    assert absorbed["data"]["from"] == old and absorbed["public"] is False  # two different citizens
    copies = [h for h in target["history"] if h["action"] == "merged_message"]
    assert [c["body"] for c in copies][-1] == "Sigue apagada anoche." and len(copies) == 2
    assert all(not c["public"] for c in copies)
    files = api.get(f"/api/v1/agent/tickets/{survivor}/attachments", headers=aws.auth("ana.l1")).json_body
    assert [f["attachment_id"] for f in files["items"]] == [file.attachment_id]
    download = api.get(
        f"/api/v1/agent/tickets/{survivor}/attachments/{file.attachment_id}", headers=aws.auth("ana.l1")
    )
    assert download.status_code == 200 and f"files/{old}/{file.attachment_id}" in download.json_body["url"]

    # The survivor's citizen sees neither the other person's words nor their file.
    theirs = api.get(f"/api/v1/tickets/{survivor}", headers={"X-Access-Code": survivor_code}).json_body
    assert not any(e["action"].startswith("merged") for e in theirs["timeline"])
    mine = api.get(f"/api/v1/tickets/{survivor}/attachments", headers={"X-Access-Code": survivor_code})
    assert mine.json_body["items"] == []

    # The old number with its own code still works and says where it went, with the survivor's progress.
    view = api.get(f"/api/v1/tickets/{old}", headers={"X-Access-Code": old_code})
    assert view.status_code == 200
    assert view.json_body["status"] == "closed"
    assert view.json_body["merged_into"] == {
        "number": survivor,
        "status": "received",
        "status_label": "Recibida",
        "resolved_at": None,
        "same_requester": False,
    }
    assert any(e["action"] == "merged" and e["other"] == survivor for e in view.json_body["timeline"])
    refused = post(api, f"/api/v1/tickets/{old}/messages", {"body": "Hola"}, {"X-Access-Code": old_code})
    assert problem(refused, 409)["code"] == "ticket_merged"
    # The survivor's code does not open the old number (nor the other way round).
    assert api.get(f"/api/v1/tickets/{old}", headers={"X-Access-Code": survivor_code}).status_code == 404

    # The citizen hears both numbers (Spanish, their language).
    publish_history(old, {"merged"})
    drain(aws)
    [mail] = [m for m in sent(email, "email") if "se unió" in m["subject"]]
    assert old in mail["subject"] and survivor in mail["subject"] and survivor in mail["text"]


def test_the_same_citizen_sees_the_copies_in_the_survivor(api: Any, aws: Aws) -> None:
    survivor, code, email = filed(api)
    old, _, _ = filed(api, email=email)
    assert merge(api, aws, old, survivor).status_code == 200
    view = api.get(f"/api/v1/tickets/{survivor}", headers={"X-Access-Code": code}).json_body
    assert any(e["action"] == "merged_message" for e in view["timeline"])
    assert any(e["action"] == "merged" and e["other"] == old for e in view["timeline"])


def test_every_refusal_is_a_clear_4xx_and_writes_nothing(api: Any, aws: Aws) -> None:
    a, _, _ = filed(api)
    b, _, _ = filed(api)
    c, _, _ = filed(api)
    d, _, _ = filed(api)
    # d absorbed c: merging d elsewhere would make a chain; merging into c (merged) too.
    assert merge(api, aws, c, d).status_code == 200
    internal = post(
        api,
        "/api/v1/agent/tickets",
        {
            "type": "soporte-interno",
            "subtype": "equipos",
            "subject": "Impresora no imprime",
            "description": "Atasco de papel.",
            "channel": "phone",
            "form": {"unidad": "Finanzas"},
        },
        aws.auth("bruno.l2"),
    )
    assert internal.status_code == 201, internal.body
    other_team = internal.json_body["number"]
    closed, _, _ = filed(api)
    assert (
        post(
            api, f"/api/v1/agent/tickets/{closed}/status", {"status": "closed"}, aws.auth("ana.l1")
        ).status_code
        == 200
    )
    before = table_items(aws)
    cases = [
        (merge(api, aws, a, a), 422, "validation_failed", "into"),
        (merge(api, aws, a, "2026-999999"), 422, "validation_failed", "into"),
        (merge(api, aws, a, "hola"), 422, "validation_failed", "into"),
        (
            post(api, f"/api/v1/agent/tickets/{a}/merge", {"into": b, "extra": 1}, aws.auth("ana.l1")),
            422,
            "validation_failed",
            "extra",
        ),
        (merge(api, aws, a, closed), 409, "merge_into_closed", None),
        (merge(api, aws, a, c), 409, "merge_into_merged", None),
        (merge(api, aws, c, b), 409, "already_merged", None),
        (merge(api, aws, d, b), 409, "merge_chain", None),
        (merge(api, aws, closed, b), 409, "merge_not_open", None),
        (merge(api, aws, a, other_team), 403, "merge_not_your_team", None),
        (merge(api, aws, other_team, a), 403, "not_your_team", None),
        (merge(api, aws, a, b, version=99), 409, "stale_version", None),
        (post(api, f"/api/v1/agent/tickets/{a}/merge", {"into": b}), 401, None, None),
    ]
    for answer, status, code, field in cases:
        doc = problem(answer, status)
        if code:
            assert doc["code"] == code, doc
        if field:
            assert field in {e["field"] for e in doc["errors"]}, doc
        assert doc["detail"], doc
    english = post(
        api,
        f"/api/v1/agent/tickets/{a}/merge",
        {"into": closed},
        {**aws.auth("ana.l1"), "Accept-Language": "en"},
    )
    assert "closed" in problem(english, 409)["detail"]
    assert table_items(aws) == before
