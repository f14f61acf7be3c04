"""Which notices each domain event calls for, to whom, and the retry arithmetic (no AWS)."""

from __future__ import annotations

import pytest

from ventanilla.notify import plan, sealing
from ventanilla.notify.events import Kind


def detail(**extra: object) -> dict[str, object]:
    return {"event_id": "e1", "number": "2026-000001", "actor_kind": "staff", "actor_id": "agent-1", **extra}


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("waiting_citizen", Kind.WAITING_FOR_CITIZEN),
        ("resolved", Kind.TICKET_RESOLVED),
        ("reopened", Kind.TICKET_REOPENED),
    ],
)
def test_status_changes_notify_the_citizen(status: str, kind: Kind) -> None:
    assert plan.notices_for("TicketStatusChanged", detail(status=status)) == [plan.Notice(kind, ("citizen",))]


def test_internal_steps_notify_nobody() -> None:
    """Routing to a team and an agent taking the request are the institution's business."""
    assert plan.notices_for("TicketStatusChanged", detail(status="assigned")) == []
    assert plan.notices_for("TicketStatusChanged", detail(status="in_progress")) == []


def test_closed_and_the_citizens_own_moves_notify_nobody() -> None:
    assert plan.notices_for("TicketStatusChanged", detail(status="closed")) == []
    assert plan.notices_for("TicketStatusChanged", detail(status="in_progress", actor_kind="citizen")) == []
    assert plan.notices_for("NoteAdded", detail()) == []
    assert plan.notices_for("AgentReplied", detail(public=False)) == []


def test_citizen_notices() -> None:
    assert plan.notices_for("TicketCreated", detail())[0].kind is Kind.TICKET_RECEIVED
    assert plan.notices_for("AgentReplied", detail(public=True))[0].kind is Kind.PUBLIC_REPLY
    assert plan.notices_for("LegalDeadlineExtended", detail())[0].kind is Kind.DEADLINE_EXTENDED


def test_staff_alerts_follow_the_event_detail() -> None:
    assert plan.notices_for("CitizenReplied", detail(actor_kind="citizen")) == [
        plan.Notice(Kind.CITIZEN_REPLIED, ("assignee",))
    ]
    assert plan.notices_for("TicketAssigned", detail(assignee="agent-2")) == [
        plan.Notice(Kind.TICKET_ASSIGNED_TO_YOU, ("agent-2",))
    ]
    assert plan.notices_for("TicketAssigned", detail(assignee="agent-1")) == []  # took it themself
    assert plan.notices_for("TicketAssigned", detail(assignee=None)) == []
    breach = plan.notices_for("SlaBreached", detail(notify=["agent-2", "supervisor", "agent-2"]))
    assert breach == [plan.Notice(Kind.SLA_BREACHED, ("agent-2", "supervisor"))]
    assert plan.notices_for("SlaWarning", detail(notify=[])) == []
    assert plan.notices_for("TicketEscalated", detail(notify=["team"]))[0].specs == ("team",)


def test_record_ids_are_stable_per_outcome_and_distinct_across() -> None:
    a = plan.record_id("e1", "c:1", "email", "sent")
    assert a == plan.record_id("e1", "c:1", "email", "sent")
    assert (
        len({a, plan.record_id("e1", "c:1", "sms", "sent"), plan.record_id("e1", "c:1", "email", "failed")})
        == 3
    )


def test_masks_keep_no_usable_address() -> None:
    assert plan.mask_email("maria.perez@example.cl") == "m***@example.cl"
    assert plan.mask_phone("+56987654321") == "+569****4321"
    assert plan.mask_phone("123") == "****"


def test_backoff_doubles_up_to_fifteen_minutes() -> None:
    assert [plan.backoff_seconds(n, 10) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert plan.backoff_seconds(20, 10) == 900
    assert plan.backoff_seconds(3, 0) == 0


def test_sealed_receipts_open_only_for_their_number() -> None:
    secret = b"s" * 32
    sealed = sealing.seal(secret, "2026-000001", "K7P49XQ2AB")
    assert sealing.open_sealed(secret, "2026-000001", sealed) == "K7P49XQ2AB"
    assert sealing.open_sealed(secret, "2026-000002", sealed) is None
    assert sealing.open_sealed(b"t" * 32, "2026-000001", sealed) is None
    assert sealing.open_sealed(secret, "2026-000001", sealed[:-4] + "AAAA") is None
    assert sealing.open_sealed(secret, "2026-000001", "not base64!") is None
    with pytest.raises(ValueError):
        sealing.seal(b"short", "2026-000001", "x")


def _client_error(code: str, status: int) -> Exception:
    from botocore.exceptions import ClientError

    return ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op"
    )


@pytest.mark.parametrize(
    ("code", "status", "permanent"),
    [
        ("MessageRejected", 400, True),
        ("InvalidParameter", 400, True),
        ("EndpointDisabled", 400, True),
        ("Throttling", 400, False),
        ("TooManyRequestsException", 429, False),
        ("ServiceUnavailable", 503, False),
        ("InternalFailure", 500, False),
    ],
)
def test_send_errors_are_permanent_or_transient(code: str, status: int, permanent: bool) -> None:
    from ventanilla.integrations import messaging

    error = messaging.classify(_client_error(code, status))
    assert isinstance(error, messaging.Permanent if permanent else messaging.Transient)
    assert error.code == code


def test_network_errors_are_transient() -> None:
    from botocore.exceptions import EndpointConnectionError

    from ventanilla.integrations import messaging

    assert isinstance(messaging.classify(EndpointConnectionError(endpoint_url="x")), messaging.Transient)
    assert isinstance(messaging.classify(RuntimeError("boom")), messaging.Transient)


def test_email_has_both_parts_and_one_click_unsubscribe() -> None:
    from email import policy
    from email.parser import BytesParser

    from ventanilla.integrations import messaging

    raw = messaging.build_email(
        "avisos@muni.example",
        "Municipalidad",
        "maria@example.cl",
        "Asunto ñ",
        "texto",
        "<p>html</p>",
        "https://x/o/t",
    )
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsed["Subject"] == "Asunto ñ" and parsed["List-Unsubscribe"] == "<https://x/o/t>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed.get_body(("plain",)).get_content().strip() == "texto"
    assert "<p>html</p>" in parsed.get_body(("html",)).get_content()
