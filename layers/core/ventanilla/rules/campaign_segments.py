"""Whether a subscriber is in a campaign's segment: the account's segment data (region, comuna, age
band, interests) and the types of request filed lately. Plain data in, a yes or no out.

Within one criterion any value matches (comuna A or B); every criterion given must match (comuna
and age band). A subscriber without a citizen account matches no segment that names anything.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from typing import Any

MONTH = timedelta(days=30)


def fold(value: str) -> str:
    """'Ñuñoa', ' ñuñoa ' and 'NUNOA' are one comuna."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return " ".join(plain.lower().split())


def is_empty(segment: dict[str, Any] | None) -> bool:
    if not segment:
        return True
    return not any(segment.get(k) for k in ("regions", "comunas", "age_bands", "interests", "filed_types"))


def matches(
    segment: dict[str, Any], account: dict[str, Any] | None, filed: dict[str, str], now: datetime
) -> bool:
    """``segment`` is a CampaignSegment as a dict; ``account`` the account's segment data (None: no
    account); ``filed`` {type: ISO instant of the latest filing}."""
    wants_account = any(segment.get(k) for k in ("regions", "comunas", "age_bands", "interests"))
    if wants_account:
        if account is None:
            return False
        for key, field in (("regions", "region"), ("comunas", "comuna")):
            chosen = {fold(v) for v in segment.get(key) or []}
            if chosen and fold(str(account.get(field) or "")) not in chosen:
                return False
        bands = set(segment.get("age_bands") or [])
        if bands and account.get("age_band") not in bands:
            return False
        interests = {fold(v) for v in segment.get("interests") or []}
        if interests and not interests & {fold(str(v)) for v in account.get("topics") or []}:
            return False
    types = segment.get("filed_types") or []
    if types:
        since = now - MONTH * int(segment.get("filed_within_months") or 12)
        recent = [
            t
            for t in types
            if t in filed and datetime.fromisoformat(filed[t].replace("Z", "+00:00")) >= since
        ]
        if not recent:
            return False
    return True
