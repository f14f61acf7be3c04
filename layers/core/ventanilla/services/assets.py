"""The asset inventory (F5): types, locations, assets with their history, licence seats, and the
links between assets and requests (the incident history a technician diagnoses with).

Who: ``admin`` and ``inventory`` write; supervisors read every asset; agents read their teams'
assets and link assets to the requests they can open; any staff member sees "my equipment".
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from ventanilla.auth import AGENT_ROLES, Principal
from ventanilla.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from ventanilla.models.assets import (
    INVENTORY_PATTERN,
    Asset,
    AssetChange,
    AssetEvent,
    AssetFields,
    AssetIn,
    AssetLinkIn,
    AssetLocation,
    AssetLocationIn,
    AssetPage,
    AssetStatus,
    AssetType,
    AssetTypeIn,
    AssetTypeList,
    AssetUpdateIn,
    AssetView,
    LinkedRequest,
    LocationList,
    SeatIn,
    TicketAssets,
)
from ventanilla.models.common import is_code, utcnow
from ventanilla.models.ticket import Ticket
from ventanilla.rules.forms import check_form
from ventanilla.storage import assets as store
from ventanilla.storage import tickets as ticket_store

WRITERS = ("admin", "inventory")
READ_ALL = frozenset({"admin", "inventory", "supervisor"})
READERS = tuple(sorted(READ_ALL | AGENT_ROLES))
HISTORY_LIMIT = 30
REQUESTS_LIMIT = 25
SEATS_LIMIT = 100


def _read_teams(principal: Principal) -> tuple[str, ...] | None:
    """None: every asset; otherwise the teams whose assets the principal reads."""
    if principal.groups & READ_ALL:
        return None
    if principal.groups & AGENT_ROLES:
        return principal.teams
    raise Forbidden("role_required", {"roles": ", ".join(READERS)})


def _can_read(principal: Principal, asset: Asset) -> bool:
    """Their teams' assets (all for supervisors, admins, inventory), and one's own equipment."""
    if asset.responsible is not None and asset.responsible.key() == f"user:{principal.username.lower()}":
        return True
    teams = _read_teams(principal)
    return teams is None or asset.team in teams


def _inventory(value: str) -> str:
    inv = value.strip().upper()
    if not re.fullmatch(INVENTORY_PATTERN, inv):
        raise NotFound("asset_not_found")
    return inv


def _bounded_int(query: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationFailed("validation_failed", errors=[FieldError(name, "invalid")])
    return int(raw)


def _event(principal: Principal, action: str, **data: Any) -> AssetEvent:
    return AssetEvent(
        event_id=uuid.uuid4().hex[:12],
        at=utcnow(),
        actor=principal.username,
        actor_name=principal.name or principal.username,
        action=action,
        **data,
    )


# ---- types and locations (admin lists) --------------------------------------------------------


def list_types(principal: Principal) -> AssetTypeList:
    return AssetTypeList(items=sorted(store.list_types(), key=lambda t: t.code))


def put_type(principal: Principal, code: str, body: AssetTypeIn) -> AssetType:
    principal.require(*WRITERS)
    if not is_code(code):
        raise NotFound("asset_type_not_found")
    asset_type = AssetType(code=code, **body.model_dump())
    store.put_type(asset_type)
    return asset_type


def list_locations(principal: Principal) -> LocationList:
    return LocationList(items=sorted(store.list_locations(), key=lambda loc: (loc.building, loc.office)))


def put_location(principal: Principal, code: str, body: AssetLocationIn) -> AssetLocation:
    principal.require(*WRITERS)
    if not is_code(code):
        raise NotFound("location_unknown")
    location = AssetLocation(code=code, **body.model_dump())
    store.put_location(location)
    return location


# ---- validation shared by the API and the import ---------------------------------------------


class Lists:
    """The admin lists an asset is checked against, read once per request (or once per import)."""

    def __init__(self) -> None:
        from ventanilla.storage import catalog as catalog_store

        self.types = {t.code: t for t in store.list_types()}
        self.locations = {loc.code for loc in store.list_locations()}
        self.teams = {t.code for t in catalog_store.list_teams()}


def check_fields(body: AssetFields, lists: Lists) -> tuple[dict[str, Any], list[FieldError]]:
    """The type-specific form values cleaned, and every reference problem, each naming its field."""
    errors: list[FieldError] = []
    asset_type = lists.types.get(body.type)
    clean: dict[str, Any] = {}
    if asset_type is None:
        errors.append(FieldError("type", "asset_type_unknown"))
    else:
        clean, form_errors = check_form(asset_type.fields, body.fields)
        errors += [
            FieldError("fields." + e.field.removeprefix("form."), e.code, e.params) for e in form_errors
        ]
        if asset_type.kind == "licence" and body.seats is None:
            errors.append(FieldError("seats", "seats_required"))
        if asset_type.kind != "licence" and body.seats is not None:
            errors.append(FieldError("seats", "seats_only_licences"))
    if body.location and body.location not in lists.locations:
        errors.append(FieldError("location", "location_unknown"))
    if body.team not in lists.teams:
        errors.append(FieldError("team", "team_unknown"))
    return clean, errors


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    """Type fields one by one (``fields.ram_gb``), so the history says which one changed."""
    fields = data.pop("fields", None) or {}
    data.update({f"fields.{k}": v for k, v in fields.items()})
    return data


def _diff(before: Asset | None, after: Asset) -> dict[str, AssetChange]:
    skip = {"version", "updated_at", "updated_by", "created_at", "seats_used", "incidents"}
    old = _flat(before.model_dump(mode="json")) if before else {}
    new = _flat(after.model_dump(mode="json"))
    return {
        k: AssetChange(before=old.get(k), after=new.get(k))
        for k in sorted(set(old) | set(new))
        if k not in skip and old.get(k) != new.get(k)
    }


def new_asset(principal: Principal, body: AssetIn, fields: dict[str, Any]) -> Asset:
    now = utcnow()
    return Asset(
        **{**body.model_dump(), "fields": fields},
        created_at=now,
        updated_at=now,
        updated_by=principal.username,
    )


def write_new(principal: Principal, asset: Asset, action: str = "created") -> None:
    event = _event(principal, action, changes=_diff(None, asset))
    try:
        store.write_asset(None, asset, event)
    except store.VersionConflict as error:
        raise Conflict("asset_exists", errors=[FieldError("inventory_number", "asset_exists")]) from error
    except store.AliasTaken as error:
        field = "hostname" if error.kind == "host" else "serial"
        raise Conflict("asset_alias_taken", errors=[FieldError(field, "asset_alias_taken")]) from error


# ---- assets -------------------------------------------------------------------------------------


def create(principal: Principal, body: AssetIn) -> Asset:
    principal.require(*WRITERS)
    fields, errors = check_fields(body, Lists())
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
    asset = new_asset(principal, body, fields)
    write_new(principal, asset)
    return asset


def update(principal: Principal, inventory_number: str, body: AssetUpdateIn) -> Asset:
    principal.require(*WRITERS)
    before = store.get_asset(_inventory(inventory_number))
    if before is None:
        raise NotFound("asset_not_found")
    if before.version != body.version:
        raise Conflict("asset_stale", errors=[FieldError("version", "asset_stale")])
    fields, errors = check_fields(body, Lists())
    # Seats below those in use are allowed: the licence is then over its seats (the reports say so).
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
    data = {k: v for k, v in body.model_dump().items() if k != "version"}
    after = Asset.model_validate(
        {
            **before.model_dump(),
            **data,
            "fields": fields,
            "version": before.version + 1,
            "updated_at": utcnow(),
            "updated_by": principal.username,
        }
    )
    changes = _diff(before, after)
    if not changes:
        return before
    try:
        store.write_asset(before, after, _event(principal, "updated", changes=changes))
    except store.VersionConflict as error:
        raise Conflict("asset_stale", errors=[FieldError("version", "asset_stale")]) from error
    except store.AliasTaken as error:
        field = "hostname" if error.kind == "host" else "serial"
        raise Conflict("asset_alias_taken", errors=[FieldError(field, "asset_alias_taken")]) from error
    return after


def get(principal: Principal, inventory_number: str) -> Asset:
    asset = store.get_asset(_inventory(inventory_number))
    if asset is None or not _can_read(principal, asset):
        # An asset of another team is not confirmed to exist: 404 like an unknown one.
        raise NotFound("asset_not_found")
    return asset


def listing(principal: Principal, query: dict[str, str], max_limit: int = 200) -> AssetPage:
    """One page of assets by type, location, team or responsible person (one Query, O(page)).

    Without a criterion: an agent's first team, everyone else's first type."""
    teams = _read_teams(principal)
    limit = _bounded_int(query, "limit", 50, 1, max_limit)
    cursor = query.get("cursor")
    status = query.get("status")
    if status and status not in {s.value for s in AssetStatus}:
        raise ValidationFailed("validation_failed", errors=[FieldError("status", "invalid")])
    prefix = (query.get("q") or "").strip().upper() or None
    chosen = [k for k in ("type", "location", "team", "responsible") if query.get(k)]
    if len(chosen) > 1:
        raise ValidationFailed("asset_filter_one", errors=[FieldError(chosen[1], "asset_filter_one")])
    if chosen == ["responsible"]:
        items, next_cursor = store.list_responsible(query["responsible"].strip().lower(), limit, cursor)
        items = [a for a in items if _can_read(principal, a) and (not status or a.status.value == status)]
        return AssetPage(items=items, next_cursor=next_cursor)
    if chosen == ["type"]:
        index, partition = "GSI1", f"ASSETTYPE#{query['type']}"
    elif chosen == ["location"]:
        index, partition = "GSI2", f"ASSETLOC#{query['location']}"
    else:
        team = query.get("team") or (teams[0] if teams else None)
        if team is None:
            types = sorted(t.code for t in store.list_types())
            index, partition = "GSI1", f"ASSETTYPE#{types[0] if types else '-'}"
        else:
            if teams is not None and team not in teams:
                raise Forbidden("asset_team_forbidden")
            index, partition = "GSI3", f"ASSETTEAM#{team}"
    items, next_cursor = store.list_by(
        index, partition, limit, cursor, prefix=prefix, status=status, teams=teams
    )
    return AssetPage(items=items, next_cursor=next_cursor)


def mine(principal: Principal) -> AssetPage:
    """The signed-in staff member's equipment ("my equipment" when they file an internal request)."""
    items, next_cursor = store.list_responsible(f"user:{principal.username.lower()}", 100, None)
    return AssetPage(items=items, next_cursor=next_cursor)


def lookup(principal: Principal, identifier: str) -> Asset:
    """By inventory number, host name or serial (the search box's exact match)."""
    asset = find_by_identifier(identifier)
    if asset is None or not _can_read(principal, asset):
        raise NotFound("asset_not_found")
    return asset


def find_by_identifier(identifier: str) -> Asset | None:
    """The asset an identifier names: inventory number, else host name, else serial (GetItems)."""
    value = identifier.strip()
    if not value or len(value) > 253:
        return None
    if re.fullmatch(INVENTORY_PATTERN, value.upper()):
        asset = store.get_asset(value.upper())
        if asset is not None:
            return asset
    for kind in ("host", "serial"):
        inv = store.find_alias(kind, value)
        if inv:
            return store.get_asset(inv)
    # A fully qualified host name names the asset of its short name too (srv-01.example.org).
    if "." in value:
        inv = store.find_alias("host", value.split(".", 1)[0])
        if inv:
            return store.get_asset(inv)
    return None


def asset_for_alert(host_or_identifier: str) -> Asset | None:
    """For the monitoring alert intake: the asset whose host name, inventory number or serial the
    alert names, or None. Call :func:`link_system` with it once the alert's request exists."""
    return find_by_identifier(host_or_identifier)


def link_system(number: str, asset: Asset, source: str = "monitoring") -> bool:
    """Link an asset to a request on behalf of a system (the alert intake); False if already linked."""
    now = utcnow()
    event = AssetEvent(event_id=uuid.uuid4().hex[:12], at=now, actor=source, action="linked", ticket=number)
    return store.link(asset.inventory_number, number, now.strftime("%Y-%m"), source, now.isoformat(), event)


# ---- the asset page ----------------------------------------------------------------------------


def _sla(ticket: Ticket) -> str:
    if ticket.breached:
        return "breached"
    return "met" if ticket.resolved_at else "pending"


def view(principal: Principal, inventory_number: str) -> AssetView:
    """Fields, history, linked requests with time lost and SLA outcome, seats: a fixed number of
    reads (GetItem, three bounded Queries, one BatchGetItem), whatever the inventory's size."""
    asset = get(principal, inventory_number)
    inv = asset.inventory_number
    types = {t.code: t for t in store.list_types()}
    locations = {loc.code: loc for loc in store.list_locations()}
    history = store.history(inv, HISTORY_LIMIT)
    links = store.links(inv, REQUESTS_LIMIT)
    tickets = ticket_store.get_many([str(link["number"]) for link in links])
    now = utcnow()
    requests: list[LinkedRequest] = []
    for link in links:
        ticket = tickets.get(str(link["number"]))
        if ticket is None:
            continue
        end = ticket.resolved_at or now
        requests.append(
            LinkedRequest(
                number=ticket.number,
                subject=ticket.subject,
                status=ticket.status.value,
                team=ticket.team,
                created_at=ticket.created_at,
                resolved_at=ticket.resolved_at,
                hours_lost=round(max(0.0, (end - ticket.created_at).total_seconds()) / 3600, 1),
                sla=_sla(ticket),
                linked_at=datetime.fromisoformat(str(link["linked_at"])).astimezone(UTC),
            )
        )
    seats = store.seats(inv, SEATS_LIMIT) if asset.seats is not None else []
    return AssetView(
        asset=asset,
        type=types.get(asset.type),
        location=locations.get(asset.location or ""),
        history=history,
        requests=requests,
        open_requests=sum(1 for r in requests if r.resolved_at is None),
        hours_lost=round(sum(r.hours_lost for r in requests), 1),
        sla_breached=sum(1 for r in requests if r.sla == "breached"),
        seats=seats,
        read_items=1 + len(types) + len(locations) + len(history) + len(links) + len(tickets) + len(seats),
    )


# ---- licences ------------------------------------------------------------------------------------


def assign_seat(principal: Principal, inventory_number: str, body: SeatIn) -> AssetView:
    from ventanilla.models.assets import Seat

    principal.require(*WRITERS)
    asset = get(principal, inventory_number)
    if asset.seats is None:
        raise ValidationFailed("seats_only_licences", errors=[FieldError("holder", "seats_only_licences")])
    now = utcnow()
    seat = Seat(holder=body.holder, assigned_at=now, assigned_by=principal.username)
    why = store.assign_seat(
        asset.inventory_number, seat, _event(principal, "seat_assigned", holder=body.holder)
    )
    if why == "full":
        raise Conflict("seats_full")
    if why == "taken":
        raise Conflict("seat_taken", errors=[FieldError("holder", "seat_taken")])
    return view(principal, asset.inventory_number)


def release_seat(principal: Principal, inventory_number: str, holder: str) -> None:
    principal.require(*WRITERS)
    asset = get(principal, inventory_number)
    if not store.release_seat(
        asset.inventory_number, holder, _event(principal, "seat_released", holder=holder)
    ):
        raise NotFound("seat_not_found")


# ---- links with requests --------------------------------------------------------------------------


def _ticket_for_link(principal: Principal, number: str, asset: Asset | None) -> Ticket:
    """Agents link to requests they can open; whoever filed a request links to it their own
    equipment (the "my equipment" choice) or an asset they can read (found by its inventory number
    while filing), even when the request goes to a team they are not in."""
    from ventanilla.services import tickets

    ticket = ticket_store.get_ticket(number)
    if ticket is None:
        raise NotFound("ticket_not_found")
    own = (
        ticket.created_by == principal.sub
        and asset is not None
        and _can_read(principal, asset)  # their own equipment, or one they can read
    )
    if not own:
        tickets.staff_view(principal, number)  # role and team, as opening the request checks
    return ticket


def link(principal: Principal, number: str, body: AssetLinkIn) -> TicketAssets:
    asset = store.get_asset(body.inventory_number)
    if asset is None:
        raise NotFound("asset_not_found", errors=[FieldError("inventory_number", "asset_not_found")])
    _ticket_for_link(principal, number, asset)
    now = utcnow()
    event = _event(principal, "linked", ticket=number)
    if not store.link(
        asset.inventory_number, number, now.strftime("%Y-%m"), principal.username, now.isoformat(), event
    ):
        raise Conflict("asset_already_linked")
    return ticket_assets(principal, number, checked=True)


ASSET_FIELD = "inventario"
"""The request form field that names an asset (``soporte-interno/equipos``): a filing that fills it
is linked to that asset when it is created, as the console links the one picked."""


def asset_for_filing(principal: Principal, form: dict[str, Any]) -> Asset | None:
    """The asset a filing names in its form, checked before anything is written: one the filer
    may read (their own equipment, their teams', everything for inventory/supervisors/admins), as
    linking it afterwards requires. Unknown or not theirs to read: a 422 naming the field (the
    same answer both ways, so the field is no way to find out which inventory numbers exist)."""
    raw = form.get(ASSET_FIELD)
    if not isinstance(raw, str) or not raw.strip():
        return None
    inv = raw.strip().upper()
    asset = store.get_asset(inv) if re.fullmatch(INVENTORY_PATTERN, inv) else None
    if asset is None or not _can_read(principal, asset):
        raise ValidationFailed(
            "validation_failed",
            errors=[FieldError(f"form.{ASSET_FIELD}", "asset_not_found", {"value": raw.strip()[:40]})],
        )
    return asset


def link_filed(principal: Principal, number: str, asset: Asset) -> None:
    """Link a request just filed to the asset its form named (already linked: a replayed filing)."""
    now = utcnow()
    store.link(
        asset.inventory_number,
        number,
        now.strftime("%Y-%m"),
        principal.username,
        now.isoformat(),
        _event(principal, "linked", ticket=number),
    )


def unlink(principal: Principal, number: str, inventory_number: str) -> None:
    from ventanilla.services import tickets

    inv = _inventory(inventory_number)
    tickets.staff_view(principal, number)
    if not store.unlink(inv, number, _event(principal, "unlinked", ticket=number)):
        raise NotFound("asset_not_linked")


def ticket_assets(principal: Principal, number: str, *, checked: bool = False) -> TicketAssets:
    """The assets linked to a request (the request page's "equipment" box)."""
    if not checked:
        ticket = ticket_store.get_ticket(number)
        if ticket is None:
            raise NotFound("ticket_not_found")
        if ticket.created_by != principal.sub:
            from ventanilla.services import tickets

            tickets.staff_view(principal, number)
    found = store.get_many(store.assets_of_ticket(number))
    return TicketAssets(items=sorted(found.values(), key=lambda a: a.inventory_number))
