"""Private access codes that let a citizen follow a request without an account.

Codes use an alphabet without look-alike characters (no 0/O, 1/I/L) so they can be read over the
phone. Only a salted scrypt hash is stored; checking takes the same time whatever the input.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10  # 31**10 ~ 8e14 codes (49 bits)
_N, _R, _P = 2**14, 8, 1


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(code: str) -> str:
    """Codes are typed by people: ignore case, spaces and hyphens."""
    return "".join(ch for ch in code.upper() if ch not in " -")


def hash_code(code: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(normalise(code).encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_code(code: str | None, stored: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = normalise(code or "")[:64]
    digest = hashlib.scrypt(candidate.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return hmac.compare_digest(digest, expected)
