"""Seal short secrets (the access code of a new request) for the receipt notice.

Only a hash of the access code is kept with the ticket. The receipt must still tell the citizen the
code, so the create transaction also writes it sealed (AES-GCM, key derived from the notification
secret, the request number as associated data) on an item that expires; the notifier opens it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

_DOMAIN = b"ventanilla/receipt/v1"


def _key(secret: bytes) -> bytes:
    if len(secret) < 16:
        raise ValueError("the notification secret must be at least 16 bytes")
    return hmac.new(secret, _DOMAIN, hashlib.sha256).digest()


def seal(secret: bytes, number: str, value: str) -> str:
    nonce = os.urandom(12)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # lazy: only routes that seal

    data = AESGCM(_key(secret)).encrypt(nonce, value.encode(), number.encode())
    return base64.urlsafe_b64encode(nonce + data).decode()


def open_sealed(secret: bytes, number: str, sealed: str) -> str | None:
    """The sealed value, or None when it was sealed for another number or tampered with."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        return AESGCM(_key(secret)).decrypt(raw[:12], raw[12:], number.encode()).decode()
    except (InvalidTag, ValueError):
        return None
