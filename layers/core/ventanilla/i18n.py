"""Messages shown to people, in Spanish (default) and English.

Pydantic's own messages are English only, so validation errors are re-worded here from their
error ``type``; anything unknown falls back to a generic message in the requested language.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Literal

Lang = Literal["es", "en"]
DEFAULT_LANG: Lang = "es"


def _load_catalogue() -> dict[str, dict[str, str]]:
    """The catalogue: one file per language (``data/messages.<lang>.json``), the same codes in each."""
    texts = {
        lang: json.loads(
            resources.files("ventanilla").joinpath(f"data/messages.{lang}.json").read_text("utf-8")
        )
        for lang in ("es", "en")
    }
    missing = sorted(texts["es"].keys() ^ texts["en"].keys())
    if missing:
        raise ValueError(f"messages not in both languages: {', '.join(missing[:10])}")
    return {code: {"es": texts["es"][code], "en": texts["en"][code]} for code in texts["es"]}


_MESSAGES: dict[str, dict[str, str]] = _load_catalogue()


def pick_lang(accept_language: str | None) -> Lang:
    """The first of es/en named in an Accept-Language header; Spanish when none is."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("es"):
            return "es"
    return DEFAULT_LANG


def message(code: str, lang: Lang = DEFAULT_LANG, **params: Any) -> str:
    """The message for ``code`` in ``lang``, with ``params`` filled in (missing ones left blank)."""
    entry = _MESSAGES.get(code) or _MESSAGES["invalid"]
    template = entry.get(lang) or entry[DEFAULT_LANG]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return (_MESSAGES["invalid"])[lang]


def has_message(code: str) -> bool:
    return code in _MESSAGES


def register(messages: dict[str, dict[str, str]]) -> None:
    """Add an area's messages (each code with "es" and "en"); areas keep their words beside their code."""
    for code, texts in messages.items():
        if not texts.get("es") or not texts.get("en"):
            raise ValueError(f"message {code} needs both es and en")
        if code in _MESSAGES and _MESSAGES[code] != texts:
            raise ValueError(f"message {code} is already defined differently")
        _MESSAGES[code] = texts


def template(code: str, lang: Lang = DEFAULT_LANG) -> str:
    """The unfilled message of ``code`` (pydantic fills its ``{name}`` places from an error's context)."""
    entry = _MESSAGES.get(code) or _MESSAGES["invalid"]
    return entry.get(lang) or entry[DEFAULT_LANG]
