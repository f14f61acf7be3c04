"""Development only: the code Cognito emails when someone forgot their password.

moto's ForgotPassword sends nothing: it returns its code in an ``x-moto-forgot-password-
confirmation-code`` header (``moto-confirmation-code:123456``), and its ConfirmForgotPassword accepts
any code that does not start with that prefix and checks no password policy. The web's Cognito
forward (infra/local/web.py) plays Cognito's part around the real calls: the six digits go to the
account's email in the development outbox (``/dev/outbox``) as the pool's message would, a wrong
code answers ``CodeMismatchException`` (five wrong ones drop the code: ``LimitExceededException``),
a password outside the pool's policy answers ``InvalidPasswordException``, and a right code is
passed on to moto in the form it checks.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
from typing import Any

import boto3

from infra.local import outbox

MOTO_PREFIX = "moto-confirmation-code:"
MAX_WRONG = 5

_CODES: dict[tuple[str, str], list[Any]] = {}
"""(client id, username) -> [six digits, wrong attempts]."""
_LOCK = threading.Lock()


def _fields(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _key(data: dict[str, Any]) -> tuple[str, str]:
    return str(data.get("ClientId") or ""), str(data.get("Username") or "").strip().lower()


def _pool_of(client_id: str) -> str:
    for pool, client in (
        ("USER_POOL_ID", "USER_POOL_CLIENT_ID"),
        ("CITIZEN_POOL_ID", "CITIZEN_POOL_CLIENT_ID"),
    ):
        if client_id and client_id == os.environ.get(client, ""):
            return os.environ.get(pool, "")
    return ""


def _email(pool: str, username: str) -> str:
    """The account's email as Cognito would send to it ('' for an unknown user: nothing is sent)."""
    client: Any = boto3.client("cognito-idp")
    try:
        user = client.admin_get_user(UserPoolId=pool, Username=username)
    except client.exceptions.UserNotFoundException:
        return ""
    attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
    return str(attributes.get("email") or "")


def after_forgot(body: bytes, moto_code: str) -> None:
    """moto answered ForgotPassword with ``moto_code``: email its digits to the account."""
    data = _fields(body)
    key = _key(data)
    digits = moto_code.removeprefix(MOTO_PREFIX)
    pool = _pool_of(key[0])
    if not re.fullmatch(r"\d{6}", digits) or not pool:
        return
    to = _email(pool, key[1])
    if not to:
        return
    with _LOCK:
        _CODES[key] = [digits, 0]
    outbox.keep_email(
        to=to,
        subject="Ventanilla: código para restablecer su contraseña / password reset code",
        text=(
            f"Su código para restablecer la contraseña es {digits}. Si no lo pidió, ignore este mensaje.\n"
            f"Your password reset code is {digits}. If you did not ask for it, ignore this message."
        ),
    )


def _policy_refusal(pool: str, password: str) -> str | None:
    client: Any = boto3.client("cognito-idp")
    policy = client.describe_user_pool(UserPoolId=pool)["UserPool"]["Policies"]["PasswordPolicy"]
    problems = [
        len(password) < int(policy.get("MinimumLength", 8)),
        policy.get("RequireLowercase") and not re.search(r"[a-z]", password),
        policy.get("RequireUppercase") and not re.search(r"[A-Z]", password),
        policy.get("RequireNumbers") and not re.search(r"[0-9]", password),
        policy.get("RequireSymbols") and not re.search(r"[^A-Za-z0-9]", password),
    ]
    return "Password does not conform to policy" if any(problems) else None


def check_confirm(body: bytes) -> tuple[int, str, bytes] | bytes:
    """A Cognito error answer for a wrong code or weak password; else the body to forward to moto
    (its code rewritten to the form moto checks), after which the code is spent."""
    data = _fields(body)
    key = _key(data)
    code = str(data.get("ConfirmationCode") or "")

    def refuse(kind: str, message: str) -> tuple[int, str, bytes]:
        return 400, "application/x-amz-json-1.1", json.dumps({"__type": kind, "message": message}).encode()

    with _LOCK:
        held = _CODES.get(key)
        if held is None:
            return refuse("ExpiredCodeException", "Invalid code provided, please request a code again.")
        if not secrets.compare_digest(code.encode(), str(held[0]).encode()):
            held[1] += 1
            if held[1] >= MAX_WRONG:
                _CODES.pop(key, None)
                return refuse("LimitExceededException", "Attempt limit exceeded, please try after some time.")
            return refuse("CodeMismatchException", "Invalid verification code provided, please try again.")
    pool = _pool_of(key[0])
    refusal = _policy_refusal(pool, str(data.get("Password") or "")) if pool else None
    if refusal:
        return refuse("InvalidPasswordException", refusal)
    with _LOCK:
        _CODES.pop(key, None)
    return json.dumps({**data, "ConfirmationCode": MOTO_PREFIX + code}).encode()
