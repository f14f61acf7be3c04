"""Abuse controls at intake through the API: filing limits per address and per client (429 with
Retry-After, nothing written), access-code lockouts that stay visible to agents, SMS only where the
institution allows and within its spend caps, and sign-out that ends every session."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Aws, post, table_items, ticket_body
from ventanilla import clock
from ventanilla.settings import get_settings


@pytest.fixture()
def strict(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The production defaults' shape with small numbers, for this test only."""
    settings = get_settings()
    monkeypatch.setattr(settings, "filing_per_address_per_day", 2)
    monkeypatch.setattr(settings, "filing_per_client_per_hour", 1_000_000)
    monkeypatch.setattr(settings, "code_attempts", 3)
    monkeypatch.setattr(settings, "code_lockout_minutes", 15)
    yield settings


def _unique_email() -> str:
    return f"vecina.{uuid.uuid4().hex[:10]}@example.cl"


def _file(api: Any, email: str, phone: str | None = None, headers: dict[str, str] | None = None) -> Any:
    requester: dict[str, Any] = {"email": email, "channels": ["email"]}
    if phone:
        requester["phone"] = phone
    else:
        requester["phone"] = None
    return post(api, "/api/v1/tickets", ticket_body(requester=requester), headers)


def test_one_email_files_at_most_the_daily_limit_then_429_names_the_field(
    aws: Aws, api: Any, strict: Any
) -> None:
    email = _unique_email()
    assert _file(api, email).status_code == 201
    assert _file(api, email.upper()).status_code == 201  # the same address, however it is written
    before = table_items(aws)
    refused = _file(api, email)
    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == "application/problem+json"
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 86400
    problem = refused.json_body
    assert problem["status"] == 429 and problem["code"] == "too_many_filings"
    assert [e["field"] for e in problem["errors"]] == ["requester.email"]
    assert table_items(aws) == before  # nothing written, no number spent
    assert _file(api, _unique_email()).status_code == 201  # another address is not affected
    with clock.advanced(timedelta(seconds=wait + 1)):
        assert _file(api, email).status_code == 201


def test_one_phone_counts_once_in_any_format(aws: Aws, api: Any, strict: Any) -> None:
    digits = f"98{uuid.uuid4().int % 10**7:07d}"
    spaced = f"+56 {digits[0]} {digits[1:5]} {digits[5:]}"
    assert _file(api, _unique_email(), phone=spaced).status_code == 201
    assert _file(api, _unique_email(), phone=f"+56{digits}").status_code == 201
    refused = _file(api, _unique_email(), phone=spaced)
    assert refused.status_code == 429
    assert [e["field"] for e in refused.json_body["errors"]] == ["requester.phone"]


def test_one_client_is_limited_whatever_the_addresses(aws: Aws, api: Any, strict: Any) -> None:
    strict.filing_per_client_per_hour = 2
    # The clock moves well past what earlier tests did, so their filings from this client drained.
    with clock.advanced(timedelta(days=30)):
        assert _file(api, _unique_email()).status_code == 201
        assert _file(api, _unique_email()).status_code == 201
        refused = _file(api, _unique_email())
        assert refused.status_code == 429
        assert [e["field"] for e in refused.json_body["errors"]] == ["client"]
        assert 0 < int(refused.headers["Retry-After"]) <= 1800


def test_a_replayed_idempotent_filing_costs_nothing(aws: Aws, api: Any, strict: Any) -> None:
    strict.filing_per_address_per_day = 1
    email, key = _unique_email(), uuid.uuid4().hex
    first = _file(api, email, headers={"Idempotency-Key": key})
    again = _file(api, email, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json_body["number"] == first.json_body["number"]
    assert _file(api, email).status_code == 429


def _follow(api: Any, number: str, code: str) -> Any:
    return api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": code})


def test_wrong_codes_lock_the_number_until_the_window_ends(aws: Aws, api: Any, strict: Any) -> None:
    created = _file(api, _unique_email()).json_body
    number, code = created["number"], created["access_code"]
    for _ in range(3):
        assert _follow(api, number, "ZZZZZZZZZZ").status_code == 404
    locked = _follow(api, number, code)  # even the right code waits: guessing cannot go on
    assert locked.status_code == 429
    assert locked.json_body["code"] == "code_locked"
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    reply = post(api, f"/api/v1/tickets/{number}/messages", {"body": "hola"}, {"X-Access-Code": code})
    assert reply.status_code == 429  # every route that checks the code
    staff = api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth("bruno.l2")).json_body
    locks = [e for e in staff["history"] if e["action"] == "access_locked"]
    assert len(locks) == 1 and not locks[0]["public"]
    assert locks[0]["data"] == {"attempts": 3, "minutes": 15}
    citizen_view = None
    with clock.advanced(timedelta(minutes=16)):
        citizen_view = _follow(api, number, code)
        assert citizen_view.status_code == 200
        assert all(e["action"] != "access_locked" for e in citizen_view.json_body["timeline"])
        # the right code forgot the failures: three more wrong ones are needed to lock again
        for _ in range(2):
            assert _follow(api, number, "ZZZZZZZZZZ").status_code == 404
        assert _follow(api, number, code).status_code == 200


def test_an_unknown_number_locks_the_same_way(aws: Aws, api: Any, strict: Any) -> None:
    number = f"2026-9{uuid.uuid4().int % 10**5:05d}"
    answers = [_follow(api, number, "ABCDEFGHJK").status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]


def test_sign_out_ends_every_session_of_that_staff_member(aws: Aws, api: Any) -> None:
    before = aws.auth("ana.l1")
    other = aws.auth("bruno.l2")
    assert api.get("/api/v1/agent/me/preferences", headers=before).status_code == 200
    assert api.post("/api/v1/agent/me/sign-out", headers=before).status_code == 204
    refused = api.get("/api/v1/agent/me/preferences", headers=before)
    assert refused.status_code == 401
    assert refused.json_body["code"] == "token_revoked"
    assert api.get("/api/v1/agent/me/preferences", headers=other).status_code == 200  # others keep theirs
    # A sign-in after the sign-out works (Cognito stamps whole seconds: one in the same second waits).
    deadline = time.monotonic() + 5
    while True:
        fresh = aws.auth("ana.l1")
        answer = api.get("/api/v1/agent/me/preferences", headers=fresh)
        if answer.status_code == 200 or time.monotonic() > deadline:
            break
    assert answer.status_code == 200
    assert api.post("/api/v1/agent/me/sign-out").status_code == 401  # needs a token


def test_sms_goes_only_to_allowed_countries_and_within_daily_caps(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ventanilla.services.intake_guard import sms_refusal

    settings = get_settings()
    monkeypatch.setattr(settings, "sms_daily_segments_per_number", 3)
    monkeypatch.setattr(settings, "sms_daily_segments", 1_000_000)
    assert sms_refusal("+54 9 11 2345 6789", "Hola") == "sms_country"  # Argentina: not the institution's
    monkeypatch.setattr(settings, "sms_countries", "CL,AR")
    assert sms_refusal("+54 9 11 2345 6789", "Hola") is None
    phone = f"+5698{uuid.uuid4().int % 10**7:07d}"
    two_segments = "x" * 200
    assert sms_refusal(phone, two_segments) is None
    assert sms_refusal(phone, "corto") is None  # 3 segments: the cap
    assert sms_refusal(phone, "uno más") == "sms_cap_number"
    with clock.advanced(timedelta(days=1)):
        assert sms_refusal(phone, "otro día") is None
    monkeypatch.setattr(settings, "sms_daily_segments", 1)
    with clock.advanced(timedelta(days=3)):  # a day nothing else in this run has texted
        first, second = (f"+5698{uuid.uuid4().int % 10**7:07d}" for _ in range(2))
        assert sms_refusal(first, "uno") is None
        assert sms_refusal(second, "dos") == "sms_cap_total"
        monkeypatch.setattr(settings, "sms_daily_segments", 2)
        assert sms_refusal(second, "dos") is None  # the refused one was given back to its number


def test_notices_carry_the_filers_words_only_once_the_address_is_confirmed(api: Any, aws: Aws) -> None:
    """Anyone can type a stranger's address: the receipt there is fixed text (number, code, the
    request type), and the filer's name and subject reach it only after the request was opened with
    its code, which proves the address's owner received the receipt."""
    from tests.integration.test_notifications import drain, new_ticket, publish_history, sent

    drain(aws)
    created, email = new_ticket(api, name="Pedro Suplantador", channels=["email"])
    number, code = created["number"], created["access_code"]
    publish_history(number)  # what the stream function does
    drain(aws)
    [receipt] = sent(email, "email")
    for part in (receipt["text"], receipt["html"], receipt["subject"]):
        assert "Suplantador" not in part and "Luminaria" not in part
    assert receipt["text"].startswith("Hola:")
    assert number in receipt["text"] and code in receipt["text"] and "Consulta general" in receipt["text"]

    for _ in range(2):  # the citizen opens it (twice: confirmed once)
        assert _follow(api, number, code).status_code == 200
    staff = api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth("ana.l1")).json_body
    confirmations = [e for e in staff["history"] if e["action"] == "contact_confirmed"]
    assert len(confirmations) == 1 and not confirmations[0]["public"]
    answer = post(
        api,
        f"/api/v1/agent/tickets/{number}/reply",
        {"body": "Enviamos una cuadrilla mañana."},
        aws.auth("ana.l1"),
    )
    assert answer.status_code in (200, 201), answer.body
    publish_history(number, {"message"})
    drain(aws)
    reply = next(m for m in sent(email, "email") if "cuadrilla" in m["text"])
    assert reply["text"].startswith("Hola, Pedro Suplantador:")
    assert "Luminaria apagada en la esquina" in reply["text"]
