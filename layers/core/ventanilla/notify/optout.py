"""Signed opt-out links: one click unsubscribes a recipient from a channel without logging in.

The token holds an opaque recipient id, the channel and the issue time, signed with HMAC-SHA256
(truncated to 128 bits to keep SMS links short). It is encoded, not encrypted, so it must never
carry an email address or phone number: those are rejected.

Version 2 packs the notifier's own ids (``c:<32 hex>`` citizens, ``s:<uuid>`` Cognito staff) into
17 bytes instead of 34 or 38 characters, so the link is 22 characters shorter in an SMS, where two
segments must hold the receipt and this link. Version 1 tokens (any id, as text) are still read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
import uuid
from dataclasses import dataclass

from ventanilla.notify.errors import NotifyError

_VERSION = 1  # the recipient id as ASCII text
_VERSION_PACKED = 2  # a prefix letter and the id's 16 bytes
_PACKED = {
    "c": re.compile(r"^c:[0-9a-f]{32}$"),
    "s": re.compile(r"^s:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$"),
}
_DOMAIN = b"ventanilla/optout/v1\x00"  # keeps these MACs apart from any other use of the secret
_SIG_LEN = 16
_TS_LEN = 5  # seconds since the epoch, good until year 36812
_MAX_TOKEN = 400
_CLOCK_SKEW = 300
_CHANNELS = {"email": b"e", "sms": b"s", "push": b"p", "all": b"*"}
_CHANNEL_NAMES = {v[0]: k for k, v in _CHANNELS.items()}
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_PHONE_LIKE = re.compile(r"^\+?\d{7,15}$")


class TokenError(NotifyError):
    """A token that must not be honoured; ``code`` is malformed, tampered, expired or future."""


@dataclass(frozen=True)
class OptOut:
    recipient_id: str
    channel: str
    issued_at: int


def _check_secret(secret: bytes) -> None:
    if len(secret) < 16:
        raise ValueError("the opt-out secret must be at least 16 bytes")


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, _DOMAIN + payload, hashlib.sha256).digest()[:_SIG_LEN]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_token(secret: bytes, recipient_id: str, channel: str, issued_at: int) -> str:
    """A URL-safe token (54 characters for the notifier's ids) asking to stop ``channel`` notices to
    ``recipient_id``.

    ``channel`` is email, sms, push or all.
    """
    _check_secret(secret)
    if channel not in _CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; use one of {sorted(_CHANNELS)}")
    if not _ID_RE.match(recipient_id) or _PHONE_LIKE.match(recipient_id.replace("-", "")):
        raise ValueError(
            "recipient_id must be an opaque id (letters, digits, _.:-), never an email or phone number"
        )
    if not 0 <= issued_at < 2 ** (8 * _TS_LEN):
        raise ValueError("issued_at must be a Unix time in seconds")
    head = issued_at.to_bytes(_TS_LEN, "big") + _CHANNELS[channel]
    prefix = recipient_id[:1]
    if prefix in _PACKED and _PACKED[prefix].match(recipient_id):
        payload = bytes([_VERSION_PACKED]) + head + prefix.encode() + uuid.UUID(recipient_id[2:]).bytes
    else:
        payload = bytes([_VERSION]) + head + recipient_id.encode("ascii")
    return _b64(payload + _mac(secret, payload))


def _unpack_id(version: int, data: bytes) -> str | None:
    if version == _VERSION:
        return data.decode("ascii", errors="replace")
    prefix = data[:1].decode("ascii", errors="replace")
    if prefix not in _PACKED or len(data) != 17:
        return None
    value = uuid.UUID(bytes=data[1:])
    return f"{prefix}:{value.hex if prefix == 'c' else value}"


def _fail(code: str, es: str, en: str) -> TokenError:
    return TokenError(code, es, en)


def read_token(
    secret: bytes, token: str, max_age_seconds: int | None = None, now: int | None = None
) -> OptOut:
    """The opt-out a token asks for, after checking its signature (in constant time) and age."""
    _check_secret(secret)
    malformed = _fail(
        "malformed",
        "El enlace para dejar de recibir avisos está incompleto o dañado.",
        "The unsubscribe link is incomplete or damaged.",
    )
    if not isinstance(token, str) or not 0 < len(token) <= _MAX_TOKEN or not _TOKEN_RE.match(token):
        raise malformed
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise malformed from None
    if _b64(raw) != token or len(raw) < 1 + _TS_LEN + 1 + 1 + _SIG_LEN:
        raise malformed
    if raw[0] not in (_VERSION, _VERSION_PACKED):
        raise malformed
    payload, sig = raw[:-_SIG_LEN], raw[-_SIG_LEN:]
    if not hmac.compare_digest(sig, _mac(secret, payload)):
        raise _fail(
            "tampered",
            "El enlace para dejar de recibir avisos no es válido (firma incorrecta).",
            "The unsubscribe link is not valid (bad signature).",
        )
    issued_at = int.from_bytes(payload[1 : 1 + _TS_LEN], "big")
    channel = _CHANNEL_NAMES.get(payload[1 + _TS_LEN])
    recipient_id = _unpack_id(raw[0], payload[2 + _TS_LEN :])
    if channel is None or recipient_id is None:
        raise malformed
    current = int(time.time()) if now is None else now
    if issued_at > current + _CLOCK_SKEW:
        raise _fail(
            "future",
            "El enlace para dejar de recibir avisos tiene una fecha futura.",
            "The unsubscribe link is dated in the future.",
        )
    if max_age_seconds is not None and current - issued_at > max_age_seconds:
        raise _fail(
            "expired",
            "El enlace para dejar de recibir avisos expiró; use el de un aviso más reciente.",
            "The unsubscribe link has expired; use the one in a more recent notice.",
        )
    return OptOut(recipient_id=recipient_id, channel=channel, issued_at=issued_at)
