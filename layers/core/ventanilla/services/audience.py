"""Who a campaign or a service alert reaches: subscription topics and sectors, both checked to exist
before either is saved (one rule for both, each unknown name reported at its place in the body)."""

from __future__ import annotations

from collections.abc import Sequence

from ventanilla.errors import FieldError, ValidationFailed
from ventanilla.storage import areas as area_store
from ventanilla.storage import subscriptions as sub_store


def check_audience(topics: Sequence[str], sectors: Sequence[str]) -> None:
    known = {t.code for t in sub_store.topics()}
    errors = [
        FieldError(f"topics.{n}", "sub_topic_unknown", {"name": c})
        for n, c in enumerate(topics)
        if c not in known
    ]
    errors += [
        FieldError(f"sectors.{n}", "area_not_found", {"name": s})
        for n, s in enumerate(sectors)
        if area_store.sector(s) is None
    ]
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
