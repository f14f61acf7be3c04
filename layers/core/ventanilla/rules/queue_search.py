"""What the agents' queue search matches: a request's number, subject, description and requester's
name, email and phone, case- and accent-insensitive, every word of the query somewhere."""

from __future__ import annotations

import re

from ventanilla.models.ticket import Ticket
from ventanilla.rules.text import fold

NUMBER = re.compile(r"\d{4}-\d{6}")
"""A full request number: the search is then one GetItem, whatever the request's status."""

MAX_QUERY = 100


def words(query: str) -> list[str]:
    """The query's words, folded (at most 8: a search, not a document)."""
    return fold(query).split()[:8]


def haystack(t: Ticket) -> str:
    r = t.requester
    parts = [t.number, t.subject, t.description, r.name, r.email or "", r.phone or ""]
    return fold(" ".join(parts))


def matches(t: Ticket, terms: list[str]) -> bool:
    text = haystack(t)
    return all(term in text for term in terms)
