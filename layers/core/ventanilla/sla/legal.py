"""Legal deadlines of regulated request types (B9), counted in business days.

The rules are data (``data/legal_deadlines.json``): adding a country or a request kind is a JSON
edit, reviewed like code. The file is validated when this module is imported, so bad data stops a
deployment instead of producing wrong deadlines at run time.
"""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal, overload

from pydantic import ConfigDict, Field

from ventanilla.models.base import Model
from ventanilla.sla.calendar import BusinessCalendar, ClosedPauses, Pauses

__all__ = [
    "LegalDeadlineError",
    "LegalExtension",
    "LegalRule",
    "apply_extension",
    "legal_due",
    "legal_rule",
    "legal_rules",
    "load_rules",
]

_DATA_FILE = "data/legal_deadlines.json"


class LegalDeadlineError(ValueError):
    """A legal-deadline operation the law (or the catalogue) does not allow.

    ``field``, ``code`` and ``params`` mirror :class:`ventanilla.errors.FieldError`, so the API
    answers it as a 422 naming the field, with a message worded by ``ventanilla.i18n``.
    """

    def __init__(self, field: str, code: str, message: str, **params: Any) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.code = code
        self.params = params


class LegalExtension(Model):
    """How far a term may be extended ("prórroga"): extra business days, how often, on what terms."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_business_days: int = Field(ge=1)
    max_times: int = Field(ge=1)
    # Every extension regime we model requires a reasoned decision; data saying otherwise is a bug.
    justification_required: Literal[True]
    notify_requester: bool = True
    before_expiry: bool = True


class _RuleData(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")

    law: str = Field(min_length=1)
    article: str = ""
    law_title_es: str = Field(min_length=1)
    law_title_en: str = Field(min_length=1)
    label_es: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    business_days: int = Field(ge=1, le=365)
    extension: LegalExtension | None
    notes_es: str = ""
    notes_en: str = ""


class LegalRule(_RuleData):
    """One regulated request kind of one country, e.g. ``CO``/``petition`` (Ley 1755, 15 days)."""

    country: str = Field(pattern=r"^[A-Z]{2}$")
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")

    def label(self, lang: Literal["es", "en"] = "es") -> str:
        return self.label_es if lang == "es" else self.label_en


class _Catalogue(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1]
    countries: dict[str, dict[str, _RuleData]]


def load_rules(path: Path | None = None) -> dict[tuple[str, str], LegalRule]:
    """Read and validate a catalogue (the packaged one by default); raises on any bad entry."""
    if path is None:
        text = resources.files("ventanilla").joinpath(_DATA_FILE).read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    catalogue = _Catalogue.model_validate(json.loads(text))
    rules: dict[tuple[str, str], LegalRule] = {}
    for country, kinds in catalogue.countries.items():
        for kind, data in kinds.items():
            rules[(country, kind)] = LegalRule(country=country, kind=kind, **data.model_dump())
    return rules


_RULES = load_rules()


def legal_rules(country: str | None = None) -> list[LegalRule]:
    """All rules, or those of one country, sorted by country then kind."""
    wanted = country.strip().upper() if country else None
    return [rule for key, rule in sorted(_RULES.items()) if wanted is None or key[0] == wanted]


def legal_rule(country: str, kind: str) -> LegalRule:
    """The rule for ``kind`` in ``country``; a clear error names which of the two is unknown."""
    code = country.strip().upper()
    kinds = sorted(k for c, k in _RULES if c == code)
    if not kinds:
        known = sorted({c for c, _ in _RULES})
        raise LegalDeadlineError(
            "country", "unknown_country", f"no legal deadlines for {country!r} (known: {', '.join(known)})"
        )
    rule = _RULES.get((code, kind))
    if rule is None:
        raise LegalDeadlineError(
            "kind", "unknown_kind", f"no rule {kind!r} for {code} (known: {', '.join(kinds)})", expected=kinds
        )
    return rule


@overload
def legal_due(
    rule: LegalRule, calendar: BusinessCalendar, filed_at: datetime, pauses: ClosedPauses = ()
) -> datetime: ...
@overload
def legal_due(
    rule: LegalRule, calendar: BusinessCalendar, filed_at: datetime, pauses: Pauses = ()
) -> datetime | None: ...


def legal_due(
    rule: LegalRule, calendar: BusinessCalendar, filed_at: datetime, pauses: Pauses = ()
) -> datetime | None:
    """End of the last business day of the legal term of a request filed at ``filed_at``.

    Counting follows :meth:`BusinessCalendar.add_business_days` (from the next business day).
    Pauses model legal suspensions (e.g. waiting for the requester to complete the request);
    ``None`` while one is open.
    """
    _check_country(rule, calendar)
    return calendar.add_business_days(filed_at, rule.business_days, pauses)


def apply_extension(
    rule: LegalRule,
    current_due: datetime,
    calendar: BusinessCalendar,
    extra_days: int,
    justification: str,
    extensions_used: int,
    *,
    decided_at: datetime | None = None,
) -> datetime:
    """The new deadline after an extension ("prórroga") of ``extra_days`` business days.

    The extra days run from the business day after ``current_due``. Refused, with a
    :class:`LegalDeadlineError` naming the field, when the kind has no extension, the
    justification is empty, ``extra_days`` is not within the legal maximum, the allowed number of
    extensions was already used, or (given ``decided_at``) the term had already expired: the law
    requires informing the requester before the deadline.
    """
    _check_country(rule, calendar)
    ext = rule.extension
    if ext is None:
        raise LegalDeadlineError(
            "kind", "extension_not_allowed", f"{rule.law} allows no extension for {rule.kind!r}", law=rule.law
        )
    if isinstance(extensions_used, bool) or not isinstance(extensions_used, int) or extensions_used < 0:
        raise LegalDeadlineError(
            "extensions_used", "invalid", f"must be a whole number >= 0, got {extensions_used!r}"
        )
    if extensions_used >= ext.max_times:
        raise LegalDeadlineError(
            "extensions_used",
            "extension_already_applied",
            f"{rule.law} allows {ext.max_times} extension(s) and {extensions_used} already applied",
            max_times=ext.max_times,
        )
    if not justification or not justification.strip():
        raise LegalDeadlineError(
            "justification", "justification_required", f"an extension under {rule.law} must be justified"
        )
    if isinstance(extra_days, bool) or not isinstance(extra_days, int) or extra_days < 1:
        raise LegalDeadlineError("extra_days", "invalid", f"must be a whole number >= 1, got {extra_days!r}")
    if extra_days > ext.max_business_days:
        raise LegalDeadlineError(
            "extra_days",
            "extension_too_long",
            f"{rule.law} allows at most {ext.max_business_days} extra business days, asked {extra_days}",
            max_business_days=ext.max_business_days,
        )
    if decided_at is not None and ext.before_expiry:
        if decided_at.tzinfo is None:
            raise LegalDeadlineError("decided_at", "naive_datetime", "give a timezone-aware datetime")
        if decided_at > current_due:
            raise LegalDeadlineError(
                "decided_at",
                "term_expired",
                f"the term expired at {current_due.isoformat()}; {rule.law} requires extending before it",
            )
    return calendar.add_business_days(current_due, extra_days)


def _check_country(rule: LegalRule, calendar: BusinessCalendar) -> None:
    # Counting a Colombian term with Chilean holidays would be silently wrong.
    if calendar.country != rule.country:
        raise LegalDeadlineError(
            "calendar",
            "country_mismatch",
            f"calendar country {calendar.country} does not match the rule's country {rule.country}",
        )
