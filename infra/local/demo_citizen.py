"""The demo citizen account of ``make dev``: vecina@example.cl with two requests, one filed on the
web while signed in and one received by email from her verified address (through the same service
functions the API and an email intake call)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import boto3

from ventanilla.auth import CitizenPrincipal, Principal
from ventanilla.models.ticket import CreateTicketIn

EMAIL = "vecina@example.cl"
PASSWORD = "Demo-Vecina-1"  # noqa: S105 - the demo account, printed by make dev
NAME = "Valentina Rojas"


@dataclass(frozen=True)
class CitizenLogin:
    username: str
    password: str
    sub: str


def ensure_citizen(email: str = EMAIL, password: str = PASSWORD, name: str = NAME) -> CitizenLogin:
    """The user in the citizens' pool, confirmed with its email verified (as a finished sign-up)."""
    pool = os.environ["CITIZEN_POOL_ID"]
    cognito: Any = boto3.client("cognito-idp")
    try:
        user = cognito.admin_get_user(UserPoolId=pool, Username=email)
    except cognito.exceptions.UserNotFoundException:
        cognito.admin_create_user(
            UserPoolId=pool,
            Username=email,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "name", "Value": name},
                {"Name": "email_verified", "Value": "true"},
            ],
            MessageAction="SUPPRESS",
        )
        cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
        user = cognito.admin_get_user(UserPoolId=pool, Username=email)
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    return CitizenLogin(email, password, sub)


def seed_citizen_requests(login: CitizenLogin, front_desk: Principal) -> list[str]:
    """Her two requests: one on the web signed in, one by email from her verified address."""
    from ventanilla.services import accounts, tickets

    citizen = CitizenPrincipal(
        sub=login.sub,
        email=login.username,
        email_verified=True,
        phone=None,
        phone_verified=False,
        name=NAME,
        authenticated_at=0,
    )
    accounts.account_for(citizen)
    requester = {"name": NAME, "email": login.username, "channels": ["email"], "consent": True}
    web = CreateTicketIn.model_validate(
        {
            "type": "reclamo",
            "subtype": "servicio",
            "form": {"servicio": "alumbrado", "direccion": "Pasaje Los Aromos 12"},
            "subject": "Luminaria apagada en pasaje Los Aromos",
            "description": "La luminaria frente al número 12 lleva una semana apagada.",
            "requester": requester,
        }
    )
    made = tickets.create_ticket(web)
    accounts.attach_signed_in(made.number, citizen)
    by_mail = _by_email(login.username)
    return [made.number, by_mail]


def _by_email(address: str) -> str:
    """Her second request, through the real email path: a raw mail in the bucket's mail/ folder and
    the email intake (as the local SMTP server and SES do); her verified address links it to her."""
    import uuid
    from email.message import EmailMessage

    import boto3

    from ventanilla.services import email_intake
    from ventanilla.settings import get_settings
    from ventanilla.storage import email_threads

    settings = get_settings()
    message = EmailMessage()
    message["From"] = f"{NAME} <{address}>"
    message["To"] = settings.requests_address
    message["Subject"] = "Horario de retiro de ramas"
    message["Message-ID"] = f"<demo.{uuid.uuid4().hex}@example.cl>"
    message.set_content(
        "¿Qué días pasa el camión de retiro de ramas por Villa Los Aromos?\n\n-- \nVecina de Los Aromos\n"
    )
    key = f"{email_intake.MAIL_PREFIX}{uuid.uuid4().hex}"
    boto3.client("s3").put_object(Bucket=settings.attachments_bucket, Key=key, Body=message.as_bytes())
    outcome = email_intake.handle(key, [settings.requests_address])
    number, _ = email_threads.lookup([str(message["Message-ID"]).strip("<>")])
    if outcome != "opened" or number is None:
        raise RuntimeError(f"demo email request not opened: {outcome}")
    return number
