"""A citizen verifies a phone by an SMS code (issue 14) through the HTTP routes: the code goes out
by SNS (read from the outbox of what moto sent), is stored only hashed, a wrong code counts and five
drop it, sending is rate-limited, bad input names the field, a staff token never opens these routes,
and only a confirmed phone matches SMS requests to the account."""

from __future__ import annotations

import re
import uuid
from typing import Any

import boto3
import pytest

from tests.conftest import Aws, post
from tests.integration.test_accounts import bearer, new_email, sign_up


def _phone() -> tuple[str, str]:
    """A fresh mobile number: as typed, and in E.164."""
    digits = f"{uuid.uuid4().int % 10_000_000:07d}"
    return f"+56 9 8{digits[:3]} {digits[3:]}", f"+5698{digits}"


def _sms_code(e164: str) -> str:
    from infra.local import outbox

    [sms] = [e for e in outbox.entries(to=e164) if e["channel"] == "sms"][:1]
    return re.search(r"\b(\d{6})\b", sms["text"]).group(1)  # type: ignore[union-attr]


@pytest.fixture()
def citizen(aws: Aws, api: Any) -> dict[str, str]:
    token = sign_up(aws, new_email())
    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 200
    return bearer(token)


def test_a_phone_joins_the_account_only_with_its_sms_code(
    api: Any, aws: Aws, citizen: dict[str, str]
) -> None:
    typed, e164 = _phone()
    answer = post(api, "/api/v1/me/phone", {"phone": typed}, citizen)
    assert answer.status_code == 202, answer.body
    assert answer.json_body["phone"] == e164 and answer.json_body["attempts_left"] == 5
    code = _sms_code(e164)
    # Not verified yet: absent from the record, and nothing matches on it.
    assert e164 not in [c["value"] for c in api.get("/api/v1/me", headers=citizen).json_body["contacts"]]
    from ventanilla.storage import accounts as account_store

    assert account_store.owner_of("phone", e164) is None
    wrong = "000000" if code != "000000" else "111111"
    bad = post(api, "/api/v1/me/phone/confirm", {"code": wrong}, citizen)
    assert bad.status_code == 422 and bad.json_body["errors"][0]["field"] == "code"
    assert "4" in bad.json_body["errors"][0]["message"]
    done = post(api, "/api/v1/me/phone/confirm", {"code": code}, citizen)
    assert done.status_code == 200, done.body
    phones = [c for c in done.json_body["contacts"] if c["kind"] == "phone"]
    assert [c["value"] for c in phones] == [e164]
    owner = account_store.owner_of("phone", e164)
    assert owner == done.json_body["citizen_id"]
    # The code is spent; the same phone again is already the account's.
    again = post(api, "/api/v1/me/phone/confirm", {"code": code}, citizen)
    assert again.status_code == 422 and again.json_body["errors"][0]["field"] == "code"
    twice = post(api, "/api/v1/me/phone", {"phone": e164}, citizen)
    assert twice.status_code == 409 and twice.json_body["errors"][0]["field"] == "phone"

    # An SMS from that phone now files a request on the account.
    from ventanilla.services import sms_intake

    assert (
        sms_intake.handle({"originationNumber": e164, "messageBody": "Hay un bache frente a mi casa"})
        == "opened"
    )
    mine = api.get("/api/v1/me/tickets", headers=citizen).json_body["items"]
    assert [t["channel"] for t in mine] == ["sms"]


def test_the_code_is_stored_hashed(api: Any, aws: Aws, citizen: dict[str, str]) -> None:
    typed, e164 = _phone()
    assert post(api, "/api/v1/me/phone", {"phone": typed}, citizen).status_code == 202
    code = _sms_code(e164)
    citizen_id = api.get("/api/v1/me", headers=citizen).json_body["citizen_id"]
    item = (
        boto3.resource("dynamodb")
        .Table(aws.env["TABLE_NAME"])
        .get_item(Key={"PK": f"CITIZEN#{citizen_id}", "SK": "PHONECHECK"})["Item"]
    )
    assert code not in str(item) and len(item["code_hash"]) == 64 and int(item["ttl"]) > 0


def test_five_wrong_codes_drop_the_code(api: Any, citizen: dict[str, str]) -> None:
    typed, e164 = _phone()
    assert post(api, "/api/v1/me/phone", {"phone": typed}, citizen).status_code == 202
    code = _sms_code(e164)
    wrong = "000000" if code != "000000" else "111111"
    statuses = [post(api, "/api/v1/me/phone/confirm", {"code": wrong}, citizen).status_code for _ in range(5)]
    assert statuses == [422, 422, 422, 422, 429]
    late = post(api, "/api/v1/me/phone/confirm", {"code": code}, citizen)
    assert late.status_code == 422 and late.json_body["errors"][0]["field"] == "code"
    me = api.get("/api/v1/me", headers=citizen).json_body
    assert e164 not in [c["value"] for c in me["contacts"]]


def test_sending_codes_is_rate_limited_per_account(api: Any, citizen: dict[str, str]) -> None:
    answers = [post(api, "/api/v1/me/phone", {"phone": _phone()[0]}, citizen) for _ in range(6)]
    assert [a.status_code for a in answers] == [202] * 5 + [429]
    assert answers[-1].headers.get("Retry-After")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": "abc"}, "phone"),
        ({"phone": "+56 9 123"}, "phone"),  # too short for a mobile number
        ({"phone": ""}, "phone"),
        ({"phone": "+56 9 6123 4567", "extra": 1}, "extra"),
        ({}, "phone"),
    ],
)
def test_bad_phone_input_names_the_field(api: Any, citizen: dict[str, str], body: Any, field: str) -> None:
    answer = post(api, "/api/v1/me/phone", body, citizen)
    assert answer.status_code in (400, 422), answer.body
    assert field in [e["field"] for e in answer.json_body["errors"]]


@pytest.mark.parametrize("code", ["12345", "abcdef", "1234567", ""])
def test_bad_code_input_names_the_field(api: Any, citizen: dict[str, str], code: str) -> None:
    answer = post(api, "/api/v1/me/phone/confirm", {"code": code}, citizen)
    assert answer.status_code in (400, 422) and [e["field"] for e in answer.json_body["errors"]] == ["code"]


def test_a_phone_another_account_verified_is_refused_after_the_code(api: Any, aws: Aws) -> None:
    first = bearer(sign_up(aws, new_email()))
    second = bearer(sign_up(aws, new_email()))
    typed, e164 = _phone()
    assert post(api, "/api/v1/me/phone", {"phone": typed}, first).status_code == 202
    assert post(api, "/api/v1/me/phone/confirm", {"code": _sms_code(e164)}, first).status_code == 200
    # sending says nothing about other accounts; the proof of holding the phone comes first
    assert post(api, "/api/v1/me/phone", {"phone": typed}, second).status_code == 202
    taken = post(api, "/api/v1/me/phone/confirm", {"code": _sms_code(e164)}, second)
    assert taken.status_code == 409 and taken.json_body["code"] == "phone_taken"


@pytest.mark.parametrize("path", ["/api/v1/me/phone", "/api/v1/me/phone/confirm"])
def test_staff_tokens_and_no_token_never_open_the_phone_routes(api: Any, aws: Aws, path: str) -> None:
    body = {"phone": "+56 9 6123 4567"} if path.endswith("phone") else {"code": "123456"}
    assert post(api, path, body, aws.auth("ana.l1")).status_code == 401
    assert post(api, path, body).status_code == 401


def test_a_citizen_token_never_opens_staff_routes(api: Any, citizen: dict[str, str]) -> None:
    assert api.get("/api/v1/agent/queue", headers=citizen).status_code == 401
    assert post(api, "/api/v1/agent/me/sign-out", {}, citizen).status_code == 401


def test_erasure_leaves_no_phone_behind(api: Any, aws: Aws, citizen: dict[str, str]) -> None:
    """A verified phone and one still waiting for its code both go with the account."""
    from tests.integration.test_accounts import _scan

    typed, verified = _phone()
    assert post(api, "/api/v1/me/phone", {"phone": typed}, citizen).status_code == 202
    assert post(api, "/api/v1/me/phone/confirm", {"code": _sms_code(verified)}, citizen).status_code == 200
    other, waiting = _phone()
    assert post(api, "/api/v1/me/phone", {"phone": other}, citizen).status_code == 202
    assert api.delete("/api/v1/me", headers=citizen).status_code == 200
    from ventanilla.storage import accounts as account_store

    assert account_store.owner_of("phone", verified) is None
    left = [item for item in _scan(aws) if verified in str(item) or waiting in str(item)]
    assert left == []
