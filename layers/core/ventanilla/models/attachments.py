"""Files attached to a request (B6, B10): what a client declares, what is stored, what is answered."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ventanilla.models.base import Model
from ventanilla.models.common import Strict
from ventanilla.rules.attachments import ALLOWED_TYPES, MAX_FILE_BYTES

AttachmentStatus = Literal["pending", "available", "rejected"]
AllowedType = Literal[
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "text/plain",
]
assert set(AllowedType.__args__) == set(ALLOWED_TYPES)  # type: ignore[attr-defined]


class AttachmentIn(Strict):
    """A file the client is about to upload: S3 then holds it to this size and type."""

    filename: str = Field(min_length=1, max_length=160, pattern=r"^[^/\\\x00-\x1f]+$")
    content_type: AllowedType
    size: int = Field(ge=1, le=MAX_FILE_BYTES, description="bytes")


class Attachment(Model):
    """One file of a request, as stored (``PK TICKET#<n> / SK ATT#<id>``)."""

    attachment_id: str
    number: str
    filename: str
    content_type: str
    """Declared until checked; then the type read from the bytes."""
    size: int
    status: AttachmentStatus = "pending"
    reason: str | None = None
    """Why it was rejected (an i18n code)."""
    uploaded_by: Literal["citizen", "staff", "email"]
    uploader_id: str | None = None
    created_at: datetime
    checked_at: datetime | None = None
    metadata_removed: bool = False
    stored_in: str | None = None
    """A merged request's number when this is a copy of its file: the bytes stay under its key."""
    public: bool = True
    """False for a copy merged from another person's request: staff see it, this citizen does not."""


class AttachmentView(Model):
    attachment_id: str
    filename: str
    content_type: str
    size: int
    status: AttachmentStatus
    reason: str | None = None
    reason_text: str | None = None
    uploaded_by: str
    created_at: datetime
    metadata_removed: bool = False


class PresignedPost(Model):
    url: str
    fields: dict[str, str]


class UploadSlot(Model):
    """Answer to a declared file: POST it as multipart/form-data to ``upload.url`` with
    ``upload.fields`` first and the file last, before ``expires_at``."""

    attachment: AttachmentView
    upload: PresignedPost
    expires_at: datetime


class AttachmentList(Model):
    items: list[AttachmentView]


class Download(Model):
    url: str
    expires_at: datetime
