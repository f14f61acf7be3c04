"""The aggregation rule, pure: a ticket's previous facts and its new version -> counter deltas.

Flows (created, resolved, a breach, an exit from a status...) are counted once, on the local day
the new version was written, in the slices of the new version's dimensions, and in each slice's
day item also per value of the dimensions the slice does not fix (``resolved@team=a`` in
``type=x``), so every filtered view has its breakdowns. A reclassified ticket's past flows stay
where they happened (what a help desk reports: "filed as a complaint on Monday"); its stocks (open
tickets by status, by filing day and by dimension value) are the ticket's contribution now minus
its contribution before, so the backlog moves to the new type, team or channel at once. A target
that falls due unmet (its breach, with no answer or no resolution yet) is counted then as a
request that missed it (``fr_n`` without ``fr_met``, and ``fr_miss`` for goals), on its due day;
its late answer or resolution adds its time (``frh#``, and ``frl#`` so goals do not count it
twice) but not a second request. Time in a status is counted in business seconds of the
institution's calendar (``tis_bs#``) and in wall-clock seconds (``tis_s#``). Applying every
version once makes every figure equal a recount from the ticket's versions; the stored facts carry
the version applied (and the misses whose completion is still to come), so a duplicated or
replayed stream record is recognised and changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ventanilla.sla.calendar import BusinessCalendar
from ventanilla.stats.keys import (
    NOW_SK,
    Dims,
    breakdown_label,
    bucket_of,
    day_part_sk,
    day_sk,
    has_months,
    local_day,
    month_sk,
    slice_views,
    stats_pk,
)

OPEN = frozenset({"received", "assigned", "in_progress", "waiting_citizen", "reopened"})
TARGETS = ("first_response", "resolution", "legal")
SHORT = {"first_response": "fr", "resolution": "res", "legal": "legal"}
"""The counter prefix of each target: ``fr_n``/``fr_met``, ``fr_miss`` (missed unmet when due)..."""
FINISHED = frozenset({"resolved", "closed"})
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
    csat: str = ""
    """Which survey answer was counted last (its ``csat_at``): one count per answer, so a second
    survey after a reopen and a new resolution counts too. ``""``: none yet."""
    missed: tuple[str, ...] = ()
    """Targets counted as missed when they fell due unmet, whose late answer or resolution is
    still to come: that completion then adds its time but is not counted as a second request."""

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
            "missed": list(self.missed),
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
            csat=_csat_key_of(item),
            missed=tuple(str(m) for m in item.get("missed", [])),
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


LEGACY_CSAT = "?"
"""Facts written before answers had identities: one answer was counted, which one is unknown."""


def _csat_key_of(item: dict[str, Any]) -> str:
    raw = item.get("csat")
    if isinstance(raw, bool) or raw is None:
        return LEGACY_CSAT if raw else ""
    return str(raw)


def csat_answer(image: dict[str, Any]) -> str:
    """The identity of the survey answer on the ticket: when it was given (or the resolution it
    rated); ``"1"`` for a score without either (one answer)."""
    return str(image.get("csat_at") or image.get("csat_resolved_at") or "1")


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
        """Count in the day item of every slice of ``dims`` (and the month item where months are
        kept); with ``breakdown`` also per value of each dimension the slice does not fix."""
        for s, free in slice_views(dims):
            pk = stats_pk(s)
            self.add(pk, day_part_sk(day, attr), attr, amount)
            if has_months(s):
                self.add(pk, month_sk(day[:7]), attr, amount)
            if breakdown:
                for name in free:
                    split = f"{attr}@{name}={breakdown_label(dims, name)}"
                    self.add(pk, day_part_sk(day, split), split, amount)

    def stock(self, facts: Facts | None, sign: int, day: str) -> None:
        if facts is None or facts.status not in OPEN:
            return
        for s, free in slice_views(facts.dims):
            pk = stats_pk(s)
            self.add(pk, NOW_SK, "open", sign)
            self.add(pk, NOW_SK, f"open#{facts.status}", sign)
            self.add(pk, NOW_SK, f"age#{facts.created_day}", sign)
            for name in free:
                self.add(pk, NOW_SK, f"open@{name}={breakdown_label(facts.dims, name)}", sign)
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


def unmet_at_breach(target: str, image: dict[str, Any], answered: bool) -> bool:
    """Whether a target that just fell due was still not met: no answer yet (first response), not
    resolved (resolution), or a regulated request not resolved (legal)."""
    if target == "first_response":
        return not answered
    if target == "legal" and not image.get("legal_kind"):
        return False
    return str(image["status"]) not in FINISHED


def step(previous: Facts | None, image: dict[str, Any], calendar: BusinessCalendar) -> Change | None:
    """The deltas of one new ticket version, or None when it was applied already (a replay)."""
    zone = calendar.zone
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
    answer = csat_answer(image) if csat is not None else ""
    counted_csat = previous.csat if previous else ""
    if counted_csat == LEGACY_CSAT and answer:
        counted_csat = answer  # the answer the old facts counted is the one on the ticket
    new_answer = bool(answer) and answer != counted_csat

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
        csat=answer if new_answer else counted_csat,
    )
    acc = _Acc()
    acc.stock(previous, -1, day)
    acc.stock(facts, +1, day)

    if previous is None:
        acc.flow(dims, created_day, "created", breakdown=True)
    elif previous.status != status:
        entered_at = _when(previous.since)
        seconds = max(0.0, (updated - entered_at).total_seconds())
        business = calendar.business_seconds_between(entered_at, updated) if updated > entered_at else 0
        acc.flow(dims, day, f"tis_n#{previous.status}")
        acc.flow(dims, day, f"tis_s#{previous.status}", seconds)
        acc.flow(dims, day, f"tis_bs#{previous.status}", business)
    entered = previous is None or previous.status != status
    pending = set(previous.missed if previous else ())
    if entered and status == "resolved":
        acc.flow(dims, day, "resolved", breakdown=True)
        seconds_raw = image.get("resolution_business_seconds")
        bucket = None if seconds_raw is None else bucket_of(float(seconds_raw))
        if bucket is not None:
            acc.flow(dims, day, f"resh#{bucket}")
        if "resolution" in pending:
            pending.discard("resolution")  # counted as missed when due: only its time counts now
            if bucket is not None:
                acc.flow(dims, day, f"resl#{bucket}")
        else:
            acc.flow(dims, day, "res_n", breakdown=True)
            acc.flow(dims, day, "res_met", int("resolution" not in breached), breakdown=True)
        if image.get("legal_kind"):
            if "legal" in pending:
                pending.discard("legal")
            else:
                acc.flow(dims, day, "legal_n", breakdown=True)
                acc.flow(dims, day, "legal_met", int("legal" not in breached), breakdown=True)
    if entered and status == "reopened" and previous is not None:
        acc.flow(dims, day, "reopened", breakdown=True)
    if entered and status == "closed":
        acc.flow(dims, day, "closed")
        if image.get("merged_into") and previous is not None:
            # Merged into another request: the pair is one request, counted by the survivor. It
            # leaves "created" (on its filing day) and is counted as merged; it is never resolved
            # (no res_n/res_met), and its clocks stopped at the merge, so it never breaches after.
            acc.flow(dims, day, "merged", breakdown=True)
            acc.flow(dims, created_day, "created", -1, breakdown=True)
    if first_response and not (previous and previous.first_response):
        seconds_raw = image.get("first_response_business_seconds")
        bucket = None if seconds_raw is None else bucket_of(float(seconds_raw))
        if bucket is not None:
            acc.flow(dims, day, f"frh#{bucket}")
        if "first_response" in pending:
            pending.discard("first_response")
            if bucket is not None:
                acc.flow(dims, day, f"frl#{bucket}")
        else:
            acc.flow(dims, day, "fr_n", breakdown=True)
            acc.flow(dims, day, "fr_met", int("first_response" not in breached), breakdown=True)
    for target in sorted(set(breached) - set(previous.breached if previous else ())):
        acc.flow(dims, day, "breaches", breakdown=True)
        acc.flow(dims, day, f"breach#{target}")
        if unmet_at_breach(target, image, facts.first_response):
            # due and still not done: a miss from the moment it was due, in the period of its due day
            due = image.get(f"{target}_due")
            due_day = min(day, local_day(_when(due), zone)) if due else day
            acc.flow(dims, due_day, f"{SHORT[target]}_n", breakdown=True)
            acc.flow(dims, due_day, f"{SHORT[target]}_miss")
            pending.add(target)
    facts = replace(facts, missed=tuple(sorted(pending)))
    escalated = escalation - (previous.escalation_level if previous else 0)
    if escalated > 0:
        acc.flow(dims, day, "escalations", escalated, breakdown=True)
    if csat is not None and new_answer:
        acc.flow(dims, day, "csat_n")
        acc.flow(dims, day, "csat_sum", csat)
        acc.flow(dims, day, f"csat#{csat}")
    return Change(facts=facts, deltas=acc.result())
