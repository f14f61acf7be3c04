"""One-time links to a request's page, and the short session a link is exchanged for.

A notice's link carries a random token, never the access code (a URL stays in browser history,
proxies and logs). Only the token's SHA-256 is stored, with an expiry, and opening the link deletes
it: it works once, for a day. The portal gets in exchange a session value signed with the
notifications secret, valid for an hour, that it keeps for the tab and sends instead of the code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from ventanilla.rules.constant_time import same

LINK_TTL = timedelta(hours=24)
SESSION_TTL = timedelta(hours=1)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")
_PREFIX = "s1."


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits, 32 URL-safe characters


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _mac(secret: bytes, number: str, expires: int) -> str:
    digest = hmac.new(secret, f"session|{number}|{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_session(secret: bytes, number: str, expires: datetime) -> str:
    """A value that opens request ``number`` until ``expires``."""
    stamp = int(expires.timestamp())
    return f"{_PREFIX}{stamp}.{_mac(secret, number, stamp)}"


def is_session(value: str | None) -> bool:
    """Session values and access codes never look alike (codes have no dots)."""
    return bool(value) and str(value).startswith(_PREFIX)


def check_session(secret: bytes, number: str, value: str, now: datetime) -> bool:
    """True when ``value`` was made for ``number`` and has not expired."""
    try:
        stamp_text, mac = value.removeprefix(_PREFIX).split(".")
        stamp = int(stamp_text)
    except ValueError:
        return False
    return same(mac, _mac(secret, number, stamp)) and now.timestamp() < stamp
