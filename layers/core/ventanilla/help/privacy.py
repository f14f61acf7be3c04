"""Keep personal data out of the help centre's logs.

Citizens paste all sorts into a search box or a comment: their email, phone, RUT/cédula, a request
number. The search log, the content-gaps list and feedback comments keep the words about the topic
and replace those with a placeholder, so editors can read them and nobody can be found in them.
"""

from __future__ import annotations

import re

from ventanilla.help.search.text import fold

MAX_LOGGED_QUERY = 200

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[correo]"),
    (re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE), "[enlace]"),
    # RUT / RUN with check digit: 12.345.678-9, 12345678-K
    (re.compile(r"\b\d{1,2}\.?\d{3}\.?\d{3}-[\dkK]\b"), "[documento]"),
    # Phones and any other long run of digits (ids, card numbers): 7+ digits, spaces/dashes allowed
    (re.compile(r"\+?\d(?:[\s.-]?\d){6,}"), "[número]"),
]


def redact(text: str) -> str:
    """``text`` with emails, links, ID numbers and phone-like digit runs replaced."""
    out = text
    for pattern, placeholder in _PATTERNS:
        out = pattern.sub(placeholder, out)
    return out


def loggable_query(query: str) -> str:
    """A search as it is logged and grouped as a content gap: redacted, folded, one space, bounded."""
    return " ".join(fold(redact(query)).split())[:MAX_LOGGED_QUERY]


def scrub_names(text: str, *values: str | None) -> str:
    """Remove the given personal values (a requester's name, email, phone...) from ``text``."""
    out = text
    for value in values:
        if value and len(value.strip()) >= 3:
            out = re.sub(re.escape(value.strip()), "[nombre]", out, flags=re.IGNORECASE)
    return redact(out)
