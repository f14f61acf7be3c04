"""CSV import of assets with a preview and a report per row and column, and CSV/JSON export.

An import writes nothing unless every row passes, or the writer chose ``valid`` (import the valid
rows only). Rows are checked as the API checks one asset, plus what only a batch can get wrong:
an inventory number, host name or serial twice in the file or already held by another asset.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from pydantic import ValidationError

from ventanilla import spreadsheet
from ventanilla.auth import Principal
from ventanilla.errors import BadRequest, Conflict, FieldError, ValidationFailed
from ventanilla.i18n import Lang, message
from ventanilla.models.assets import Asset, AssetIn, ImportError_, ImportReport, ImportRow
from ventanilla.services import assets as service
from ventanilla.storage import assets as store

MAX_ROWS = 1000
BASE_COLUMNS = (
    "inventory_number",
    "type",
    "name",
    "status",
    "serial",
    "hostname",
    "location",
    "team",
    "responsible_username",
    "responsible_name",
    "responsible_email",
    "purchase_date",
    "warranty_end",
    "seats",
    "notes",
)
REQUIRED = ("inventory_number", "type", "name", "team")
FIELD_PREFIX = "field."
STATUS_WORDS = {
    "en uso": "in_use",
    "en bodega": "in_stock",
    "en stock": "in_stock",
    "en reparación": "in_repair",
    "en reparacion": "in_repair",
    "dado de baja": "retired",
    "de baja": "retired",
}
"""Spanish labels accepted in the status column besides the codes."""


def _row_body(row: dict[str, str], lists: service.Lists) -> dict[str, Any]:
    """A CSV row as the JSON body the API takes (empty cells are absent)."""
    cell = {k: (v or "").strip() for k, v in row.items() if k is not None}
    body: dict[str, Any] = {
        k: cell[k]
        for k in ("inventory_number", "type", "name", "serial", "hostname", "location", "team", "notes")
        if cell.get(k)
    }
    for k in ("purchase_date", "warranty_end"):
        if cell.get(k):
            body[k] = cell[k]
    if cell.get("status"):
        body["status"] = STATUS_WORDS.get(cell["status"].lower(), cell["status"].lower())
    if cell.get("seats"):
        body["seats"] = cell["seats"]
    person = {
        k: cell[f"responsible_{k}"] for k in ("username", "name", "email") if cell.get(f"responsible_{k}")
    }
    if person:
        body["responsible"] = person
    asset_type = lists.types.get(cell.get("type", ""))
    kinds = {f.name: f.kind for f in asset_type.fields} if asset_type else {}
    fields: dict[str, Any] = {}
    for key, value in cell.items():
        if key.startswith(FIELD_PREFIX) and value:
            name = key.removeprefix(FIELD_PREFIX)
            fields[name] = _typed(value, kinds.get(name, "text"))
    body["fields"] = fields
    return body


def _references(raw: dict[str, Any], lists: service.Lists) -> list[FieldError]:
    """Type form, location and team problems of a row the model refused for other reasons."""
    from ventanilla.rules.forms import check_form

    problems: list[FieldError] = []
    asset_type = lists.types.get(str(raw.get("type", "")))
    if asset_type is not None:
        _, form_errors = check_form(asset_type.fields, raw.get("fields") or {})
        problems += [
            FieldError("fields." + e.field.removeprefix("form."), e.code, e.params) for e in form_errors
        ]
    if raw.get("location") and raw["location"] not in lists.locations:
        problems.append(FieldError("location", "location_unknown"))
    if raw.get("team") and raw["team"] not in lists.teams:
        problems.append(FieldError("team", "team_unknown"))
    return problems


def _typed(value: str, kind: str) -> Any:
    """A form cell typed as its field expects (numbers, yes/no); text stays text."""
    if kind not in ("number", "checkbox"):
        return value
    low = value.lower()
    if low in ("true", "sí", "si", "yes"):
        return True
    if low in ("false", "no"):
        return False
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return value


def _column(location: str) -> str:
    """The CSV column a model location names (``responsible.email`` -> ``responsible_email``)."""
    if location.startswith("responsible."):
        return "responsible_" + location.split(".", 1)[1]
    if location.startswith("fields."):
        return FIELD_PREFIX + location.split(".", 1)[1]
    return location or "-"


def run(principal: Principal, text: str, mode: str, lang: Lang) -> ImportReport:
    principal.require(*service.WRITERS)
    if mode not in ("preview", "all", "valid"):
        raise BadRequest("import_mode")
    try:
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        header = list(reader.fieldnames or [])
        # A cell our export guarded against spreadsheets ("'=…") comes back as it was.
        rows = [
            {k: spreadsheet.read_cell(v) if isinstance(v, str) else v for k, v in r.items()} for r in reader
        ]
    except csv.Error as error:
        raise BadRequest("csv_invalid", {"detail": str(error)}) from error
    if not rows:
        raise BadRequest("csv_empty")
    if len(rows) > MAX_ROWS:
        raise BadRequest("csv_too_many_rows", {"max": MAX_ROWS})
    errors: list[ImportError_] = []

    def fail(at: int, column: str, code: str, **params: Any) -> None:
        errors.append(ImportError_(row=at, column=column, code=code, message=message(code, lang, **params)))

    for name in header:
        if name not in BASE_COLUMNS and not name.startswith(FIELD_PREFIX):
            fail(1, name, "csv_unknown_column")
    for name in REQUIRED:
        if name not in header:
            fail(1, name, "csv_missing_column")
    if errors:  # a header problem is every row's problem: report it alone
        return ImportReport(mode=mode, rows=[], errors=errors, valid=0, invalid=len(rows), written=0)

    lists = service.Lists()
    parsed: dict[int, tuple[AssetIn, dict[str, Any]]] = {}
    seen: dict[tuple[str, str], int] = {}
    # Row 1 is the header: data rows are numbered as a spreadsheet shows them.
    for number, row in enumerate(rows, start=2):
        if None in row:
            fail(number, "-", "csv_invalid", detail="columnas de más / extra cells")
            continue
        raw = _row_body(row, lists)
        try:
            body = AssetIn.model_validate(raw)
        except ValidationError as error:
            for e in error.errors(include_url=False):
                loc = ".".join(str(p) for p in e["loc"])
                code = e["type"]
                params: dict[str, Any] = {
                    k: (", ".join(map(str, v)) if isinstance(v, list | tuple) else v)
                    for k, v in (e.get("ctx") or {}).items()
                }
                if code == "value_error":
                    params = {"detail": str(e.get("msg", "")).removeprefix("Value error, ")}
                fail(number, _column(loc), code, **params)
            for problem in _references(raw, lists):  # what the model could not reach, named too
                if (problem.field, number) not in {(e.column, e.row) for e in errors}:
                    fail(number, _column(problem.field), problem.code, **problem.params)
            continue
        fields, problems = service.check_fields(body, lists)
        for p in problems:
            fail(number, _column(p.field), p.code, **p.params)
        for kind, value in (
            ("inventory_number", body.inventory_number),
            ("hostname", body.hostname),
            ("serial", body.serial),
        ):
            if not value:
                continue
            first = seen.setdefault((kind, value.lower()), number)
            if first != number:
                fail(number, kind, "csv_duplicate_in_file", row=first)
        if not problems:
            parsed[number] = (body, fields)
    failed_rows = {e.row for e in errors}
    candidates = {n: v for n, v in parsed.items() if n not in failed_rows}
    taken = store.existing(b.inventory_number for b, _ in candidates.values())
    held = store.aliases_taken(
        (kind, value)
        for b, _ in candidates.values()
        for kind, value in (("host", b.hostname), ("serial", b.serial))
        if value
    )
    for n, (b, _) in candidates.items():
        if b.inventory_number in taken:
            fail(n, "inventory_number", "asset_exists")
        for kind, column, value in (("host", "hostname", b.hostname), ("serial", "serial", b.serial)):
            if value and (kind, value.lower()) in held:
                fail(n, column, "asset_alias_taken")
    failed_rows = {e.row for e in errors}
    valid = {n: v for n, v in candidates.items() if n not in failed_rows}
    report_rows = [
        ImportRow(
            row=n,
            inventory_number=((rows[n - 2].get("inventory_number") or "").strip().upper() or None),
            ok=n in valid,
        )
        for n in range(2, len(rows) + 2)
    ]
    errors.sort(key=lambda e: (e.row, e.column))
    report = ImportReport(
        mode=mode,
        rows=report_rows,
        errors=errors,
        valid=len(valid),
        invalid=len(rows) - len(valid),
        written=0,
    )
    if mode == "preview":
        return report
    if mode == "all" and report.invalid:
        raise ValidationFailed(
            "import_invalid",
            {"invalid": report.invalid},
            errors=[
                FieldError(f"row[{e.row}].{e.column}", "value_error", {"detail": e.message}) for e in errors
            ],
        )
    written: list[Asset] = []
    for n, (body, fields) in sorted(valid.items()):
        asset = service.new_asset(principal, body, fields)
        try:
            service.write_new(principal, asset, action="imported")
        except Conflict as error:
            if mode == "all":
                for done in written:  # nothing half written: put back what this import wrote
                    store.remove_created(done)
                raise Conflict("import_conflict") from error
            column = error.errors[0].field if error.errors else "inventory_number"
            fail(n, column, error.code)
            report.rows[n - 2].ok = False
            continue
        written.append(asset)
    report.errors = sorted(errors, key=lambda e: (e.row, e.column))
    report.written = len(written)
    report.valid = len(written)
    report.invalid = len(rows) - len(written)
    return report


# ---- export ------------------------------------------------------------------------------------


def export(principal: Principal, query: dict[str, str]) -> tuple[str, str | dict[str, Any], str | None]:
    """One page of the listing (same criteria) as CSV or JSON; the next page's cursor apart."""
    fmt = query.get("format", "json")
    if fmt not in ("json", "csv"):
        raise BadRequest("invalid_query", {"detail": "format: json | csv"})
    page = service.listing(principal, {k: v for k, v in query.items() if k != "format"}, max_limit=500)
    if fmt == "json":
        return "application/json", json.loads(page.model_dump_json()), page.next_cursor
    field_names = sorted({name for a in page.items for name in a.fields})
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow([*BASE_COLUMNS, *(FIELD_PREFIX + f for f in field_names)])
    for a in page.items:
        person = a.responsible
        writer.writerow(
            [
                a.inventory_number,
                a.type,
                a.name,
                a.status.value,
                a.serial or "",
                a.hostname or "",
                a.location or "",
                a.team,
                (person.username or "") if person else "",
                (person.name or "") if person else "",
                (person.email or "") if person else "",
                a.purchase_date.isoformat() if a.purchase_date else "",
                a.warranty_end.isoformat() if a.warranty_end else "",
                a.seats if a.seats is not None else "",
                _safe_cell(a.notes or ""),
                *(_safe_cell(str(a.fields.get(f, ""))) for f in field_names),
            ]
        )
    return "text/csv; charset=utf-8", out.getvalue(), page.next_cursor


def _safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
