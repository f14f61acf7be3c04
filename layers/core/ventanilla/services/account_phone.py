"""A citizen proves a phone by an SMS code before it joins their account (F1, issue 14).

The citizens' Cognito pool verifies only the email, so phones are verified here: a six-digit code
goes out by SMS (the same SNS path as every notice, under the same daily SMS caps), only its HMAC is
stored (with the account and the number in it, 15 minutes, one pending check per account), a code
is compared in constant time, five wrong codes drop the check (a new code is needed, and sending is
rate-limited per account), and only a confirmed phone is indexed as the account's verified contact,
the one the SMS intake matches on. A phone another account verified first is refused at the
confirmation, once this citizen has proved they hold it (never at the sending: that would tell
anyone which numbers have accounts).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from ventanilla import clock
from ventanilla.auth import CitizenPrincipal
from ventanilla.errors import Conflict, FieldError, TooManyRequests, ValidationFailed
from ventanilla.integrations import messaging
from ventanilla.integrations import secrets as secret_store
from ventanilla.models.accounts import (
    AccountPhoneCodeIn,
    AccountPhoneIn,
    AccountPhonePending,
    MeOut,
    PhoneCheck,
    VerifiedContact,
)
from ventanilla.models.common import utcnow
from ventanilla.notify.contacts import example_phone, normalize_phone
from ventanilla.rules.constant_time import same
from ventanilla.rules.rate_limit import Limit, decide
from ventanilla.services import accounts, intake_guard
from ventanilla.settings import get_settings
from ventanilla.storage import accounts as store
from ventanilla.storage import limits

CODE_MINUTES = 15
MAX_WRONG = 5
MAX_PHONES = 3
SENDS = Limit(5, 86400)
"""Codes one account may ask for in a day (each is an SMS the institution pays for)."""


def _code_hash(citizen_id: str, phone: str, code: str) -> str:
    message = f"account-phone:{citizen_id}:{phone}:{code}".encode()
    return hmac.new(secret_store.notify_secret(), message, hashlib.sha256).hexdigest()


def _code_text(code: str, lang: str) -> str:
    name = get_settings().institution_name
    if lang == "en":
        return f"{name}: your code to add this phone to your account is {code} ({CODE_MINUTES} min)."
    return f"{name}: su código para agregar este teléfono a su cuenta es {code} ({CODE_MINUTES} min)."


def _take_send(citizen_id: str) -> None:
    """One code from the account's daily allowance, or 429 with the wait."""
    key = hashlib.sha256(citizen_id.encode()).hexdigest()
    now = clock.now().timestamp()
    seen = limits.read("phone_code", key)
    decision = decide(seen, now, SENDS)
    if not decision.allowed:
        raise TooManyRequests("phone_codes_today", intake_guard._retry(decision.retry_after))
    limits.write("phone_code", key, seen, decision.tat, int(decision.tat + SENDS.seconds) + 60)


def start(citizen: CitizenPrincipal, body: AccountPhoneIn) -> AccountPhonePending:
    """Send a code to ``body.phone``; replaces any pending check of the account."""
    account = accounts.account_for(citizen)
    try:
        phone = normalize_phone(body.phone)
    except ValueError as error:
        raise ValidationFailed(
            "validation_failed", errors=[FieldError("phone", "invalid_phone", {"example": example_phone()})]
        ) from error
    phones = [c.value for c in account.contacts if c.kind == "phone"]
    if phone in phones:
        raise Conflict("phone_already_yours", errors=[FieldError("phone", "phone_already_yours")])
    if len(phones) >= MAX_PHONES:
        raise ValidationFailed(
            "validation_failed", errors=[FieldError("phone", "phone_limit", {"n": MAX_PHONES})]
        )
    _take_send(account.citizen_id)
    code = f"{secrets.randbelow(1_000_000):06d}"
    text = _code_text(code, account.language)
    refused = intake_guard.sms_refusal(phone, text)
    if refused == "sms_country":
        raise ValidationFailed("validation_failed", errors=[FieldError("phone", "phone_country")])
    if refused:
        raise TooManyRequests("phone_sms_cap", {"retry_after": 86400}, [FieldError("phone", "phone_sms_cap")])
    expires = utcnow() + timedelta(minutes=CODE_MINUTES)
    store.put_phone_check(
        account.citizen_id,
        PhoneCheck(phone=phone, code_hash=_code_hash(account.citizen_id, phone, code), expires_at=expires),
    )
    try:
        messaging.send_sms(phone, text, get_settings().sms_sender_id or None)
    except messaging.Permanent as error:
        store.delete_phone_check(account.citizen_id)
        raise ValidationFailed("validation_failed", errors=[FieldError("phone", "phone_refused")]) from error
    return AccountPhonePending(phone=phone, expires_at=expires, attempts_left=MAX_WRONG)


def confirm(citizen: CitizenPrincipal, body: AccountPhoneCodeIn) -> MeOut:
    """The code of the pending check: the phone becomes a verified contact of the account."""
    account = accounts.account_for(citizen)
    check = store.get_phone_check(account.citizen_id)
    if check is None or check.expires_at <= utcnow():
        raise ValidationFailed("validation_failed", errors=[FieldError("code", "phone_no_code")])
    if check.attempts >= MAX_WRONG:
        raise TooManyRequests("phone_code_locked", errors=[FieldError("code", "phone_code_locked")])
    if not same(_code_hash(account.citizen_id, check.phone, body.code), check.code_hash):
        counted = store.fail_phone_check(account.citizen_id, check.attempts)
        left = MAX_WRONG - check.attempts - 1
        if not counted or left <= 0:
            store.delete_phone_check(account.citizen_id)
            raise TooManyRequests("phone_code_locked", errors=[FieldError("code", "phone_code_locked")])
        raise ValidationFailed(
            "validation_failed", errors=[FieldError("code", "phone_code_wrong", {"left": left})]
        )
    store.delete_phone_check(account.citizen_id)  # a code is used once, whatever follows
    if not store.claim_contact("phone", check.phone, account.citizen_id):
        raise Conflict("phone_taken", errors=[FieldError("code", "phone_taken")])
    fresh = store.get_account(account.citizen_id) or account
    if not any(c.kind == "phone" and c.value == check.phone for c in fresh.contacts):
        contact = VerifiedContact(kind="phone", value=check.phone, verified_at=utcnow(), source="sms_code")
        store.save_account(
            fresh.model_copy(
                update={
                    "contacts": [*fresh.contacts, contact],
                    "updated_at": utcnow(),
                    "version": fresh.version + 1,
                }
            ),
            fresh.version,
        )
    return accounts.me(citizen)
