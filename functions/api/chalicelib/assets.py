"""Asset inventory routes (F5): assets, types, locations, licence seats, CSV import and export,
reports, and the links between assets and requests."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import (
    CODE,
    CURSOR,
    Area,
    csv_response,
    export_response,
    json_response,
    lang_of,
    limit,
    parse_text_body,
    q,
)
from ventanilla.auth import Principal
from ventanilla.models.assets import (
    Asset,
    AssetIn,
    AssetLinkIn,
    AssetLocation,
    AssetLocationIn,
    AssetPage,
    AssetReports,
    AssetStatus,
    AssetType,
    AssetTypeIn,
    AssetTypeList,
    AssetUpdateIn,
    AssetView,
    ImportReport,
    LocationList,
    SeatIn,
    TicketAssets,
)
from ventanilla.services import asset_import, asset_reports, assets
from ventanilla.services.tickets import STAFF_ROLES_WORKING

bp = Blueprint(__name__)

LISTING = {
    "type": q("asset type code (one criterion of type, location, team, responsible)", pattern=CODE),
    "location": q("location code", pattern=CODE),
    "team": q("supporting team code (default: your first team)", pattern=CODE),
    "responsible": q("responsible person's key: user:<username> or person:<email or name>", maxLength=300),
    "status": q("status", enum=[s.value for s in AssetStatus]),
    "q": q("inventory number prefix", pattern=r"^[A-Za-z0-9._-]{1,40}$"),
    "limit": limit(1, 200, 50),
    "cursor": CURSOR,
}
ANY_STAFF = tuple(sorted({*STAFF_ROLES_WORKING, "inventory", "editor", "moderator"}))


def _query() -> dict[str, str]:
    return dict(bp.current_request.query_params or {})


writers = Area(bp, "assets", roles=assets.WRITERS)
readers = Area(bp, "assets", roles=assets.READERS)
staff = Area(bp, "assets", roles=ANY_STAFF)
report_viewers = Area(bp, "assets", roles=asset_reports.VIEWERS)
agent_staff = Area(bp, "agent", roles=ANY_STAFF)
agent_working = Area(bp, "agent", roles=tuple(sorted(STAFF_ROLES_WORKING)))


@readers.get("/api/v1/assets", response=AssetPage, query=LISTING)
def list_assets(principal: Principal) -> Response:
    """One page of assets by type, location, supporting team or responsible person (agents: their teams'
    assets)"""
    return json_response(assets.listing(principal, _query()))


@writers.post("/api/v1/assets", body=AssetIn, response=Asset, status=201)
def create_asset(principal: Principal, body: AssetIn) -> Response:
    """Create an asset (the inventory number is unique: 409 when taken)"""
    return json_response(assets.create(principal, body), status=201)


@staff.get("/api/v1/assets/mine", response=AssetPage)
def my_assets(principal: Principal) -> Response:
    """My equipment: the assets the signed-in staff member is responsible for"""
    return json_response(assets.mine(principal))


@readers.get(
    "/api/v1/assets/lookup",
    response=Asset,
    query={"id": q("inventory number, host name or serial", required=True, maxLength=253)},
)
def lookup_asset(principal: Principal) -> Response:
    """The asset an inventory number, host name or serial names"""
    return json_response(assets.lookup(principal, _query().get("id", "")))


@staff.get("/api/v1/assets/types", response=AssetTypeList)
def list_types(principal: Principal) -> Response:
    """Asset types and their fields"""
    return json_response(assets.list_types(principal))


@writers.put("/api/v1/assets/types/{code}", body=AssetTypeIn, response=AssetType)
def put_type(code: str, principal: Principal, body: AssetTypeIn) -> Response:
    """Create or replace an asset type (admin, inventory)"""
    return json_response(assets.put_type(principal, code, body))


@staff.get("/api/v1/assets/locations", response=LocationList)
def list_locations(principal: Principal) -> Response:
    """Locations (building / office)"""
    return json_response(assets.list_locations(principal))


@writers.put("/api/v1/assets/locations/{code}", body=AssetLocationIn, response=AssetLocation)
def put_location(code: str, principal: Principal, body: AssetLocationIn) -> Response:
    """Create or replace a location (admin, inventory)"""
    return json_response(assets.put_location(principal, code, body))


@writers.post(
    "/api/v1/assets/import",
    response=ImportReport,
    text_body="text/csv",
    query={"mode": q("preview (default), all or valid", enum=["preview", "all", "valid"])},
)
def import_assets(principal: Principal) -> Response:
    """Import assets from CSV: mode=preview (default, writes nothing), all (nothing written unless every row
    passes: 422 naming row and column) or valid (only the valid rows)"""
    request = bp.current_request
    text = parse_text_body(request, ("text/csv", "text/plain"), "unsupported_media_type")
    report = asset_import.run(principal, text, _query().get("mode", "preview"), lang_of(request))
    return json_response(report)


@readers.get(
    "/api/v1/assets/export",
    response=AssetPage,
    text_response="text/csv",
    query={**LISTING, "format": q("json (default) or csv", enum=["json", "csv"]), "limit": limit(1, 500, 50)},
)
def export_assets(principal: Principal) -> Response:
    """Export one page of assets (same criteria as the list) as CSV or JSON; the next page's cursor in
    X-Next-Cursor"""
    return export_response(*asset_import.export(principal, _query()), "activos.csv")


REPORT_QUERY = {
    "from": q("first day of the incidents' period, YYYY-MM-DD (default: 89 days before `to`)", format="date"),
    "to": q("last day, YYYY-MM-DD (default: today)", format="date"),
    "days": q(
        "warranties ending within these days (1-730, default 60)", type="integer", minimum=1, maximum=730
    ),
}


@report_viewers.get("/api/v1/assets/reports", response=AssetReports, query=REPORT_QUERY)
def reports(principal: Principal) -> Response:
    """Inventory reports: counts, most incidents in a period, warranties expiring, licences over or near
    their seats (supervisors, admin, inventory)"""
    return json_response(asset_reports.build(principal, _query()))


@report_viewers.get("/api/v1/assets/reports/{report}", text_response="text/csv", query=REPORT_QUERY)
def report_csv(report: str, principal: Principal) -> Response:
    """One inventory report as CSV: counts, incidents, warranties or licences"""
    return csv_response(asset_reports.csv_of(principal, report, _query()), f"activos-{report}.csv")


@readers.get("/api/v1/assets/{inventory_number}", response=AssetView)
def get_asset(inventory_number: str, principal: Principal) -> Response:
    """The asset page: fields, history, linked requests (time lost, SLA outcome), seats"""
    return json_response(assets.view(principal, inventory_number))


@writers.put("/api/v1/assets/{inventory_number}", body=AssetUpdateIn, response=Asset)
def update_asset(inventory_number: str, principal: Principal, body: AssetUpdateIn) -> Response:
    """Edit an asset (send the version read: 409 when someone changed it since)"""
    return json_response(assets.update(principal, inventory_number, body))


@writers.post("/api/v1/assets/{inventory_number}/seats", body=SeatIn, response=AssetView, status=201)
def assign_seat(inventory_number: str, principal: Principal, body: SeatIn) -> Response:
    """Assign a seat of a licence (409 when none is free)"""
    view = assets.assign_seat(principal, inventory_number, body)
    return json_response(view, status=201)


@writers.delete("/api/v1/assets/{inventory_number}/seats/{holder}", status=204)
def release_seat(inventory_number: str, holder: str, principal: Principal) -> Response:
    """Release a licence seat"""
    from urllib.parse import unquote

    assets.release_seat(principal, inventory_number, unquote(holder))
    return Response(body="", status_code=204)


@agent_staff.get("/api/v1/agent/tickets/{number}/assets", response=TicketAssets)
def ticket_assets(number: str, principal: Principal) -> Response:
    """The assets linked to a request"""
    return json_response(assets.ticket_assets(principal, number))


@agent_staff.post(
    "/api/v1/agent/tickets/{number}/assets", body=AssetLinkIn, response=TicketAssets, status=201
)
def link_asset(number: str, principal: Principal, body: AssetLinkIn) -> Response:
    """Link an asset to a request (agents of its team; whoever filed it, for their own equipment)"""
    return json_response(assets.link(principal, number, body), status=201)


@agent_working.delete("/api/v1/agent/tickets/{number}/assets/{inventory_number}", status=204)
def unlink_asset(number: str, inventory_number: str, principal: Principal) -> Response:
    """Unlink an asset from a request"""
    assets.unlink(principal, number, inventory_number)
    return Response(body="", status_code=204)
