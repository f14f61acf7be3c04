"""Email intake and citizen accounts (issue 14): a mail from an address verified on an account
files the request into that account; an address typed or signed up but never verified matches
nobody. The raw mail goes where SES puts it (the bucket's mail/ folder) and through the same
function code the SMTP server and SES invoke."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from typing import Any

import boto3
import pytest

from tests.conftest import Aws
from tests.integration.test_accounts import bearer, id_token, new_email, sign_up


def deliver(aws: Aws, sender: str, subject: str) -> str:
    """SES's part (the raw mail in the bucket), then the intake; returns the request's number."""
    from ventanilla.services import email_intake
    from ventanilla.storage import email_threads

    key, message_id = store(f"Rosa Muñoz <{sender}>", subject, "¿Cuándo vence mi patente?")
    assert email_intake.handle(key) == "opened"
    number, _ = email_threads.lookup([message_id])
    assert number is not None
    return number


def store(sender: str, subject: str, text: str = "Otra consulta más.") -> tuple[str, str]:
    """A mail put where SES puts it; (its key, its Message-ID)."""
    from ventanilla.settings import get_settings

    message_id = f"{uuid.uuid4().hex}@example.cl"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = get_settings().requests_address
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}>"
    message.set_content(text)
    key = f"mail/{uuid.uuid4().hex}"
    boto3.client("s3").put_object(Bucket=get_settings().attachments_bucket, Key=key, Body=message.as_bytes())
    return key, message_id


def test_a_mail_from_a_verified_address_goes_to_the_account(api: Any, aws: Aws) -> None:
    email = new_email()
    token = sign_up(aws, email)
    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 200
    number = deliver(aws, email.upper(), "Patente comercial")  # addresses compare case-insensitively
    listed = api.get("/api/v1/me/tickets", headers=bearer(token)).json_body["items"]
    assert [(t["number"], t["channel"]) for t in listed] == [(number, "email")]


def test_an_unverified_address_matches_no_account(api: Any, aws: Aws) -> None:
    email = new_email()
    boto3.client("cognito-idp").sign_up(
        ClientId=aws.env["CITIZEN_POOL_CLIENT_ID"], Username=email, Password="Clave-Segura-123"
    )
    boto3.client("cognito-idp").admin_confirm_sign_up(UserPoolId=aws.env["CITIZEN_POOL_ID"], Username=email)
    token = id_token(aws, email, "Clave-Segura-123")
    assert api.get("/api/v1/me", headers=bearer(token)).json_body["unverified"] == [email]
    deliver(aws, email, "Patente comercial")
    assert api.get("/api/v1/me/tickets", headers=bearer(token)).json_body["items"] == []


def test_over_the_daily_limit_one_answer_says_why_then_silence(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The address's daily filing limit (1 here): the next mail opens nothing and gets one answer
    that says why; the ones after it get none, so a robot's flood is not fed."""
    from infra.local import outbox
    from ventanilla.services import email_intake
    from ventanilla.settings import get_settings

    monkeypatch.setattr(get_settings(), "filing_per_address_per_day", 1)
    sender = new_email()
    deliver(aws, sender, "Primera consulta")
    outcomes = [email_intake.handle(store(sender, f"Consulta {i}")[0]) for i in range(3)]
    assert outcomes == ["rate_limited:told", "rate_limited", "rate_limited"]
    told = [e for e in outbox.entries(sender) if e["channel"] == "email" and "No registramos" in e["subject"]]
    assert len(told) == 1 and "Try again tomorrow" in told[0]["text"]


# ---- unverified senders (SES's SPF/DKIM/DMARC verdicts) -------------------------------------------

FAILED = {"spam": "PASS", "virus": "PASS", "spf": "FAIL", "dkim": "FAIL", "dmarc": "FAIL"}
PASSED = {"spam": "PASS", "virus": "PASS", "spf": "PASS", "dkim": "PASS", "dmarc": "PASS"}


def created_data(number: str) -> dict[str, Any]:
    from tests.integration.test_notifications import history_events

    return dict(next(e for e in history_events(number) if e["action"] == "created")["data"])


def receipt_of(number: str) -> Any:
    """What the notifier does with the request's TicketCreated event."""
    from tests.integration.test_notifications import history_events
    from ventanilla import domain_events
    from ventanilla.services import delivery

    created = next(e for e in history_events(number) if e["action"] == "created")
    (event,) = domain_events.from_stream_record("INSERT", created)
    return delivery.handle("TicketCreated", dict(event.detail))


def mails_to(sender: str) -> list[dict[str, Any]]:
    from infra.local import outbox

    return [e for e in outbox.entries(sender) if e["channel"] == "email"]


def test_a_mail_failing_dmarc_is_filed_flagged_and_its_sender_gets_only_a_fixed_note(aws: Aws) -> None:
    from ventanilla.services import email_intake
    from ventanilla.storage import email_threads

    sender = new_email()
    key, message_id = store(sender, "Su cuenta será bloqueada", "Verifique aquí: http://phish.example/login")
    assert email_intake.handle(key, [], FAILED) == "opened:unverified"
    number, _ = email_threads.lookup([message_id])
    assert number is not None
    data = created_data(number)
    assert data["unverified_sender"] == {"dmarc": "FAIL", "spf": "FAIL", "dkim": "FAIL"}
    assert data["sender_note"] == "fixed_text"
    # The notifier sends no receipt (no subject, no code, no link); the intake's note is fixed text.
    assert receipt_of(number).sent == 0
    (note,) = mails_to(sender)
    assert number in note["subject"] and note["auto_submitted"] == "auto-replied"
    for echoed in ("bloqueada", "phish", "Código de acceso", "http"):
        assert echoed not in note["subject"] + note["text"]
    # A second forged mail the same day: flagged and filed, no second note (no relay for floods).
    key2, _ = store(sender, "Otra vez", "http://phish.example")
    assert email_intake.handle(key2, [], FAILED) == "opened:unverified"
    assert len(mails_to(sender)) == 1
    # A verified mail from the same address gets the usual receipt.
    key3, id3 = store(sender, "Patente comercial", "¿Cuándo vence?")
    assert email_intake.handle(key3, [], PASSED) == "opened"
    verified, _ = email_threads.lookup([id3])
    assert verified is not None and "unverified_sender" not in created_data(verified)
    assert receipt_of(verified).sent == 1


def test_without_dmarc_a_mail_passing_neither_spf_nor_dkim_is_unverified(aws: Aws) -> None:
    from ventanilla.services import email_intake

    gray = {"spam": "PASS", "virus": "PASS", "spf": "FAIL", "dkim": "GRAY", "dmarc": "GRAY"}
    assert email_intake.handle(store(new_email(), "Consulta")[0], [], gray) == "opened:unverified"
    dkim_only = {**gray, "dkim": "PASS"}
    assert email_intake.handle(store(new_email(), "Consulta")[0], [], dkim_only) == "opened"
    # DMARC failing wins over an SPF pass (SPF checks the envelope, not the From people read).
    spf_only = {**FAILED, "spf": "PASS"}
    assert email_intake.handle(store(new_email(), "Consulta")[0], [], spf_only) == "opened:unverified"


def test_a_forged_reply_is_never_added_to_the_request_it_names(aws: Aws) -> None:
    from tests.integration.test_notifications import history_events
    from ventanilla.services import email_intake
    from ventanilla.storage import email_threads

    sender = new_email()
    key, first_id = store(sender, "Certificado de residencia", "¿Cómo lo obtengo?")
    assert email_intake.handle(key, [], PASSED) == "opened"
    number, _ = email_threads.lookup([first_id])
    assert number is not None
    from ventanilla.settings import get_settings

    forged = EmailMessage()
    forged["From"] = sender
    forged["To"] = get_settings().requests_address
    forged["Subject"] = f"Re: Certificado de residencia [{number}]"
    forged["Message-ID"] = f"<{uuid.uuid4().hex}@example.cl>"
    forged["In-Reply-To"] = f"<{first_id}>"
    forged["References"] = f"<{first_id}>"
    forged.set_content("Pague la multa en http://phish.example")
    key2 = f"mail/{uuid.uuid4().hex}"
    boto3.client("s3").put_object(Bucket=get_settings().attachments_bucket, Key=key2, Body=forged.as_bytes())
    assert email_intake.handle(key2, [], FAILED) == "opened:unverified"
    assert [e for e in history_events(number) if e["action"] == "message"] == []
    other, _ = email_threads.lookup([str(forged["Message-ID"]).strip("<>")])
    assert other is not None and other != number
    assert created_data(other)["claims_reply_to"] == number
    # Naming someone else's request: flagged as such, their number not recorded on it.
    key3, id3 = store(new_email(), f"Re: [{number}]", "Quiero ver esa solicitud")
    assert email_intake.handle(key3, [], FAILED) == "opened:unverified"
    third, _ = email_threads.lookup([id3])
    assert third is not None
    data = created_data(third)
    assert data["named_other_request"] is True and "claims_reply_to" not in data


def test_an_unverified_mail_does_not_land_in_the_account_of_the_address_it_names(api: Any, aws: Aws) -> None:
    from ventanilla.services import email_intake

    email = new_email()
    token = sign_up(aws, email)
    assert email_intake.handle(store(email, "Pague su deuda")[0], [], FAILED) == "opened:unverified"
    assert api.get("/api/v1/me/tickets", headers=bearer(token)).json_body["items"] == []


def test_a_notice_becomes_the_last_message_of_a_thread_and_makes_none_without_one(aws: Aws) -> None:
    from ventanilla.services import mail_threads
    from ventanilla.storage import email_threads

    number = deliver(aws, new_email(), "Patente vencida")
    root = email_threads.thread(number)
    assert root is not None and root["last"] == root["root"]
    headers = mail_threads.outgoing_headers(number)
    assert headers["In-Reply-To"] == f"<{root['root']}>" and headers["Subject"].startswith("Re: Patente")
    mail_threads.sent(number, headers)
    moved = email_threads.thread(number)
    assert moved == {**root, "last": headers["Message-ID"].strip("<>")}
    assert email_threads.lookup([headers["Message-ID"]]) == (number, True)

    web = "2026-999999"  # a request filed on the web: no thread before, none after
    plain = mail_threads.outgoing_headers(web)
    assert "Subject" not in plain and "In-Reply-To" not in plain
    mail_threads.sent(web, plain)
    assert email_threads.thread(web) is None
    assert email_threads.lookup([plain["Message-ID"]]) == (web, True)
