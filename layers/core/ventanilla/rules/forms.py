"""Checks a subtype's form values against the catalog's field definitions (B2)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ventanilla.errors import FieldError
from ventanilla.models.catalog import FormField
from ventanilla.models.ticket import FormValue
from ventanilla.notify.contacts import example_phone, normalize_email, normalize_phone

_RUT_RE = re.compile(r"^(\d{1,2}(?:\.?\d{3}){2})-?([\dkK])$")


def rut_is_valid(raw: str) -> bool:
    """Chilean RUT with its modulo-11 check digit (e.g. 12.345.678-5)."""
    match = _RUT_RE.match(raw.strip())
    if not match:
        return False
    digits = match.group(1).replace(".", "")
    total, factor = 0, 2
    for d in reversed(digits):
        total += int(d) * factor
        factor = 2 if factor == 7 else factor + 1
    check = 11 - total % 11
    expected = {11: "0", 10: "K"}.get(check, str(check))
    return match.group(2).upper() == expected


def check_form(
    fields: list[FormField], values: dict[str, FormValue]
) -> tuple[dict[str, FormValue], list[FieldError]]:
    """Clean values and every problem found, each naming ``form.<field>``; unknown fields are errors."""
    known = {f.name: f for f in fields}
    errors: list[FieldError] = [
        FieldError(f"form.{name}", "extra_forbidden") for name in values if name not in known
    ]
    clean: dict[str, FormValue] = {}
    for f in fields:
        path = f"form.{f.name}"
        raw = values.get(f.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if f.required:
                errors.append(FieldError(path, "missing"))
            continue
        value, code, params = _check_value(f, raw)
        if code:
            errors.append(FieldError(path, code, params))
        elif value is not None:
            clean[f.name] = value
    return clean, errors


def _check_value(f: FormField, raw: FormValue) -> tuple[FormValue | None, str | None, dict[str, Any]]:
    if f.kind == "checkbox":
        return (raw, None, {}) if isinstance(raw, bool) else (None, "bool_type", {})
    if f.kind == "number":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            return None, "float_parsing", {}
        return raw, None, {}
    if not isinstance(raw, str):
        return None, "string_type", {}
    text = raw.strip()
    if len(text) > f.max_length:
        return None, "string_too_long", {"max_length": f.max_length}
    if f.kind == "email":
        try:
            return normalize_email(text), None, {}
        except ValueError:
            return None, "invalid_email", {}
    if f.kind == "phone":
        try:
            return normalize_phone(text), None, {}
        except ValueError:
            return None, "invalid_phone", {"example": example_phone()}
    if f.kind == "rut":
        return (text.upper(), None, {}) if rut_is_valid(text) else (None, "invalid_rut", {})
    if f.kind == "date":
        try:
            return date.fromisoformat(text).isoformat(), None, {}
        except ValueError:
            return None, "date_parsing", {}
    if f.kind == "select":
        allowed = [o.value for o in f.options]
        if text not in allowed:
            return None, "unknown_option", {"expected": ", ".join(allowed)}
    return text, None, {}
