"""Asset inventory routes (F5): assets, types, locations, licence seats, CSV import and export,
reports, and the links between assets and requests."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import (
    CODE,
    CURSOR,
    json_response,
    lang_of,
    limit,
    parse_body,
    parse_text_body,
    principal_of,
    q,
    route,
)
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


@route(
    bp,
    "/api/v1/assets",
    "GET",
    summary="One page of assets by type, location, supporting team or responsible person "
    "(agents: their teams' assets)",
    tag="assets",
    response=AssetPage,
    auth=True,
    query=LISTING,
    roles=assets.READERS,
)
def list_assets() -> Response:
    return json_response(assets.listing(principal_of(bp.current_request), _query()))


@route(
    bp,
    "/api/v1/assets",
    "POST",
    summary="Create an asset (the inventory number is unique: 409 when taken)",
    tag="assets",
    body=AssetIn,
    response=Asset,
    status=201,
    auth=True,
    roles=assets.WRITERS,
)
def create_asset() -> Response:
    request = bp.current_request
    return json_response(assets.create(principal_of(request), parse_body(request, AssetIn)), status=201)


@route(
    bp,
    "/api/v1/assets/mine",
    "GET",
    summary="My equipment: the assets the signed-in staff member is responsible for",
    tag="assets",
    response=AssetPage,
    auth=True,
    roles=ANY_STAFF,
)
def my_assets() -> Response:
    return json_response(assets.mine(principal_of(bp.current_request)))


@route(
    bp,
    "/api/v1/assets/lookup",
    "GET",
    summary="The asset an inventory number, host name or serial names",
    tag="assets",
    response=Asset,
    auth=True,
    query={"id": q("inventory number, host name or serial", required=True, maxLength=253)},
    roles=assets.READERS,
)
def lookup_asset() -> Response:
    return json_response(assets.lookup(principal_of(bp.current_request), _query().get("id", "")))


@route(
    bp,
    "/api/v1/assets/types",
    "GET",
    summary="Asset types and their fields",
    tag="assets",
    response=AssetTypeList,
    auth=True,
    roles=ANY_STAFF,
)
def list_types() -> Response:
    return json_response(assets.list_types(principal_of(bp.current_request)))


@route(
    bp,
    "/api/v1/assets/types/{code}",
    "PUT",
    summary="Create or replace an asset type (admin, inventory)",
    tag="assets",
    body=AssetTypeIn,
    response=AssetType,
    auth=True,
    roles=assets.WRITERS,
)
def put_type(code: str) -> Response:
    request = bp.current_request
    return json_response(assets.put_type(principal_of(request), code, parse_body(request, AssetTypeIn)))


@route(
    bp,
    "/api/v1/assets/locations",
    "GET",
    summary="Locations (building / office)",
    tag="assets",
    response=LocationList,
    auth=True,
    roles=ANY_STAFF,
)
def list_locations() -> Response:
    return json_response(assets.list_locations(principal_of(bp.current_request)))


@route(
    bp,
    "/api/v1/assets/locations/{code}",
    "PUT",
    summary="Create or replace a location (admin, inventory)",
    tag="assets",
    body=AssetLocationIn,
    response=AssetLocation,
    auth=True,
    roles=assets.WRITERS,
)
def put_location(code: str) -> Response:
    request = bp.current_request
    return json_response(
        assets.put_location(principal_of(request), code, parse_body(request, AssetLocationIn))
    )


@route(
    bp,
    "/api/v1/assets/import",
    "POST",
    summary="Import assets from CSV: mode=preview (default, writes nothing), all (nothing written "
    "unless every row passes: 422 naming row and column) or valid (only the valid rows)",
    tag="assets",
    response=ImportReport,
    text_body="text/csv",
    auth=True,
    query={"mode": q("preview (default), all or valid", enum=["preview", "all", "valid"])},
    roles=assets.WRITERS,
)
def import_assets() -> Response:
    request = bp.current_request
    text = parse_text_body(request, ("text/csv", "text/plain"), "unsupported_media_type")
    report = asset_import.run(principal_of(request), text, _query().get("mode", "preview"), lang_of(request))
    return json_response(report)


@route(
    bp,
    "/api/v1/assets/export",
    "GET",
    summary="Export one page of assets (same criteria as the list) as CSV or JSON; the next page's "
    "cursor in X-Next-Cursor",
    tag="assets",
    response=AssetPage,
    text_response="text/csv",
    auth=True,
    query={**LISTING, "format": q("json (default) or csv", enum=["json", "csv"]), "limit": limit(1, 500, 50)},
    roles=assets.READERS,
)
def export_assets() -> Response:
    content_type, body, next_cursor = asset_import.export(principal_of(bp.current_request), _query())
    headers: dict[str, str | list[str]] = {"Content-Type": content_type}
    if next_cursor:
        headers["X-Next-Cursor"] = next_cursor
    if isinstance(body, str):
        headers["Content-Disposition"] = 'attachment; filename="activos.csv"'
        return Response(body=body, status_code=200, headers=headers)
    return json_response(body, headers=headers)


REPORT_QUERY = {
    "from": q("first day of the incidents' period, YYYY-MM-DD (default: 89 days before `to`)", format="date"),
    "to": q("last day, YYYY-MM-DD (default: today)", format="date"),
    "days": q(
        "warranties ending within these days (1-730, default 60)", type="integer", minimum=1, maximum=730
    ),
}


@route(
    bp,
    "/api/v1/assets/reports",
    "GET",
    summary="Inventory reports: counts, most incidents in a period, warranties expiring, licences "
    "over or near their seats (supervisors, admin, inventory)",
    tag="assets",
    response=AssetReports,
    auth=True,
    query=REPORT_QUERY,
    roles=asset_reports.VIEWERS,
)
def reports() -> Response:
    return json_response(asset_reports.build(principal_of(bp.current_request), _query()))


@route(
    bp,
    "/api/v1/assets/reports/{report}",
    "GET",
    summary="One inventory report as CSV: counts, incidents, warranties or licences",
    tag="assets",
    text_response="text/csv",
    auth=True,
    query=REPORT_QUERY,
    roles=asset_reports.VIEWERS,
)
def report_csv(report: str) -> Response:
    body = asset_reports.csv_of(principal_of(bp.current_request), report, _query())
    return Response(
        body=body,
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="activos-{report}.csv"',
        },
    )


@route(
    bp,
    "/api/v1/assets/{inventory_number}",
    "GET",
    summary="The asset page: fields, history, linked requests (time lost, SLA outcome), seats",
    tag="assets",
    response=AssetView,
    auth=True,
    roles=assets.READERS,
)
def get_asset(inventory_number: str) -> Response:
    return json_response(assets.view(principal_of(bp.current_request), inventory_number))


@route(
    bp,
    "/api/v1/assets/{inventory_number}",
    "PUT",
    summary="Edit an asset (send the version read: 409 when someone changed it since)",
    tag="assets",
    body=AssetUpdateIn,
    response=Asset,
    auth=True,
    roles=assets.WRITERS,
)
def update_asset(inventory_number: str) -> Response:
    request = bp.current_request
    return json_response(
        assets.update(principal_of(request), inventory_number, parse_body(request, AssetUpdateIn))
    )


@route(
    bp,
    "/api/v1/assets/{inventory_number}/seats",
    "POST",
    summary="Assign a seat of a licence (409 when none is free)",
    tag="assets",
    body=SeatIn,
    response=AssetView,
    status=201,
    auth=True,
    roles=assets.WRITERS,
)
def assign_seat(inventory_number: str) -> Response:
    request = bp.current_request
    view = assets.assign_seat(principal_of(request), inventory_number, parse_body(request, SeatIn))
    return json_response(view, status=201)


@route(
    bp,
    "/api/v1/assets/{inventory_number}/seats/{holder}",
    "DELETE",
    summary="Release a licence seat",
    tag="assets",
    status=204,
    auth=True,
    roles=assets.WRITERS,
)
def release_seat(inventory_number: str, holder: str) -> Response:
    from urllib.parse import unquote

    assets.release_seat(principal_of(bp.current_request), inventory_number, unquote(holder))
    return Response(body="", status_code=204)


@route(
    bp,
    "/api/v1/agent/tickets/{number}/assets",
    "GET",
    summary="The assets linked to a request",
    tag="agent",
    response=TicketAssets,
    auth=True,
    roles=ANY_STAFF,
)
def ticket_assets(number: str) -> Response:
    return json_response(assets.ticket_assets(principal_of(bp.current_request), number))


@route(
    bp,
    "/api/v1/agent/tickets/{number}/assets",
    "POST",
    summary="Link an asset to a request (agents of its team; whoever filed it, for their own equipment)",
    tag="agent",
    body=AssetLinkIn,
    response=TicketAssets,
    status=201,
    auth=True,
    roles=ANY_STAFF,
)
def link_asset(number: str) -> Response:
    request = bp.current_request
    return json_response(
        assets.link(principal_of(request), number, parse_body(request, AssetLinkIn)), status=201
    )


@route(
    bp,
    "/api/v1/agent/tickets/{number}/assets/{inventory_number}",
    "DELETE",
    summary="Unlink an asset from a request",
    tag="agent",
    status=204,
    auth=True,
    roles=tuple(sorted(STAFF_ROLES_WORKING)),
)
def unlink_asset(number: str, inventory_number: str) -> Response:
    assets.unlink(principal_of(bp.current_request), number, inventory_number)
    return Response(body="", status_code=204)
