"""Comparing a secret a client sent with the one we expect, in constant time.

``hmac.compare_digest`` raises TypeError for a str with a non-ASCII character, and whatever a
client sends (a link's token, a signature header) may have one: compared as UTF-8 bytes, such a
value is simply not equal (a 4xx), never a 500.
"""

from __future__ import annotations

import hmac


def same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8", "replace"))
