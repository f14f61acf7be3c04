"""Signatures of webhook deliveries: ``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">``.

The timestamp (Unix seconds, sent in ``X-Ventanilla-Timestamp``) is inside what is signed, so a
receiver that also refuses old timestamps (five minutes is usual) cannot be replayed an old body.
"""

from __future__ import annotations

import hashlib
import hmac

from ventanilla.rules.constant_time import same

SIGNATURE_HEADER = "X-Ventanilla-Signature"
TIMESTAMP_HEADER = "X-Ventanilla-Timestamp"
EVENT_ID_HEADER = "X-Ventanilla-Event-Id"
EVENT_HEADER = "X-Ventanilla-Event"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (and the tests' receiver): a fresh timestamp and a matching signature."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    return same(signature.strip(), sign(secret, int(timestamp), body))


def backoff_seconds(attempt: int, base: int, cap: int = 3600) -> int:
    """The wait after the ``attempt``-th failed delivery (1-based): base * 2^(attempt-1), capped."""
    if base <= 0:
        return 0
    return int(min(cap, base * 2 ** max(attempt - 1, 0)))
