"""Text compared the way people type it: without case or accents."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents: 'Transparéncia' -> 'transparencia', 'Pérez' -> 'perez'."""
    # compatibility forms first ('ꟲ' is a capital C), then case, then decompose what case made
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
