"""SMS length rules: GSM-7 vs UCS-2, segment counting, Spanish transliteration and trimming.

A single non-GSM-7 character (``á``, ``ó``, an emoji) switches the whole message to UCS-2, cutting
a segment from 160 to 70 characters, and every extra segment is billed. Spanish text keeps most of
its accents in GSM-7 (é ñ ü à are there; á í ó ú are not), so transliterating the few missing ones
keeps a Spanish SMS in the cheap alphabet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from ventanilla.notify.errors import NotifyError

# 3GPP TS 23.038 default alphabet (basic table), without ESC (0x1B).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs two septets (ESC + code).
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67

# Marks around the part of an SMS that fit_sms may shorten (see mark_body). Private-use code
# points: never sent, never in GSM-7, stripped from untrusted input by the renderer.
BODY_START = "\ue000"
BODY_END = "\ue001"

_TRANSLIT = {
    "á": "a", "í": "i", "ó": "o", "ú": "u", "Á": "A", "Í": "I", "Ó": "O", "Ú": "U",
    "â": "a", "ê": "e", "î": "i", "ô": "o", "û": "u", "Â": "A", "Ê": "E", "Î": "I", "Ô": "O", "Û": "U",
    "ã": "a", "õ": "o", "Ã": "A", "Õ": "O", "ë": "e", "ï": "i", "Ë": "E", "Ï": "I",
    "È": "E", "Ì": "I", "Ò": "O", "Ù": "U", "À": "A", "ç": "c", "ý": "y", "Ý": "Y",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "«": '"', "»": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "´": "'", "`": "'",
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...", "\u2022": "-", "·": ".",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " ",
    "º": "o", "ª": "a", "°": "o",
}  # fmt: skip

_URL_RE = re.compile(r"https?://\S+")
_NUMBER_RE = re.compile(r"\b\d{4}-\d{6,}\b")  # request numbers, see rules/numbering.py


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 basic or extension table."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def _units(text: str) -> list[int]:
    """Cost of each character in the encoding the whole text needs (septets or UTF-16 units)."""
    if is_gsm7(text):
        return [2 if c in GSM7_EXTENSION else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def segments(text: str) -> int:
    """How many SMS segments ``text`` takes (0 for an empty text).

    Multipart segments never split an escape sequence or a surrogate pair, so this packs
    characters greedily rather than dividing the total length.
    """
    if not text:
        return 0
    units = _units(text)
    single, multi = (GSM7_SINGLE, GSM7_MULTI) if is_gsm7(text) else (UCS2_SINGLE, UCS2_MULTI)
    if sum(units) <= single:
        return 1
    count, used = 1, 0
    for u in units:
        if used + u > multi:
            count, used = count + 1, 0
        used += u
    return count


def to_gsm7(text: str) -> str:
    """Replace characters outside GSM-7 by their nearest GSM-7 form where one exists.

    GSM-7 letters (é, ñ, ü, à, ¿, ¡...) are kept; á í ó ú become a i o u; typographic quotes and
    dashes become ASCII. Anything without a GSM-7 form (emoji, CJK) is left as is, so the text
    stays correct even if it must go as UCS-2.
    """
    out: list[str] = []
    for c in text:
        if c in GSM7_BASIC or c in GSM7_EXTENSION:
            out.append(c)
        elif c in _TRANSLIT:
            out.append(_TRANSLIT[c])
        else:
            base = "".join(d for d in unicodedata.normalize("NFD", c) if not unicodedata.combining(d))
            out.append(base if base and is_gsm7(base) else c)
    return "".join(out)


def mark_body(text: str) -> str:
    """Mark ``text`` as the part of an SMS that :func:`fit_sms` shortens first."""
    return f"{BODY_START}{text}{BODY_END}"


def _ellipsis(text: str) -> str:
    return "..." if is_gsm7(text) else "…"


def _protected(text: str, protect: Iterable[str]) -> list[tuple[int, int]]:
    spans = [m.span() for m in _URL_RE.finditer(text)]
    spans += [m.span() for m in _NUMBER_RE.finditer(text)]
    for needle in protect:
        if needle:
            spans += [(m.start(), m.end()) for m in re.finditer(re.escape(needle), text)]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _cut(body: str, keep: int, ellipsis: str) -> str:
    """``body`` cut to ``keep`` characters at a word boundary when one is near, plus the ellipsis."""
    if keep <= 0:
        return ""
    head = body[:keep]
    space = head.rfind(" ")
    if keep < len(body) and not body[keep].isspace() and space >= max(1, keep - 15):
        head = head[:space]
    head = head.rstrip(" ,;:.-")
    return head + ellipsis if head else ""


def _shorten(prefix: str, body: str, suffix: str, max_segments: int) -> str | None:
    """Longest cut of ``body`` so prefix+cut+suffix fits, or None when even dropping it does not."""
    if segments(prefix + suffix) > max_segments:
        return None
    ell = _ellipsis(prefix + body + suffix)
    lo, hi = 0, len(body) - 1  # keep at most len-1 characters: we know the whole body does not fit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if segments(prefix + _cut(body, mid, ell) + suffix) <= max_segments:
            lo = mid
        else:
            hi = mid - 1
    return prefix + _cut(body, lo, ell) + suffix


def fit_sms(text: str, max_segments: int = 2, protect: Iterable[str] = ()) -> str:
    """``text`` shortened with an ellipsis to take at most ``max_segments`` segments.

    Links and request numbers (and any string in ``protect``) are never cut. The part marked with
    :func:`mark_body` is shortened first; without marks, the longest unprotected stretch is.
    Raises NotifyError when the protected parts alone do not fit.
    """
    if max_segments < 1:
        raise ValueError("max_segments must be at least 1")
    protect = tuple(protect)
    start, end = text.find(BODY_START), text.find(BODY_END)
    if 0 <= start < end:
        prefix, body, suffix = text[:start], text[start + 1 : end], text[end + 1 :]
        prefix, suffix = prefix.replace(BODY_START, ""), suffix.replace(BODY_END, "")
        plain = prefix + body + suffix
        if segments(plain) <= max_segments:
            return plain
        fitted = _shorten(prefix, body, suffix, max_segments)
        if fitted is not None:
            return fitted
        text = prefix + suffix
    text = text.replace(BODY_START, "").replace(BODY_END, "")
    while segments(text) > max_segments:
        spans = _protected(text, protect)
        bounds = [0, *[p for span in spans for p in span], len(text)]
        free = []
        for i in range(0, len(bounds), 2):
            a, b = bounds[i], bounds[i + 1]
            # Keep the spaces around a stretch so the protected parts never end up glued.
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if text[a:b].strip(".…"):
                free.append((a, b))
        if not free:
            raise NotifyError(
                "sms_too_long",
                f"El SMS no cabe en {max_segments} segmentos ni quitando el texto variable.",
                f"The SMS does not fit in {max_segments} segments even without its variable text.",
            )
        a, b = max(free, key=lambda f: f[1] - f[0])
        fitted = _shorten(text[:a], text[a:b], text[b:], max_segments)
        text = fitted if fitted is not None else text[:a] + text[b:]
    return text
