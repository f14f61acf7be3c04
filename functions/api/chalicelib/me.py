"""A signed-in citizen's own record (F1): profile, requests from every channel, consents, export
and erasure. Only ID tokens of the citizens' pool open these routes; a staff token answers 401."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import (
    CITIZEN_BEARER,
    CURSOR,
    Area,
    citizen_of,
    json_response,
    lang_of,
    limit,
    parse_body,
    query_int,
    query_params,
)
from ventanilla.models.accounts import (
    AccountPhoneCodeIn,
    AccountPhoneIn,
    AccountPhonePending,
    ConsentIn,
    ErasureOut,
    MeIn,
    MeOut,
    MyTickets,
)
from ventanilla.models.ticket import CitizenSession
from ventanilla.services import account_phone, accounts

bp = Blueprint(__name__)
AUTH = {"Authorization": CITIZEN_BEARER}
NO_STORE = {"Cache-Control": "no-store"}


signed_in = Area(bp, "me", headers=AUTH)


@signed_in.get("/api/v1/me", response=MeOut)
def get_me() -> Response:
    """My record: profile, verified contacts, consents"""
    return json_response(accounts.me(citizen_of(bp.current_request)), headers=NO_STORE)


@signed_in.put("/api/v1/me", body=MeIn, response=MeOut)
def put_me() -> Response:
    """Change my name, language, notice channels and segment data"""
    request = bp.current_request
    citizen = citizen_of(request)
    return json_response(accounts.update_me(citizen, parse_body(request, MeIn)), headers=NO_STORE)


@signed_in.get("/api/v1/me/tickets", response=MyTickets, query={"limit": limit(1, 50, 20), "cursor": CURSOR})
def my_tickets() -> Response:
    """My requests from every channel, newest first"""
    request = bp.current_request
    citizen = citizen_of(request)
    page = accounts.my_tickets(
        citizen,
        query_params(request).get("cursor"),
        query_int(request, "limit", 20, 1, 50),
        lang_of(request),
    )
    return json_response(page, headers=NO_STORE)


@signed_in.post("/api/v1/me/tickets/{number}/session", response=CitizenSession, status=201)
def ticket_session(number: str) -> Response:
    """Open one of my requests without its code: a one-hour session (send it as X-Ticket-Session), as a
    notice's link gives; another's request answers 404 like a wrong code"""
    session = accounts.ticket_session(citizen_of(bp.current_request), number)
    return json_response(session, status=201, headers=NO_STORE)


@signed_in.post("/api/v1/me/consents", body=ConsentIn, response=MeOut, status=201)
def consent() -> Response:
    """Give or withdraw one consent (a new ledger line)"""
    request = bp.current_request
    citizen = citizen_of(request)
    return json_response(
        accounts.set_consent(citizen, parse_body(request, ConsentIn)), status=201, headers=NO_STORE
    )


@signed_in.get("/api/v1/me/export")
def export() -> Response:
    """Everything held about me as JSON: record, consents, requests with their public timelines, and who on
    staff read my data (rate-limited)"""
    request = bp.current_request
    body = accounts.export(citizen_of(request), lang_of(request))
    return json_response(
        body, headers={**NO_STORE, "Content-Disposition": 'attachment; filename="mis-datos.json"'}
    )


@signed_in.delete("/api/v1/me", response=ErasureOut)
def delete_me() -> Response:
    """Erase my account and my personal data everywhere; says what was kept and why (idempotent,
    rate-limited)"""
    request = bp.current_request
    return json_response(accounts.erase(citizen_of(request), lang_of(request)), headers=NO_STORE)


@signed_in.post("/api/v1/me/phone", body=AccountPhoneIn, response=AccountPhonePending, status=202)
def add_phone() -> Response:
    """Add a phone: an SMS code is sent to it (rate-limited); it is verified only once the code is
    confirmed"""
    request = bp.current_request
    citizen = citizen_of(request)
    pending = account_phone.start(citizen, parse_body(request, AccountPhoneIn))
    return json_response(pending, status=202, headers=NO_STORE)


@signed_in.post("/api/v1/me/phone/confirm", body=AccountPhoneCodeIn, response=MeOut)
def confirm_phone() -> Response:
    """Confirm the phone with the SMS code: it becomes a verified contact (five wrong codes drop the code)"""
    request = bp.current_request
    citizen = citizen_of(request)
    return json_response(
        account_phone.confirm(citizen, parse_body(request, AccountPhoneCodeIn)), headers=NO_STORE
    )
