"""Abuse controls at intake: filing limits per client and per address, and access-code lockouts.

Filing: a client (its IP, as a keyed digest) and each address a request names (email, phone) may
file a bounded number of requests per period (GCRA token buckets, one item each, with TTL), so
nobody can make the institution mail or text strangers at will. Following: after N wrong access
codes for one request number within a window, that number answers 429 until the window ends (the
right code included, so guessing cannot go on), without paying for the hash check; the agent sees
the lockout in the request's history. Unknown numbers count the same, so a lockout tells nothing
about whether a number exists.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass

from ventanilla import clock
from ventanilla.errors import FieldError, TooManyRequests
from ventanilla.integrations.secrets import notify_secret
from ventanilla.models.common import Channel
from ventanilla.models.ticket import Actor, HistoryEvent, Ticket
from ventanilla.notify import sms
from ventanilla.rules.rate_limit import Limit, decide
from ventanilla.settings import get_settings
from ventanilla.storage import limits
from ventanilla.storage import tickets as ticket_store


def digest(kind: str, value: str) -> str:
    """A keyed digest: the limit items never hold an address or IP, nor one guessable from a list."""
    normalised = value.strip().lower()
    if kind == "phone":  # "+56 9 8765 4321" and "+56987654321" are one phone
        normalised = "".join(ch for ch in normalised if ch.isdigit())
    return hmac.new(notify_secret(), f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()[:40]


def _retry(seconds: float) -> dict[str, object]:
    """The params of a 429: ``retry_after`` (the header) and ``wait`` as people read it (4 h 48 min)."""
    whole = max(1, math.ceil(seconds))
    hours, minutes = divmod(math.ceil(whole / 60), 60)  # 28,798 s is 8 h, never "7 h 60 min"
    if hours:
        wait = f"{hours} h {minutes} min" if minutes else f"{hours} h"
    else:
        wait = f"{minutes} min" if whole >= 60 else f"{whole} s"
    return {"retry_after": whole, "wait": wait}


def _filing_limits() -> dict[str, Limit]:
    s = get_settings()
    return {
        "client": Limit(s.filing_per_client_per_hour, 3600),
        "email": Limit(s.filing_per_address_per_day, 86400),
        "phone": Limit(s.filing_per_address_per_day, 86400),
    }


_FIELDS = {"client": "client", "email": "requester.email", "phone": "requester.phone"}


@dataclass(frozen=True)
class Filing:
    """What :func:`check_filing` read, for :func:`count_filing` to write once the request exists."""

    now: float
    taken: tuple[tuple[str, str, float | None], ...]  # (scope, key digest, state read)
    purpose: str = "filing"


def _subscribing_limits() -> dict[str, Limit]:
    s = get_settings()
    return {
        "client": Limit(s.subscribe_per_client_per_hour, 3600),
        "email": Limit(s.subscribe_per_address_per_day, 86400),
        "phone": Limit(s.subscribe_per_address_per_day, 86400),
    }


# purpose -> (bucket prefix, limits, problem code, field names, field error prefix)
_PURPOSES = {
    "filing": ("", _filing_limits, "too_many_filings", _FIELDS, "rate_limited_"),
    "subscribing": (
        "sub",
        _subscribing_limits,
        "too_many_subscriptions",
        {"client": "client", "email": "email", "phone": "phone"},
        "sub_rate_limited_",
    ),
}


def _check(purpose: str, client: str | None, email: str | None, phone: str | None) -> Filing:
    prefix, rule_set, problem, fields, error_prefix = _PURPOSES[purpose]
    now = clock.now().timestamp()
    rules = rule_set()
    values = (("client", client), ("email", email), ("phone", phone))
    keys = [(scope, digest(scope, value)) for scope, value in values if value]
    seen = {scope: limits.read(prefix + scope, key) for scope, key in keys}
    denied = [(scope, decide(seen[scope], now, rules[scope]).retry_after) for scope, _ in keys]
    denied = [(scope, wait) for scope, wait in denied if wait > 0]
    if denied:
        wait = max(w for _, w in denied)
        errors = [FieldError(fields[scope], f"{error_prefix}{scope}") for scope, _ in denied]
        raise TooManyRequests(problem, _retry(wait), errors)
    return Filing(now, tuple((scope, key, seen[scope]) for scope, key in keys), purpose)


def check_filing(client: str | None, email: str | None, phone: str | None) -> Filing:
    """429 naming every bucket the request would overdraw; reads only, so a refused or invalid
    request writes nothing."""
    return _check("filing", client, email, phone)


def check_subscribing(client: str | None, email: str | None, phone: str | None) -> Filing:
    """The same for ``POST /subscriptions`` (each one sends an email or an SMS), with its own
    buckets and limits, so subscribing never eats into filing and the other way round."""
    return _check("subscribing", client, email, phone)


def count_filing(filing: Filing) -> None:
    """Take the filing from each bucket (after the request was written). A concurrent filing of the
    same client that moved a bucket first is counted on top: the next request will be refused."""
    prefix, rule_set, *_ = _PURPOSES[filing.purpose]
    rules = rule_set()
    for scope, key, seen in filing.taken:
        limit = rules[scope]
        for _ in range(4):
            decision = decide(seen, filing.now, limit)
            tat = decision.tat if decision.allowed else max(seen or filing.now, filing.now) + limit.interval
            if limits.write(prefix + scope, key, seen, tat, int(tat + limit.seconds) + 60):
                break
            seen = limits.read(prefix + scope, key)


# ---- access codes -------------------------------------------------------------------------------


def _lock_remaining(failures: tuple[int, float] | None, now: float) -> float:
    s = get_settings()
    if failures is None:
        return 0.0
    fails, since = failures
    ends = since + s.code_lockout_minutes * 60
    return ends - now if fails >= s.code_attempts and now < ends else 0.0


def before_code_check(number: str) -> tuple[int, float] | None:
    """429 while the number is locked; else what is kept of its failures (for the calls below)."""
    failures = limits.code_failures(number)
    remaining = _lock_remaining(failures, clock.now().timestamp())
    if remaining > 0:
        raise TooManyRequests("code_locked", _retry(remaining))
    return failures


def wrong_code(number: str, failures: tuple[int, float] | None, exists: bool) -> None:
    """Count a wrong code; the one that locks the number is written in the request's history."""
    s = get_settings()
    now = clock.now().timestamp()
    window = s.code_lockout_minutes * 60
    window_open = failures is not None and now < failures[1] + window
    fails = limits.add_code_failure(number, now, window_open, int(now + window) + 3600)
    if fails == s.code_attempts and exists:
        ticket_store.append_events(
            [
                HistoryEvent(
                    event_id=f"lock{int(now)}",
                    number=number,
                    at=clock.now(),
                    actor=Actor(kind="system"),
                    channel=Channel.WEB,
                    action="access_locked",
                    public=False,
                    data={"attempts": fails, "minutes": s.code_lockout_minutes},
                )
            ]
        )


def right_code(number: str, failures: tuple[int, float] | None) -> None:
    """A right code outside a lockout forgets earlier failures."""
    if failures is not None:
        limits.clear_code_failures(number)


def confirm_contact(ticket: Ticket, history: list[HistoryEvent]) -> None:
    """Whoever opens the request with its code (or a notice's link) received the receipt at the
    requester's address: from now on notices may carry the filer's own words."""
    if not contact_confirmed(history):
        event = HistoryEvent(
            event_id=f"confirm{ticket.number}",
            number=ticket.number,
            at=clock.now(),
            actor=Actor(kind="citizen", id=ticket.citizen_id),
            channel=Channel.WEB,
            action="contact_confirmed",
            public=False,
        )
        ticket_store.append_events([event])
        history.append(event)


def contact_confirmed(history: list[HistoryEvent]) -> bool:
    """Notices may carry the filer's own words (name, subject) once the address is confirmed."""
    return any(e.action == "contact_confirmed" for e in history)


# ---- SMS: only to the institution's countries, within daily spend caps -------------------------


def sms_refusal(phone: str, text: str) -> str | None:
    """Why an SMS to ``phone`` must not go out ('sms_country', 'sms_cap_number', 'sms_cap_total'), or
    None after counting its segments against today's caps (SMS pumping costs the institution money)."""
    import phonenumbers  # lazy: only the SMS path needs its metadata

    s = get_settings()
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(phone, s.country))
    except phonenumbers.NumberParseException:
        return "sms_country"
    if region not in s.sms_country_list:
        return "sms_country"
    day = clock.now().strftime("%Y-%m-%d")
    passed = limits.take_sms_segments(
        day, digest("phone", phone), sms.segments(text), s.sms_daily_segments_per_number, s.sms_daily_segments
    )
    return None if passed is None else f"sms_cap_{passed}"
