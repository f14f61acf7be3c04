"""What a file attached to a request may be (B6, B10): its real type by its bytes, the limits, and
image metadata removed. Plain Python on bytes, no I/O: the checker function feeds it the object.

The type is read from the content (magic numbers, the members of a zip container), never from the
name or the declared content type, so a renamed executable is refused. Metadata is removed from
JPEG (APP1 Exif/XMP, APP13 IPTC, comments) and PNG (eXIf and text chunks) by dropping those
segments: the pixels are not re-encoded, so nothing else changes.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
MAX_TOTAL_BYTES = 25 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
"""A Word/ODT document whose parts inflate beyond this is treated as a zip bomb."""
MAX_ZIP_RATIO = 200
MAX_ZIP_MEMBERS = 2000

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOC = "application/msword"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain"
ALLOWED_TYPES: tuple[str, ...] = (PDF, JPEG, PNG, DOC, DOCX, ODT, TEXT)
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", DOC: "doc", DOCX: "docx", ODT: "odt", TEXT: "txt"}


class Rejected(Exception):
    """The file is refused; ``reason`` is the code the citizen sees explained (i18n)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Checked:
    content_type: str
    data: bytes
    stripped: bool
    """True when metadata was removed (the stored bytes differ from the upload)."""


def _zip_type(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise Rejected("corrupt_file") from error
    if len(members) > MAX_ZIP_MEMBERS:
        raise Rejected("zip_bomb")
    unzipped = sum(m.file_size for m in members)
    if unzipped > MAX_UNZIPPED_BYTES or unzipped > MAX_ZIP_RATIO * max(len(data), 1):
        raise Rejected("zip_bomb")
    names = {m.filename for m in members}
    if "mimetype" in names:
        with archive.open("mimetype") as part:
            if part.read(100).strip() == ODT.encode():
                return ODT
    if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
        return DOCX
    raise Rejected("type_not_allowed")


_CONTROL = bytes(set(range(32)) - {9, 10, 12, 13}) + b"\x7f"


def _is_text(data: bytes) -> bool:
    """Text: no control bytes but tabs, line and page breaks; UTF-8 or Windows-1252."""
    if data.translate(None, _CONTROL) != data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            data.decode("cp1252")  # older Windows text from Latin American offices
        except UnicodeDecodeError:
            return False
    return True


def sniff(data: bytes) -> str:
    """The real type of ``data``, or Rejected."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return DOC
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if data and _is_text(data):
        return TEXT
    raise Rejected("type_not_allowed")


_JPEG_DROP = {0xE1, 0xED, 0xFE}  # APP1 (Exif, XMP), APP13 (IPTC), COM


def strip_jpeg(data: bytes) -> bytes:
    """The JPEG without its metadata segments; the scan data is copied as is."""
    out = bytearray(data[:2])
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise Rejected("corrupt_file")
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[pos:]
            return bytes(out)
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        if length < 2 or end > len(data):
            raise Rejected("corrupt_file")
        if marker not in _JPEG_DROP:
            out += data[pos:end]
        pos = end
    raise Rejected("corrupt_file")


_PNG_DROP = {b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME"}


def strip_png(data: bytes) -> bytes:
    out = bytearray(data[:8])
    pos = 8
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise Rejected("corrupt_file")
        if kind not in _PNG_DROP:
            out += data[pos:end]
        pos = end
        if kind == b"IEND":
            return bytes(out)
    raise Rejected("corrupt_file")


def check(data: bytes, declared_size: int) -> Checked:
    """The file as it may be kept, or Rejected: too large, not an allowed type, corrupt."""
    if len(data) > MAX_FILE_BYTES:
        raise Rejected("file_too_large")
    if len(data) == 0:
        raise Rejected("empty_file")
    if len(data) > declared_size:
        raise Rejected("size_mismatch")
    kind = sniff(data)
    if kind == JPEG:
        clean = strip_jpeg(data)
    elif kind == PNG:
        clean = strip_png(data)
    else:
        return Checked(kind, data, stripped=False)
    return Checked(kind, clean, stripped=clean != data)


def within_request_limits(count: int, total: int, size: int) -> str | None:
    """The reason one more file of ``size`` does not fit a request holding ``count`` files of
    ``total`` bytes (None: it fits)."""
    if size > MAX_FILE_BYTES:
        return "file_too_large"
    if count >= MAX_FILES:
        return "too_many_files"
    if total + size > MAX_TOTAL_BYTES:
        return "request_too_large"
    return None
