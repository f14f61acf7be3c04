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
