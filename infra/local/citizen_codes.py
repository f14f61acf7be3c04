"""Development only: the verification codes Cognito would email at a citizen's sign-up.

moto's SignUp sends nothing and its ConfirmSignUp accepts any code without marking the email
verified. The web's Cognito forward (infra/local/web.py) calls :func:`after_sign_up` and
:func:`check_confirmation` around them: a six-digit code goes to the development outbox as the
pool's email would (``/dev/outbox``), a wrong code answers ``CodeMismatchException``, and a right
one sets ``email_verified`` as Cognito does.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from typing import Any

import boto3

from infra.local import outbox

_CODES: dict[str, str] = {}
_LOCK = threading.Lock()


def _username(body: bytes) -> str:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return ""
    return str(data.get("Username") or "").strip().lower() if isinstance(data, dict) else ""


def send_code(username: str) -> None:
    code = f"{secrets.randbelow(1_000_000):06d}"
    with _LOCK:
        _CODES[username] = code
    text = f"Su código de verificación es {code}. / Your verification code is {code}."
    outbox.keep_email(
        to=username, subject="Ventanilla: su código de verificación / your verification code", text=text
    )


def after_sign_up(body: bytes) -> None:
    send_code(_username(body))


def check_confirmation(body: bytes) -> bool:
    """True when the code is the one sent; the caller then forwards and calls :func:`verified`."""
    username = _username(body)
    try:
        code = str(json.loads(body or b"{}").get("ConfirmationCode") or "")
    except (ValueError, AttributeError):
        return False
    with _LOCK:
        expected = _CODES.get(username)
    return bool(expected) and secrets.compare_digest(code, expected or "")


def verified(body: bytes) -> None:
    """Mark the email verified as Cognito does on a confirmed sign-up, and forget the code."""
    username = _username(body)
    with _LOCK:
        _CODES.pop(username, None)
    pool = os.environ.get("CITIZEN_POOL_ID", "")
    client: Any = boto3.client("cognito-idp")
    client.admin_update_user_attributes(
        UserPoolId=pool, Username=username, UserAttributes=[{"Name": "email_verified", "Value": "true"}]
    )
