"""'Forgot password' through Cognito (ForgotPassword / ConfirmForgotPassword) via the web's Cognito
forward, for a staff member and a citizen: the code reaches the account's email (the development
outbox plays the pool's mail), a wrong code, a weak password and too many tries are refused as
Cognito refuses them, and the new password signs in while the old one no longer does."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import boto3

from tests.conftest import Aws


def _forward(action: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    from infra.local.web import forward_cognito

    status, _, payload = forward_cognito(
        f"AWSCognitoIdentityProviderService.{action}", json.dumps(body).encode()
    )
    return status, json.loads(payload or b"{}")


def _staff(aws: Aws, password: str) -> tuple[str, str]:
    """A staff member of their own (the demo ones are shared by every test): username, email."""
    username = f"reset.{uuid.uuid4().hex[:8]}"
    email = f"{username}@example.gob.cl"
    cognito = boto3.client("cognito-idp")
    pool = aws.env["USER_POOL_ID"]
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=username,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password=password, Permanent=True)
    return username, email


def _code(email: str) -> str:
    from infra.local import outbox

    mail = [e for e in outbox.entries(to=email) if "restablecer" in e["subject"]][-1]
    assert "Your password reset code" in mail["text"]
    return re.search(r"\b(\d{6})\b", mail["text"]).group(1)  # type: ignore[union-attr]


def _signs_in(aws: Aws, client: str, username: str, password: str) -> bool:
    status, _ = _forward(
        "InitiateAuth",
        {
            "ClientId": aws.env[client],
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": password},
        },
    )
    return status == 200


def test_staff_member_resets_a_forgotten_password(aws: Aws) -> None:
    username, email = _staff(aws, "Antigua-Clave-2026")
    client = aws.env["USER_POOL_CLIENT_ID"]
    status, answer = _forward("ForgotPassword", {"ClientId": client, "Username": username})
    assert status == 200 and answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    code = _code(email)
    wrong = "000000" if code != "000000" else "111111"
    confirm = {"ClientId": client, "Username": username, "Password": "Nueva-Clave-2026"}

    status, answer = _forward("ConfirmForgotPassword", {**confirm, "ConfirmationCode": wrong})
    assert status == 400 and answer["__type"] == "CodeMismatchException"
    # the staff pool's policy: 12 characters at least (template.yaml); the code stays usable
    status, answer = _forward(
        "ConfirmForgotPassword", {**confirm, "Password": "Corta-1a", "ConfirmationCode": code}
    )
    assert status == 400 and answer["__type"] == "InvalidPasswordException"
    assert _signs_in(aws, "USER_POOL_CLIENT_ID", username, "Antigua-Clave-2026")

    status, _ = _forward("ConfirmForgotPassword", {**confirm, "ConfirmationCode": code})
    assert status == 200
    assert _signs_in(aws, "USER_POOL_CLIENT_ID", username, "Nueva-Clave-2026")
    assert not _signs_in(aws, "USER_POOL_CLIENT_ID", username, "Antigua-Clave-2026")
    # the code is spent
    status, answer = _forward(
        "ConfirmForgotPassword", {**confirm, "Password": "Otra-Clave-20266", "ConfirmationCode": code}
    )
    assert status == 400 and answer["__type"] == "ExpiredCodeException"


def test_five_wrong_codes_drop_the_code(aws: Aws) -> None:
    username, email = _staff(aws, "Antigua-Clave-2026")
    client = aws.env["USER_POOL_CLIENT_ID"]
    assert _forward("ForgotPassword", {"ClientId": client, "Username": username})[0] == 200
    code = _code(email)
    wrong = "000000" if code != "000000" else "111111"
    confirm = {"ClientId": client, "Username": username, "Password": "Nueva-Clave-2026"}
    kinds = [
        _forward("ConfirmForgotPassword", {**confirm, "ConfirmationCode": wrong})[1]["__type"]
        for _ in range(5)
    ]
    assert kinds == ["CodeMismatchException"] * 4 + ["LimitExceededException"]
    status, answer = _forward("ConfirmForgotPassword", {**confirm, "ConfirmationCode": code})
    assert status == 400 and answer["__type"] == "ExpiredCodeException"
    assert _signs_in(aws, "USER_POOL_CLIENT_ID", username, "Antigua-Clave-2026")


def test_unknown_account_answers_like_a_known_one_and_sends_nothing(aws: Aws) -> None:
    from infra.local import outbox

    before = len(outbox.entries())
    status, answer = _forward(
        "ForgotPassword", {"ClientId": aws.env["USER_POOL_CLIENT_ID"], "Username": "nadie.aqui"}
    )
    assert status == 200 and "CodeDeliveryDetails" in answer  # no hint that the account is absent
    assert len(outbox.entries()) == before


def test_citizen_resets_a_forgotten_password(aws: Aws) -> None:
    from tests.integration.test_accounts import sign_up

    email = f"olvido.{uuid.uuid4().hex[:8]}@example.cl"
    sign_up(aws, email, password="Clave-Segura-123")
    pool = "CITIZEN_POOL_CLIENT_ID"
    client = aws.env[pool]
    assert _forward("ForgotPassword", {"ClientId": client, "Username": email})[0] == 200
    code = _code(email)
    status, answer = _forward(
        "ConfirmForgotPassword",
        {"ClientId": client, "Username": email, "Password": "corta", "ConfirmationCode": code},
    )
    assert status == 400 and answer["__type"] == "InvalidPasswordException"
    status, _ = _forward(
        "ConfirmForgotPassword",
        {"ClientId": client, "Username": email, "Password": "Clave-Nueva-456", "ConfirmationCode": code},
    )
    assert status == 200
    assert _signs_in(aws, pool, email, "Clave-Nueva-456")
