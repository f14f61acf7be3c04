"""GET requests and GET requests/{id}: what anyone may read about requests, without personal data.

Every request of an open service is listed with its status, service, team and dates. Its place,
description (redacted: emails, phones, ID numbers, links) and media_url are shown only when a civic
app filed it through Open311, whose users publish their reports; a request filed on the portal, by
phone or in person keeps them private. Internal requesters' requests are never listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ventanilla.help.privacy import redact
from ventanilla.i18n import Lang
from ventanilla.models.common import utcnow
from ventanilla.models.ticket import HistoryEvent, Ticket
from ventanilla.open311.services import SEPARATOR, Service, open_services
from ventanilla.open311.wire import Open311Error, w3c
from ventanilla.rules.numbering import is_number
from ventanilla.rules.state_machine import Status
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import tickets as store

MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
MAX_READ = 3000
"""Items read at most per call (filters are kept in code): bounded whatever the filters."""
MAX_IDS = 100
CLOSED = {Status.RESOLVED, Status.CLOSED}


def open311_status(status: Status) -> str:
    """The spec's two statuses: resolved or closed is ``closed``; everything else is ``open``."""
    return "closed" if status in CLOSED else "open"


def parse_w3c(name: str, raw: str) -> datetime:
    """A W3C datetime (time zone required) or a bare date (midnight UTC)."""
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), datetime.min.time(), UTC)
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError as error:
        raise Open311Error(
            400,
            (
                f"{name} debe ser una fecha W3C como 2026-01-01T00:00:00Z",
                f"{name} must be a W3C datetime such as 2026-01-01T00:00:00Z",
            ),
        ) from error
    if parsed.tzinfo is None:
        raise Open311Error(
            400,
            (
                f"{name} necesita zona horaria / time zone (Z o ±hh:mm)",
                f"{name} needs a time zone (Z or ±hh:mm)",
            ),
        )
    return parsed.astimezone(UTC)


def period(start_raw: str | None, end_raw: str | None, now: datetime) -> tuple[datetime, datetime]:
    """The spec's default: the most recent 90 days; a period may not span more than 90 days."""
    start = parse_w3c("start_date", start_raw) if start_raw else None
    end = parse_w3c("end_date", end_raw) if end_raw else None
    if start is None and end is None:
        end = now
    if end is None:
        assert start is not None
        end = start + MAX_SPAN
    if start is None:
        start = end - MAX_SPAN
    if start > end:
        raise Open311Error(
            400, ("start_date es posterior (after) a end_date", "start_date is after end_date")
        )
    if end - start > MAX_SPAN:
        raise Open311Error(
            400,
            (
                "entre start_date y end_date no puede haber más de 90 días (90 days)",
                "start_date to end_date may not span more than 90 days",
            ),
        )
    return start, end


def _months(start: datetime, end: datetime) -> list[datetime]:
    """The first instants of the months from ``end`` back to ``start`` (newest first)."""
    out, cursor = [], datetime(end.year, end.month, 1, tzinfo=UTC)
    while cursor >= datetime(start.year, start.month, 1, tzinfo=UTC):
        out.append(cursor)
        cursor = (cursor - timedelta(days=1)).replace(day=1)
    return out


def _listable(ticket: Ticket, services: dict[str, Service]) -> Service | None:
    if ticket.requester.kind != "external":
        return None
    return services.get(f"{ticket.type_code}{SEPARATOR}{ticket.subtype_code}")


def entry(
    ticket: Ticket, service: Service, teams: dict[str, str], lang: Lang, notes: str | None = None
) -> dict[str, Any]:
    """One ``request`` of the spec; place, text and media only for Open311-filed requests."""
    published = ticket.api_client is not None
    place = ticket.location if published else None
    closed = ticket.status in CLOSED
    updated = (ticket.closed_at or ticket.resolved_at or ticket.updated_at) if closed else ticket.updated_at
    return {
        "service_request_id": ticket.number,
        "status": open311_status(ticket.status),
        "status_notes": redact(notes) if notes else None,
        "service_name": service.subtype.name.in_lang(lang),
        "service_code": service.code,
        "description": redact(ticket.description) if published else None,
        "agency_responsible": teams.get(ticket.team, ticket.team),
        "service_notice": None,
        "requested_datetime": w3c(ticket.created_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": w3c(ticket.legal_due or ticket.resolution_due),
        "address": place.address if place else None,
        "address_id": None,
        "zipcode": None,
        "lat": place.lat if place else None,
        "long": place.long if place else None,
        "media_url": ticket.media_url if published else None,
    }


def _team_names(lang: Lang) -> dict[str, str]:
    return {t.code: t.name.in_lang(lang) for t in catalog_store.list_teams()}


def _last_public_note(history: Iterable[HistoryEvent]) -> str | None:
    """The latest public staff message (a reply or a status change with a message)."""
    notes = [e.body for e in history if e.public and e.actor.kind == "staff" and e.body]
    return notes[-1] if notes else None


def one_request(number: str, lang: Lang) -> dict[str, Any]:
    if not is_number(number):
        raise Open311Error(
            404,
            (f"service_request_id {number[:40]} no existe", f"service_request_id {number[:40]} not found"),
        )
    ticket, history = store.get_with_history(number)
    service = _listable(ticket, open_services()) if ticket else None
    if ticket is None or service is None:
        raise Open311Error(
            404, (f"service_request_id {number} no existe", f"service_request_id {number} not found")
        )
    return entry(ticket, service, _team_names(lang), lang, _last_public_note(history))


def _csv(raw: str | None) -> list[str]:
    return [p.strip() for p in (raw or "").split(",") if p.strip()]


def search(params: dict[str, str], lang: Lang) -> list[dict[str, Any]]:
    """GET requests with the spec's filters (``service_request_id`` overrides all the others)."""
    services = open_services()
    teams = _team_names(lang)
    ids = _csv(params.get("service_request_id"))
    if ids:
        if len(ids) > MAX_IDS:
            raise Open311Error(
                400,
                (
                    f"máximo {MAX_IDS} valores de service_request_id",
                    f"at most {MAX_IDS} service_request_id values",
                ),
            )
        found = store.get_many([i for i in dict.fromkeys(ids) if is_number(i)])
        out = []
        for number in dict.fromkeys(ids):
            ticket = found.get(number)
            service = _listable(ticket, services) if ticket else None
            if ticket is not None and service is not None:
                out.append(entry(ticket, service, teams, lang))
        return out
    codes = set(_csv(params.get("service_code")))
    unknown = sorted(codes - set(services))
    if unknown:
        raise Open311Error(
            400,
            (
                f"service_code desconocido: {', '.join(unknown)[:200]}",
                f"unknown service_code: {', '.join(unknown)[:200]}",
            ),
        )
    statuses = set(_csv(params.get("status")))
    if statuses - {"open", "closed"}:
        raise Open311Error(
            400,
            (
                "status debe ser open o closed (ambos separados por coma)",
                "status must be open or closed (comma-separated for both)",
            ),
        )
    start, end = period(params.get("start_date"), params.get("end_date"), utcnow())
    out, read = [], 0
    for month in _months(start, end):
        for ticket in store.filed_between(month, start, end, MAX_READ - read):
            read += 1
            service = _listable(ticket, services)
            if service is None or (codes and service.code not in codes):
                continue
            if statuses and open311_status(ticket.status) not in statuses:
                continue
            out.append(entry(ticket, service, teams, lang))
            if len(out) >= MAX_RESULTS:
                return out
        if read >= MAX_READ:
            break
    return out
