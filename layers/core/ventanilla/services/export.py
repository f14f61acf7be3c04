"""The requests export: supervisors' (and agents', for their teams) list of requests as CSV or JSON.

Who sees what: supervisors and admins export every team's requests with the requester's name,
email, phone and the subject; agents only their teams' requests and never those columns (a bulk
copy of citizens' contact data is not needed to work a queue). Roles are checked before anything
else, then every filter (400 naming it). Pages: each call reads at most ``limit`` tickets through
the queue index (one ``QUEUE#<team>#<status>`` partition after another, at most
``MAX_PARTITIONS`` Queries), keeps those of the period and type asked for, and hands back a cursor
for the next page (the partition and its last key, bound to the filters it was made for).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ventanilla import spreadsheet
from ventanilla.auth import ALL_TEAMS_ROLES, Principal
from ventanilla.errors import BadRequest, FieldError, Forbidden
from ventanilla.models.stats import ExportedRequest, ExportPage
from ventanilla.models.ticket import Ticket
from ventanilla.rules.state_machine import Status
from ventanilla.services.due_dates import institution_calendar
from ventanilla.services.queue import SORT_KEYS
from ventanilla.services.tickets import STAFF_ROLES_WORKING
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import tickets as store
from ventanilla.storage.table import cursor_in, cursor_out

FORMATS = ("csv", "json")
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_PARTITIONS = 16
"""Queries one call may run: empty partitions are skipped quickly, but never without bound."""
COLUMNS = (
    "number",
    "type",
    "subtype",
    "channel",
    "team",
    "priority",
    "status",
    "tier",
    "assignee",
    "created_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "first_response_due",
    "resolution_due",
    "legal_due",
    "breached",
    "escalation_level",
    "csat_score",
)
PERSONAL_COLUMNS = ("subject", "requester_name", "requester_email", "requester_phone")
PERSONAL_ROLES = ALL_TEAMS_ROLES
"""Who may export the requester's personal data: supervisors and admins."""


@dataclass(frozen=True)
class ExportQuery:
    start: date | None
    end: date | None
    type_code: str | None
    teams: tuple[str, ...]
    statuses: tuple[Status, ...]
    fmt: str
    limit: int
    cursor: str | None

    def fingerprint(self) -> str:
        """Binds a cursor to the filters it was made for: another filter set cannot reuse it."""
        text = repr((self.start, self.end, self.type_code, self.teams, self.statuses))
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def _bad(errors: list[FieldError]) -> BadRequest:
    return BadRequest("invalid_query", {"detail": ", ".join(e.field for e in errors)}, errors=errors)


def _day(query: Mapping[str, str], name: str, errors: list[FieldError]) -> date | None:
    raw = query.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(FieldError(name, "date_parsing"))
        return None


def parse(principal: Principal, query: Mapping[str, str]) -> ExportQuery:
    """The export's filters, each checked (400 naming it); the principal's teams bound the result."""
    errors: list[FieldError] = []
    start, end = _day(query, "from", errors), _day(query, "to", errors)
    if start and end and start > end:
        errors.append(FieldError("from", "invalid", {"detail": "from > to"}))
    type_code = query.get("type") or None
    if type_code and catalog_store.get_type(type_code) is None:
        errors.append(FieldError("type", "unknown_type"))
    known_teams = sorted(t.code for t in catalog_store.list_teams())
    team = query.get("team") or None
    if team and team not in known_teams:
        errors.append(FieldError("team", "unknown_team", {"team": team}))
    statuses = tuple(Status)
    if query.get("status"):
        try:
            statuses = (Status(query["status"]),)
        except ValueError:
            errors.append(FieldError("status", "enum", {"expected": ", ".join(s.value for s in Status)}))
    fmt = query.get("format") or "json"
    if fmt not in FORMATS:
        errors.append(FieldError("format", "enum", {"expected": ", ".join(FORMATS)}))
    limit = DEFAULT_LIMIT
    if query.get("limit"):
        try:
            limit = int(query["limit"])
        except ValueError:
            errors.append(FieldError("limit", "int_parsing"))
        else:
            if not 1 <= limit <= MAX_LIMIT:
                errors.append(FieldError("limit", "enum", {"expected": f"1-{MAX_LIMIT}"}))
    if errors:
        raise _bad(errors)
    if team is not None and not principal.in_team(team):
        raise Forbidden("team_forbidden", {"team": team})
    teams: tuple[str, ...]
    if team is not None:
        teams = (team,)
    elif principal.sees_all_teams:
        teams = tuple(known_teams)
    else:
        teams = tuple(sorted(t for t in principal.teams if t in known_teams))
    return ExportQuery(start, end, type_code, teams, statuses, fmt, limit, query.get("cursor") or None)


def _position(q: ExportQuery, partitions: int) -> tuple[int, str | None]:
    """Where the page starts: (partition index, last sort key read there), from the cursor."""
    if not q.cursor:
        return 0, None
    try:
        key = cursor_in(q.cursor)
    except BadRequest as error:
        raise _bad([FieldError("cursor", "bad_cursor")]) from error
    assert key is not None
    index, last, bound = key.get("p", ""), key.get("k", ""), key.get("f", "")
    if (
        bound != q.fingerprint()
        or not index.isdigit()
        or int(index) >= partitions
        or (last and not SORT_KEYS["due"].fullmatch(last))
    ):
        raise _bad([FieldError("cursor", "bad_cursor")])
    return int(index), last or None


def _wanted(q: ExportQuery, t: Ticket) -> bool:
    if q.type_code and t.type_code != q.type_code:
        return False
    filed = t.created_at.astimezone(institution_calendar().zone).date()
    return not ((q.start and filed < q.start) or (q.end and filed > q.end))


def page(principal: Principal, query: Mapping[str, str]) -> tuple[ExportQuery, ExportPage]:
    """One page of the export: at most ``limit`` tickets read, the matching ones, the next cursor."""
    principal.require(*STAFF_ROLES_WORKING)
    q = parse(principal, query)
    personal = bool(principal.groups & PERSONAL_ROLES)
    partitions = [(team, status) for team in q.teams for status in q.statuses]
    index, start = _position(q, len(partitions)) if partitions else (0, None)
    budget, queries = q.limit, 0
    items: list[ExportedRequest] = []
    next_cursor: str | None = None
    while index < len(partitions):
        if budget == 0 or queries == MAX_PARTITIONS:
            next_cursor = cursor_out({"p": str(index), "k": start or "", "f": q.fingerprint()})
            break
        team, status = partitions[index]
        found, last = store.queue_partition(team, status, "due", budget, start)
        queries += 1
        budget -= len(found)
        items += [_row(t, personal) for _, t in found if _wanted(q, t)]
        if last:
            start = last
        else:
            index, start = index + 1, None
    return q, ExportPage(items=items, next_cursor=next_cursor, personal_data=personal)


def _row(t: Ticket, personal: bool) -> ExportedRequest:
    return ExportedRequest(
        number=t.number,
        type=t.type_code,
        subtype=t.subtype_code,
        channel=t.channel.value,
        team=t.team,
        priority=t.priority,
        status=t.status.value,
        tier=t.tier,
        assignee=t.assignee,
        created_at=t.created_at,
        first_response_at=t.first_response_at,
        resolved_at=t.resolved_at,
        closed_at=t.closed_at,
        first_response_due=t.first_response_due,
        resolution_due=t.resolution_due,
        legal_due=t.legal_due,
        breached=list(t.breached),
        escalation_level=t.escalation_level,
        csat_score=t.csat_score,
        subject=t.subject if personal else None,
        requester=t.requester if personal else None,
    )


def render_csv(result: ExportPage) -> str:
    """A header row, then one row per request; personal columns only when the page has them."""
    out = io.StringIO()
    w = spreadsheet.writer(out, lineterminator="\n")
    columns = COLUMNS + (PERSONAL_COLUMNS if result.personal_data else ())
    w.writerow(columns)
    for item in result.items:
        row = item.model_dump(mode="json")
        row["breached"] = ";".join(item.breached)
        if item.requester is not None:
            row.update(
                requester_name=item.requester.name,
                requester_email=item.requester.email,
                requester_phone=item.requester.phone,
            )
        w.writerow(["" if row.get(c) is None else row[c] for c in columns])
    return out.getvalue()


def export(principal: Principal, query: Mapping[str, str]) -> tuple[str, str | ExportPage, str | None]:
    """(content type, body, next cursor) of one page as ``format`` csv or json."""
    q, result = page(principal, query)
    if q.fmt == "csv":
        return "text/csv; charset=utf-8", render_csv(result), result.next_cursor
    return "application/json", result, result.next_cursor
