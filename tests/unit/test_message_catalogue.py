"""The message catalogue: one file per language with the same codes, the same placeholders in each."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

from ventanilla import i18n

DATA = Path(i18n.__file__).parent / "data"


def _load(lang: str) -> dict[str, str]:
    texts: dict[str, str] = json.loads((DATA / f"messages.{lang}.json").read_text(encoding="utf-8"))
    return texts


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_hold_the_same_codes_sorted() -> None:
    es, en = _load("es"), _load("en")
    assert list(es) == sorted(es) and list(en) == sorted(en)  # additions merge without reordering
    assert es.keys() == en.keys()
    assert all(es.values()) and all(en.values())


def test_each_message_has_the_same_placeholders_in_both_languages() -> None:
    es, en = _load("es"), _load("en")
    differ = {
        code: (_fields(es[code]), _fields(en[code])) for code in es if _fields(es[code]) != _fields(en[code])
    }
    assert differ == {}


def test_codes_the_code_names_are_in_the_catalogue() -> None:
    """Every literal ``message("code")`` / ``refuse("code")`` in the domain package resolves."""
    root = Path(i18n.__file__).parent
    used: set[str] = set()
    for path in root.rglob("*.py"):
        used |= set(
            re.findall(
                r"\b(?:message|refuse|msg)\(\s*\"([a-z][a-z0-9_]+)\"", path.read_text(encoding="utf-8")
            )
        )
    used.discard("code")  # the docstring example in refusals.py
    unknown = sorted(code for code in used if not i18n.has_message(code))
    assert unknown == []
