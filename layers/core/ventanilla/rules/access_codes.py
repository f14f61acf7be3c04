"""Private access codes that let a citizen follow a request without an account.

Codes use an alphabet without look-alike characters (no 0/O, 1/I/L) so they can be read over the
phone. A code is 49 random bits, not a password a person chose: it needs no key stretching, only a
secret the table does not hold. So the table keeps an HMAC-SHA256 of the request's number and the
code under a pepper (derived from a secret in Secrets Manager): microseconds per check instead of a
16 MiB scrypt, and a copy of the table alone does not let anyone test codes. Hashes written before
(``scrypt$``) are still read; the caller rewrites them on the next right code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10  # 31**10 ~ 8e14 codes (49 bits)
SCHEME = "hmac1"
_N, _R, _P = 2**14, 8, 1  # the legacy scrypt hashes' parameters
_PEPPER_LABEL = b"ventanilla/access-code/v1"
_MAX_INPUT = 64


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(code: str) -> str:
    """Codes are typed by people: ignore case, spaces and hyphens."""
    return "".join(ch for ch in code.upper() if ch not in " -")


def pepper(secret: bytes) -> bytes:
    """The key of the code hashes, derived from the institution's secret for this one purpose
    (domain separation: the same secret also signs notice links and opt-outs)."""
    return hmac.new(secret, _PEPPER_LABEL, hashlib.sha256).digest()


def _mac(key: bytes, number: str, code: str) -> bytes:
    # The number is in the message: a hash copied onto another request does not open it.
    return hmac.new(key, f"{number}\n{normalise(code)[:_MAX_INPUT]}".encode(), hashlib.sha256).digest()


def hash_code(code: str, key: bytes, number: str) -> str:
    return f"{SCHEME}${base64.b64encode(_mac(key, number, code)).decode()}"


def needs_rehash(stored: str) -> bool:
    return not stored.startswith(SCHEME + "$")


def check_code(code: str | None, stored: str | None, key: bytes, number: str) -> bool:
    """True when ``code`` opens the request. ``stored`` None (no such request) costs the same HMAC
    as a wrong code, so an unknown number and a wrong code cannot be told apart by time."""
    candidate = _mac(key, number, code or "")
    if stored is None:
        hmac.compare_digest(candidate, bytes(32))
        return False
    scheme, _, rest = stored.partition("$")
    if scheme == SCHEME:
        try:
            expected = base64.b64decode(rest, validate=True)
        except ValueError:
            return False
        return bool(code) and hmac.compare_digest(candidate, expected)
    if scheme == "scrypt":
        return bool(code) and _check_scrypt(code or "", rest)
    return False


def _check_scrypt(code: str, rest: str) -> bool:
    try:
        salt_b64, digest_b64 = rest.split("$")
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    except ValueError:
        return False
    digest = hashlib.scrypt(normalise(code)[:_MAX_INPUT].encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return hmac.compare_digest(digest, expected)


def legacy_scrypt_hash(code: str) -> str:
    """A hash as stored before the HMAC scheme (tests of the migration)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(normalise(code).encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()
