"""What a forum post may carry before it is published: personal data masked, a word list and link
rules per institution. Pure functions: the forum service applies them, tests call them directly.

Masking runs before anything is stored (the original text is never kept): RUT numbers that pass the
check digit, email addresses and phone numbers ``phonenumbers`` finds for the institution's
country. The author is told what was masked (``kinds``) in the answer and in their notices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ventanilla.rules.forms import rut_is_valid

MaskKind = Literal["rut", "email", "phone"]
MASKS: dict[MaskKind, str] = {"rut": "[RUT oculto]", "email": "[correo oculto]", "phone": "[teléfono oculto]"}
"""What replaces a masked value (kept in Spanish: it becomes part of the post)."""

_RUT = re.compile(r"(?<![\w.])(\d{1,2}\.?\d{3}\.?\d{3}\s?-\s?[\dkK])(?![\w])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL = re.compile(r"\bhttps?://([A-Za-z0-9.-]+)", re.IGNORECASE)
_WORD = re.compile(r"[\wáéíóúüñÁÉÍÓÚÜÑ]+")


@dataclass
class Masked:
    text: str
    kinds: set[MaskKind] = field(default_factory=set)


def mask_personal_data(text: str, country: str = "CL") -> Masked:
    """``text`` with RUTs (valid check digit), emails and phone numbers replaced by placeholders."""
    kinds: set[MaskKind] = set()

    def rut(match: re.Match[str]) -> str:
        if rut_is_valid(match.group(1).replace(" ", "")):
            kinds.add("rut")
            return MASKS["rut"]
        return match.group(0)

    text = _RUT.sub(rut, text)
    if _EMAIL.search(text):
        kinds.add("email")
        text = _EMAIL.sub(MASKS["email"], text)
    import phonenumbers  # lazy: its metadata is large

    spans = [
        (m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(text, country, leniency=phonenumbers.Leniency.VALID)
    ]
    for start, end in reversed(spans):
        text = text[:start] + MASKS["phone"] + text[end:]
    if spans:
        kinds.add("phone")
    return Masked(text, kinds)


def fold(word: str) -> str:
    table = str.maketrans("áéíóúüÁÉÍÓÚÜ", "aeiouuAEIOUU")
    return word.translate(table).lower()


def banned_words(text: str, words: list[str]) -> list[str]:
    """The listed words (accent- and case-insensitive, whole words) that ``text`` contains."""
    wanted = {fold(w) for w in words if w.strip()}
    if not wanted:
        return []
    found = {fold(w) for w in _WORD.findall(text)} & wanted
    return sorted(found)


LinkPolicy = Literal["allow", "hold", "block"]


def foreign_links(text: str, allowed_domains: list[str]) -> list[str]:
    """Host names of links outside the allowed domains (a domain allows its subdomains)."""
    allowed = [d.lower().lstrip(".") for d in allowed_domains if d.strip()]
    out = []
    for host in _URL.findall(text):
        host = host.lower().rstrip(".")
        if not any(host == d or host.endswith("." + d) for d in allowed):
            out.append(host)
    return sorted(set(out))
