"""Attachments of a request, for the citizen (X-Access-Code) and for staff (their teams')."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import (
    KEY_HEADERS,
    Area,
    citizen_key,
    json_response,
    lang_of,
)
from ventanilla.auth import Principal
from ventanilla.models.attachments import AttachmentIn, AttachmentList, Download, UploadSlot
from ventanilla.services import attachments

bp = Blueprint(__name__)

NO_STORE = {"Cache-Control": "no-store"}
DECLARE = (
    "Declare a file (name, type, size: PDF, JPEG, PNG, Word, ODT, text; 10 MB a file, 5 files and "
    "25 MB a request) and get a presigned S3 POST for it; once uploaded it is checked by its bytes "
    "(image metadata removed) and listed as available or rejected with the reason"
)


keyed = Area(bp, "citizen", headers=KEY_HEADERS)
agent = Area(bp, "agent", auth=True)


@keyed.post(
    "/api/v1/tickets/{number}/attachments",
    summary=DECLARE + " (X-Access-Code)",
    body=AttachmentIn,
    response=UploadSlot,
    status=201,
)
def citizen_declare(number: str, body: AttachmentIn) -> Response:
    request = bp.current_request
    slot = attachments.citizen_declare(number, citizen_key(request), body, lang_of(request))
    return json_response(slot, status=201, headers=NO_STORE)


@keyed.get("/api/v1/tickets/{number}/attachments", response=AttachmentList)
def citizen_list(number: str) -> Response:
    """The request's files with their state (X-Access-Code)"""
    request = bp.current_request
    return json_response(
        attachments.citizen_list(number, citizen_key(request), lang_of(request)), headers=NO_STORE
    )


@keyed.get("/api/v1/tickets/{number}/attachments/{attachment_id}", response=Download)
def citizen_download(number: str, attachment_id: str) -> Response:
    """A five-minute download link of a checked file (X-Access-Code); 409 while not available"""
    request = bp.current_request
    return json_response(
        attachments.citizen_download(number, citizen_key(request), attachment_id), headers=NO_STORE
    )


@agent.post(
    "/api/v1/agent/tickets/{number}/attachments",
    summary=DECLARE,
    body=AttachmentIn,
    response=UploadSlot,
    status=201,
)
def staff_declare(number: str, principal: Principal, body: AttachmentIn) -> Response:
    request = bp.current_request
    slot = attachments.staff_declare(principal, number, body, lang_of(request))
    return json_response(slot, status=201, headers=NO_STORE)


@agent.get("/api/v1/agent/tickets/{number}/attachments", response=AttachmentList)
def staff_list(number: str, principal: Principal) -> Response:
    """The request's files with their state"""
    request = bp.current_request
    return json_response(attachments.staff_list(principal, number, lang_of(request)), headers=NO_STORE)


@agent.get("/api/v1/agent/tickets/{number}/attachments/{attachment_id}", response=Download)
def staff_download(number: str, attachment_id: str, principal: Principal) -> Response:
    """A five-minute download link of a checked file; 409 while not available"""
    return json_response(attachments.staff_download(principal, number, attachment_id), headers=NO_STORE)
