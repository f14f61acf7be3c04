"""The aggregation rule, pure: a ticket's previous facts and its new version -> counter deltas.

Flows (created, resolved, a breach, an exit from a status...) are counted once, on the local day
the new version was written, in the slices of the new version's dimensions. Stocks (open tickets
by status and by the day they were filed) are the ticket's contribution now minus its contribution
before, so a ticket moving team moves its backlog too. Applying every version once makes every
figure equal a recount from the ticket's versions; the stored facts carry the version applied, so
a duplicated or replayed stream record is recognised and changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ventanilla.stats.keys import (
    NOW_SK,
    Dims,
    bucket_of,
    day_sk,
    local_day,
    month_sk,
    slices_of,
    stats_pk,
)

OPEN = frozenset({"received", "assigned", "in_progress", "waiting_citizen", "reopened"})
TARGETS = ("first_response", "resolution", "legal")
CSAT_SCORES = (1, 2, 3, 4, 5)

Deltas = dict[tuple[str, str], dict[str, int]]
"""(PK, SK) -> attribute -> amount to ADD."""


@dataclass(frozen=True)
class Facts:
    """What the aggregator remembers of a ticket: the last version applied and what it counted."""

    version: int
    status: str
    since: str
    """When the ticket entered ``status`` (ISO UTC)."""
    dims: Dims
    created_day: str
    breached: tuple[str, ...] = ()
    escalation_level: int = 0
    first_response: bool = False
    csat: bool = False

    def to_item(self) -> dict[str, Any]:
        return {
            "v": self.version,
            "status": self.status,
            "since": self.since,
            "dims": list(self.dims),
            "created_day": self.created_day,
            "breached": list(self.breached),
            "esc": self.escalation_level,
            "fr": self.first_response,
            "csat": self.csat,
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Facts:
        return cls(
            version=int(item["v"]),
            status=str(item["status"]),
            since=str(item["since"]),
            dims=Dims(*[str(d) for d in item["dims"]]),
            created_day=str(item["created_day"]),
            breached=tuple(str(b) for b in item.get("breached", [])),
            escalation_level=int(item.get("esc", 0)),
            first_response=bool(item.get("fr", False)),
            csat=bool(item.get("csat", False)),
        )


@dataclass
class Change:
    facts: Facts
    deltas: Deltas = field(default_factory=dict)


def _when(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def dims_of(image: dict[str, Any]) -> Dims:
    return Dims(
        type=str(image["type_code"]),
        subtype=str(image["subtype_code"]),
        channel=str(image["channel"]),
        team=str(image["team"]),
        priority=str(image["priority"]),
    )


def csat_of(image: dict[str, Any]) -> int | None:
    """The satisfaction score (1-5) on the ticket, if the survey wrote one (``csat_score``)."""
    raw = image.get("csat_score")
    try:
        score = int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None
    return score if score in CSAT_SCORES else None


class _Acc:
    def __init__(self) -> None:
        self.deltas: Deltas = defaultdict(lambda: defaultdict(int))

    def add(self, pk: str, sk: str, attr: str, amount: int | float = 1) -> None:
        if amount:
            self.deltas[(pk, sk)][attr] += round(amount)

    def flow(
        self, dims: Dims, day: str, attr: str, amount: int | float = 1, *, breakdown: bool = False
    ) -> None:
        """Count in the day and month items of every slice of ``dims``; with ``breakdown`` also per
        dimension value in the ``all`` slice (filtered slices stay small: fewer attributes to ADD)."""
        for s in slices_of(dims):
            pk = stats_pk(s)
            for sk in (day_sk(day), month_sk(day[:7])):
                self.add(pk, sk, attr, amount)
                if breakdown and s == "all":
                    for name, value in dims._asdict().items():
                        label = f"{dims.type}.{value}" if name == "subtype" else value
                        self.add(pk, sk, f"{attr}@{name}={label}", amount)

    def stock(self, facts: Facts | None, sign: int, day: str) -> None:
        if facts is None or facts.status not in OPEN:
            return
        for s in slices_of(facts.dims):
            pk = stats_pk(s)
            self.add(pk, NOW_SK, "open", sign)
            self.add(pk, NOW_SK, f"open#{facts.status}", sign)
            self.add(pk, NOW_SK, f"age#{facts.created_day}", sign)
            # net change of the backlog on this day: the backlog at the end of any day is
            # the current backlog minus the net changes of the days after it
            self.add(pk, day_sk(day), "net_open", sign)

    def result(self) -> Deltas:
        out: Deltas = {}
        for key, attrs in self.deltas.items():
            kept = {a: n for a, n in attrs.items() if n}
            if kept:
                out[key] = kept
        return out


def step(previous: Facts | None, image: dict[str, Any], zone: ZoneInfo) -> Change | None:
    """The deltas of one new ticket version, or None when it was applied already (a replay)."""
    version = int(image["version"])
    if previous is not None and version <= previous.version:
        return None
    dims = dims_of(image)
    status = str(image["status"])
    updated = _when(image["updated_at"])
    day = local_day(updated, zone)
    created_day = local_day(_when(image["created_at"]), zone)
    breached = tuple(sorted(str(b) for b in image.get("breached") or []))
    escalation = int(image.get("escalation_level") or 0)
    first_response = image.get("first_response_at") is not None
    csat = csat_of(image)

    since = updated.isoformat() if previous is None or previous.status != status else previous.since
    facts = Facts(
        version=version,
        status=status,
        since=since,
        dims=dims,
        created_day=created_day,
        breached=tuple(sorted(set(breached) | set(previous.breached if previous else ()))),
        escalation_level=max(escalation, previous.escalation_level if previous else 0),
        first_response=first_response or bool(previous and previous.first_response),
        csat=csat is not None or bool(previous and previous.csat),
    )
    acc = _Acc()
    acc.stock(previous, -1, day)
    acc.stock(facts, +1, day)

    if previous is None:
        acc.flow(dims, created_day, "created", breakdown=True)
    elif previous.status != status:
        seconds = max(0.0, (updated - _when(previous.since)).total_seconds())
        acc.flow(dims, day, f"tis_n#{previous.status}")
        acc.flow(dims, day, f"tis_s#{previous.status}", seconds)
    entered = previous is None or previous.status != status
    if entered and status == "resolved":
        acc.flow(dims, day, "resolved", breakdown=True)
        seconds_raw = image.get("resolution_business_seconds")
        if seconds_raw is not None:
            acc.flow(dims, day, f"resh#{bucket_of(float(seconds_raw))}")
        acc.flow(dims, day, "res_n", breakdown=True)
        acc.flow(dims, day, "res_met", int("resolution" not in breached), breakdown=True)
        if image.get("legal_kind"):
            acc.flow(dims, day, "legal_n", breakdown=True)
            acc.flow(dims, day, "legal_met", int("legal" not in breached), breakdown=True)
    if entered and status == "reopened" and previous is not None:
        acc.flow(dims, day, "reopened", breakdown=True)
    if entered and status == "closed":
        acc.flow(dims, day, "closed")
    if first_response and not (previous and previous.first_response):
        seconds_raw = image.get("first_response_business_seconds")
        if seconds_raw is not None:
            acc.flow(dims, day, f"frh#{bucket_of(float(seconds_raw))}")
        acc.flow(dims, day, "fr_n", breakdown=True)
        acc.flow(dims, day, "fr_met", int("first_response" not in breached), breakdown=True)
    for target in sorted(set(breached) - set(previous.breached if previous else ())):
        acc.flow(dims, day, "breaches", breakdown=True)
        acc.flow(dims, day, f"breach#{target}")
    escalated = escalation - (previous.escalation_level if previous else 0)
    if escalated > 0:
        acc.flow(dims, day, "escalations", escalated, breakdown=True)
    if csat is not None and not (previous and previous.csat):
        acc.flow(dims, day, "csat_n")
        acc.flow(dims, day, "csat_sum", csat)
        acc.flow(dims, day, f"csat#{csat}")
    return Change(facts=facts, deltas=acc.result())
