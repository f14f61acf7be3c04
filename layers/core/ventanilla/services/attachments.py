"""Files attached to a request (B6, B10): declare, upload straight to S3, check, list, download.

A client declares the file (name, type, size) and gets a presigned POST; S3 holds the upload to
that size and type. The bucket's ObjectCreated event reaches :func:`check_upload` (the attachments
function), which reads the real type from the bytes, removes image metadata, applies the request's
limits and marks the record available or rejected with a reason the citizen sees. Downloads are
short-lived presigned GETs of checked files only.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Literal

from ventanilla import i18n
from ventanilla.auth import Principal
from ventanilla.errors import Conflict, FieldError, NotFound, ValidationFailed
from ventanilla.i18n import Lang
from ventanilla.integrations import files
from ventanilla.models.attachments import (
    Attachment,
    AttachmentIn,
    AttachmentList,
    AttachmentView,
    Download,
    PresignedPost,
    UploadSlot,
)
from ventanilla.models.base import copied
from ventanilla.models.common import Channel, utcnow
from ventanilla.models.ticket import Actor, Ticket
from ventanilla.rules import attachments as rules
from ventanilla.rules.state_machine import Status
from ventanilla.storage import attachments as store
from ventanilla.storage import tickets as ticket_store

UPLOAD_SECONDS = 15 * 60
DOWNLOAD_SECONDS = 5 * 60


def view(a: Attachment, lang: Lang) -> AttachmentView:
    return copied(AttachmentView, a, reason_text=i18n.message(a.reason, lang) if a.reason else None)


def _counted(existing: list[Attachment]) -> tuple[int, int]:
    """Files and bytes that count against the request's limits (rejected ones do not)."""
    kept = [a for a in existing if a.status != "rejected"]
    return len(kept), sum(a.size for a in kept)


def _declare(
    ticket: Ticket, body: AttachmentIn, by: Literal["citizen", "staff", "email"], who: str | None, lang: Lang
) -> UploadSlot:
    if ticket.status == Status.CLOSED:
        raise Conflict("ticket_closed")
    count, total = _counted(store.of_ticket(ticket.number))
    reason = rules.within_request_limits(count, total, body.size)
    if reason is not None:
        raise ValidationFailed("validation_failed", errors=[FieldError("size", reason)])
    now = utcnow()
    record = Attachment(
        attachment_id=uuid.uuid4().hex,
        number=ticket.number,
        filename=body.filename,
        content_type=body.content_type,
        size=body.size,
        uploaded_by=by,
        uploader_id=who,
        created_at=now,
    )
    store.put_new(record)
    post = files.presigned_post(
        files.incoming_key(ticket.number, record.attachment_id), body.content_type, body.size, UPLOAD_SECONDS
    )
    return UploadSlot(
        attachment=view(record, lang),
        upload=PresignedPost(url=post["url"], fields={k: str(v) for k, v in post["fields"].items()}),
        expires_at=now + timedelta(seconds=UPLOAD_SECONDS),
    )


def _download(ticket: Ticket, attachment_id: str, citizen: bool = False) -> Download:
    record = store.get(ticket.number, attachment_id) if attachment_id.isalnum() else None
    if record is None or (citizen and not record.public):
        raise NotFound("attachment_not_found")
    if record.status != "available":
        raise Conflict("attachment_not_ready")
    key = files.stored_key(record.stored_in or ticket.number, attachment_id)
    url = files.presigned_get(key, record.filename, record.content_type, DOWNLOAD_SECONDS)
    return Download(url=url, expires_at=utcnow() + timedelta(seconds=DOWNLOAD_SECONDS))


# ---- citizens (number + access code or a link's session) -----------------------------------------


def _citizen(number: str, code: str | None) -> Ticket:
    from ventanilla.services.tickets import _citizen_ticket

    return _citizen_ticket(number, code)[0]


def citizen_declare(number: str, code: str | None, body: AttachmentIn, lang: Lang) -> UploadSlot:
    ticket = _citizen(number, code)
    return _declare(ticket, body, "citizen", ticket.citizen_id, lang)


def citizen_list(number: str, code: str | None, lang: Lang) -> AttachmentList:
    ticket = _citizen(number, code)
    return AttachmentList(items=[view(a, lang) for a in store.of_ticket(ticket.number) if a.public])


def citizen_download(number: str, code: str | None, attachment_id: str) -> Download:
    return _download(_citizen(number, code), attachment_id, citizen=True)


# ---- staff (their teams' requests) ----------------------------------------------------------------


def _staff(principal: Principal, number: str) -> Ticket:
    from ventanilla.services.tickets import _staff_ticket

    return _staff_ticket(principal, number)[0]


def staff_declare(principal: Principal, number: str, body: AttachmentIn, lang: Lang) -> UploadSlot:
    return _declare(_staff(principal, number), body, "staff", principal.sub, lang)


def staff_list(principal: Principal, number: str, lang: Lang) -> AttachmentList:
    ticket = _staff(principal, number)
    return AttachmentList(items=[view(a, lang) for a in store.of_ticket(ticket.number)])


def staff_download(principal: Principal, number: str, attachment_id: str) -> Download:
    return _download(_staff(principal, number), attachment_id)


# ---- the checker (ObjectCreated) ------------------------------------------------------------------


def check_upload(key: str) -> str:
    """Check one uploaded object; returns the outcome (available, rejected:<reason>, ignored)."""
    parsed = files.parse_key(key)
    if parsed is None:
        return "ignored"
    number, attachment_id = parsed
    record = store.get(number, attachment_id)
    if record is None or record.status != "pending":
        return "ignored"  # unknown key, or a redelivered event for a file already settled
    now = utcnow()
    try:
        data, size = files.read(key, rules.MAX_FILE_BYTES + 1)
        if size > rules.MAX_FILE_BYTES:
            raise rules.Rejected("file_too_large")
        checked = rules.check(data, record.size)
        others = [
            a for a in store.of_ticket(number) if a.attachment_id != attachment_id and a.status == "available"
        ]
        count, total = _counted(others)
        reason = rules.within_request_limits(count, total, len(checked.data))
        if reason is not None:
            raise rules.Rejected(reason)
    except rules.Rejected as rejected:
        files.delete(key)
        settled = record.model_copy(
            update={"status": "rejected", "reason": rejected.reason, "checked_at": now}
        )
        if store.settle(settled):
            _record_event(settled, now)
        return f"rejected:{rejected.reason}"
    files.write(files.stored_key(number, attachment_id), checked.data, checked.content_type)
    files.delete(key)
    settled = record.model_copy(
        update={
            "status": "available",
            "content_type": checked.content_type,
            "size": len(checked.data),
            "checked_at": now,
            "metadata_removed": checked.stripped,
        }
    )
    if store.settle(settled):
        _record_event(settled, now)
    return "available"


def _record_event(a: Attachment, now: datetime) -> None:
    from ventanilla.services.tickets import new_event

    actor = (
        Actor(kind="citizen", id=a.uploader_id)
        if a.uploaded_by in ("citizen", "email")
        else Actor(kind="staff", id=a.uploader_id)
    )
    event = new_event(
        a.number,
        actor,
        "attachment",
        public=a.status == "available",  # a refused file: the citizen sees why in the list
        channel=Channel.EMAIL if a.uploaded_by == "email" else Channel.WEB,
        body=a.filename,
        at=now,
        attachment_id=a.attachment_id,
        outcome=a.status,
        reason=a.reason,
    )
    ticket_store.append_events([event])


# ---- email (the email intake function) -------------------------------------------------------------


def _safe_filename(name: str | None) -> str:
    cleaned = "".join("_" if ch in "/\\" or ord(ch) < 32 else ch for ch in (name or "")).strip()
    return cleaned[-160:] or "adjunto"


def from_email(number: str, filename: str | None, content_type: str, data: bytes, citizen_id: str) -> str:
    """Keep a file that came attached to an email: it lands under ``incoming/`` as a browser upload
    does, so the same checker (type by its bytes, metadata, limits) decides on it. A file over the
    limits is recorded as rejected at once, with the reason the citizen sees."""
    now = utcnow()
    record = Attachment(
        attachment_id=uuid.uuid4().hex,
        number=number,
        filename=_safe_filename(filename),
        content_type=content_type if content_type in rules.ALLOWED_TYPES else "application/octet-stream",
        size=max(1, len(data)),
        uploaded_by="email",
        uploader_id=citizen_id,
        created_at=now,
    )
    count, total = _counted(store.of_ticket(number))
    reason = "empty_file" if not data else rules.within_request_limits(count, total, len(data))
    if reason is not None:
        rejected = record.model_copy(update={"status": "rejected", "reason": reason, "checked_at": now})
        store.put_new(rejected)
        _record_event(rejected, now)
        return f"rejected:{reason}"
    store.put_new(record)
    files.write(files.incoming_key(number, record.attachment_id), data, record.content_type)
    return "pending"
