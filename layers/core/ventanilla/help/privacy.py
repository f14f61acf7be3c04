"""Keep personal data out of the help centre's logs.

Citizens paste all sorts into a search box or a comment: their email, phone, RUT/cédula, a request
number. The search log, the content-gaps list and feedback comments keep the words about the topic
and replace those with a placeholder, so editors can read them and nobody can be found in them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

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


# ---- drafts made from a reply: every personal value out, each kind labelled --------------------------

_LABELS = {
    "es": {
        "email": "[correo]",
        "link": "[enlace]",
        "id": "[documento]",
        "phone": "[teléfono]",
        "number": "[número]",
        "name": "[nombre]",
        "ticket": "[solicitud]",
    },
    "en": {
        "email": "[email]",
        "link": "[link]",
        "id": "[ID number]",
        "phone": "[phone]",
        "number": "[number]",
        "name": "[name]",
        "ticket": "[request]",
    },
}
_EMAIL = _PATTERNS[0][0]
_LINK = _PATTERNS[1][0]
_RUT = re.compile(r"\b\d{1,2}\.?\d{3}\.?\d{3}-[\dkK]\b")
# An ID the text names: "cédula 1023456789", "C.C. 52.123.456", "DNI: 12345678", "NIT 900123456-7".
_NAMED_ID = re.compile(
    r"(?i:\b(?:c[ée]dula(?:\s+de\s+(?:identidad|ciudadan[ií]a))?|c\.\s?c\.|cc|rut|run|dni|nit|pasaporte|"
    r"documento(?:\s+de\s+identidad)?|id\s+number|passport))(?:\s*(?:n[°º.]|no\.|número))?\s*:?\s*"
    r"(?=\d)([\d.\s-]{4,}[\dkK])\b"
)
# Thousands-dotted runs of three or more groups (1.023.456.789, 12.345.678) are ID numbers here;
# amounts carry a currency sign and stay.
_DOTTED_ID = re.compile(r"(?<![$\d.,])\b\d{1,3}(?:\.\d{3}){2,}\b(?!\.\d)")
_DIGITS = re.compile(r"(?<![$\w.,])\+?\d(?:[\s.-]?\d){6,}")
_TITLE = (
    r"(?:se[ñn]or(?:a|ita)?|srta|sra|sr|doña|don|vecin[oa]s?|usuari[oa]s?|ciudadan[oa]s?|mrs|mr|ms)(?!\w)\.?"
)
_NAME_WORD = r"(?:\[(?:nombre|name)\]|[A-ZÁÉÍÓÚÑÜ][\w'’-]*)"
_NAMES = rf"(?:\s+(?:{_NAME_WORD}|(?:de|del|la|las|los|y)(?=\s+{_NAME_WORD})))*"
_GREETING = re.compile(
    r"^[ \t]*(?i:hola|buen[oa]s(?:\s+(?:d[ií]as|tardes|noches))?|estimad[oa]s?|querid[oa]s?|"
    r"dear|hello|hi|good\s+(?:morning|afternoon|evening))\b,?"
    rf"(?:\s+(?i:{_TITLE}))?{_NAMES}[ \t]*[,:;!.]?[ \t]*",
    re.MULTILINE,
)
_CLOSING = re.compile(
    r"(?:^|(?<=[.!?]))[ \t]*(?i:saludos(?:\s+cordiales)?|un\s+(?:cordial\s+)?saludo|atentamente|atte|"
    r"cordialmente|(?:best\s+|kind\s+)?regards|sincerely)\.?[,:]?"
    rf"{_NAMES}[ \t]*[.!]?\s*\Z",
    re.MULTILINE,
)
_PARTICLES = {"del", "las", "los", "san", "santa", "van", "von"}
_VARIANTS = {"a": "aáàâä", "e": "eéèêë", "i": "iíìîï", "o": "oóòôö", "u": "uúùûü", "n": "nñ", "c": "cç"}


def _loose(word: str, *, capital: bool) -> str:
    """A pattern for ``word`` whatever its accents; ``capital`` asks for a capital first letter."""
    out = []
    for i, ch in enumerate(word):
        base = fold(ch)
        if not base.isalpha():
            out.append(r"\s+" if ch.isspace() else re.escape(ch))
            continue
        chars = _VARIANTS.get(base, base)
        upper = chars.upper()
        out.append(f"[{upper}]" if capital and i == 0 else f"[{chars}{upper}]")
    return "".join(out)


def _phone_or_number(labels: dict[str, str]) -> Callable[[re.Match[str]], str]:
    def label(match: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in match.group(0))
        return labels["phone"] if digits <= 12 else labels["number"]

    return label


def _named_id(labels: dict[str, str]) -> Callable[[re.Match[str]], str]:
    def label(match: re.Match[str]) -> str:
        start, end = match.span(1)
        whole = match.group(0)
        return whole[: start - match.start()] + labels["id"] + whole[end - match.start() :]

    return label


def scrub_personal(
    text: str, names: Iterable[str | None], values: Iterable[str | None], lang: str = "es"
) -> str:
    """``text`` fit to publish: greetings and sign-offs that name someone gone, every name of ``names``
    (whole and each part) and every contact, ID and phone replaced by a label saying what it was."""
    labels = _LABELS["en" if lang == "en" else "es"]
    out = text
    for value in values:
        if value and len(value.strip()) >= 3:
            out = re.sub(re.escape(value.strip()), labels["ticket"], out, flags=re.IGNORECASE)
    out = _EMAIL.sub(labels["email"], out)
    out = _LINK.sub(labels["link"], out)
    out = _RUT.sub(labels["id"], out)
    out = _NAMED_ID.sub(_named_id(labels), out)
    out = _DOTTED_ID.sub(labels["id"], out)
    out = _DIGITS.sub(_phone_or_number(labels), out)
    full = sorted({" ".join(n.split()) for n in names if n and len(n.strip()) >= 3}, key=len, reverse=True)
    parts = sorted(
        {p for n in full for p in n.split() if len(p) >= 3 and p.lower() not in _PARTICLES},
        key=len,
        reverse=True,
    )
    for name in full:
        out = re.sub(rf"(?<!\w){_loose(name, capital=False)}(?!\w)", labels["name"], out)
    for part in parts:
        out = re.sub(rf"(?<!\w){_loose(part, capital=True)}(?!\w)", labels["name"], out)
    tag = re.escape(labels["name"])
    out = re.sub(rf"{tag}(?:\s+{tag})+", labels["name"], out)
    # What followed a removed greeting starts the sentence now.
    out = re.sub(r"\x00(\w?)", lambda m: m.group(1).upper(), _GREETING.sub("\x00", out.replace("\x00", "")))
    return _CLOSING.sub("", out).strip()
