"""Refusals raised inside pydantic validators, worded by the API in Spanish and English.

A validator raises ``refuse("code", value=...)`` instead of a ``ValueError`` with English text:
pydantic keeps ``code`` as the error's type and the keywords as its context, so a problem document
words it from the i18n catalogue in the language asked for (beside the field's path, never
repeating it), while ``str(error)`` still reads in English for logs and scripts.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticCustomError

from ventanilla.i18n import has_message, template


def refuse(code: str, **params: Any) -> PydanticCustomError:
    """The error a validator raises for ``code`` (registered with es and en) and its ``params``."""
    if not has_message(code):
        raise LookupError(f"refusal {code} has no message")
    shown = {k: (", ".join(map(str, v)) if isinstance(v, list | tuple) else v) for k, v in params.items()}
    return PydanticCustomError(code, template(code, "en"), shown)
