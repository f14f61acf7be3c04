"""Spanish demo data for the local stack: the catalog, teams, help articles and staff accounts of
``infra/seed/``, loaded by the same functions as the first run of a deployed stack."""

from __future__ import annotations

import os

from infra.ops import seeding
from infra.ops.seeding import SEED, StaffAccount
from ventanilla.models.catalog import RequestType
from ventanilla.storage import people as people_store
from ventanilla.storage import sla as sla_store

DemoLogin = StaffAccount
"""A demo staff account, with its permanent password (printed by ``make dev``)."""

__all__ = [
    "SEED",
    "DemoLogin",
    "catalog_types",
    "seed_assets",
    "seed_availability",
    "seed_catalog",
    "seed_help",
    "seed_staff",
]
AGENT_GROUPS = frozenset({"agent-l1", "agent-l2", "agent-l3"})


def catalog_types(country: str | None = None) -> list[RequestType]:
    """The request types of the demo institution of ``country`` (INSTITUTION_COUNTRY by default)."""
    return seeding.catalog_types(SEED, country)


def seed_catalog(country: str | None = None) -> int:
    return seeding.load_catalog(SEED, "demo", country)


def seed_help() -> int:
    """The demo help articles, written as an editor's import is (article + revision per line)."""
    return seeding.load_help(SEED, "demo")


def seed_staff() -> list[DemoLogin]:
    """Create the demo staff in the user pool (permanent passwords, groups) and their profiles;
    the demo agents start available."""
    pool = os.environ["USER_POOL_ID"]
    people = seeding.staff_from_file(SEED / "staff.json")
    logins = [seeding.ensure_staff(person, pool, permanent_password=True) for person in people]
    seed_availability(logins)
    return logins


def seed_availability(logins: list[DemoLogin]) -> None:
    """Demo agents start taking requests, so alerts and automatic assignment reach someone."""
    for login in logins:
        profile = people_store.get_staff(login.sub)
        if profile is None or not AGENT_GROUPS & set(login.groups):
            continue
        sla_store.put_availability(login.sub, login.name, profile.teams, True, 10, profile.tier)


DEMO_INCIDENTS = [
    # (inventory number, who files it, subject, description, steps after filing)
    (
        "IMP-001",
        "ana.l1",
        "La impresora del piso 1 atasca el papel",
        "Desde ayer la multifuncional de la OIRS atasca cada tres hojas.",
        "resolved",
    ),
    (
        "PC-0001",
        "ana.l1",
        "Mi notebook no enciende",
        "Al presionar el botón de encendido no pasa nada; está cargado.",
        "open",
    ),
    (
        "SRV-002",
        "bruno.l2",
        "El correo institucional no envía mensajes",
        "Los correos quedan en la bandeja de salida desde las 9:00.",
        "resolved",
    ),
    (
        "LIC-002",
        "carla.supervisora",
        "Acrobat pide activar la licencia",
        "Al abrir Acrobat Pro aparece que la licencia no está activada.",
        "open",
    ),
]


def seed_assets(logins: list[DemoLogin], numbers: list[str]) -> list[str]:
    """The demo inventory (``assets.csv``, about 60 assets through the CSV import) and a few
    internal requests about equipment, linked to their assets; the internal ticket of the demo set
    about a system is linked to the database server. Returns the internal requests' numbers."""
    from ventanilla.auth import Principal
    from ventanilla.models.assets import AssetLinkIn, SeatIn
    from ventanilla.models.ticket import CreateTicketIn, StatusIn
    from ventanilla.services import asset_import, assets, tickets

    staff = {
        login.username: Principal(
            sub=login.sub, username=login.username, groups=frozenset(login.groups), name=login.name
        ).with_profile(people_store.get_staff(login.sub))
        for login in logins
    }
    loader = staff.get("ines.inventario") or seeding.LOADER
    text = (SEED / "assets.csv").read_text(encoding="utf-8")
    asset_import.run(loader, text, "valid", "es")
    for holder in ("ana.l1", "bruno.l2", "carla.supervisora", "elena.admin", "PC-0003"):
        assets.assign_seat(loader, "LIC-002", SeatIn(holder=holder))
    bruno = staff["bruno.l2"]
    internal: list[str] = []
    for inv, who, subject, description, outcome in DEMO_INCIDENTS:
        person = staff[who]
        body = CreateTicketIn.model_validate(
            {
                "type": "soporte-interno",
                "subtype": "equipos",
                "channel": "web",
                "form": {"unidad": "OIRS" if who == "ana.l1" else "Informática", "inventario": inv},
                "subject": subject,
                "description": description,
                "requester": {
                    "name": person.name,
                    "email": f"{who}@vallverde.example",
                    "kind": "internal",
                    "consent": True,
                },
            }
        )
        created = tickets.create_ticket(body, by=person)
        internal.append(created.number)
        assets.link(bruno, created.number, AssetLinkIn(inventory_number=inv))
        if outcome == "resolved":
            tickets.change_status(
                bruno,
                created.number,
                StatusIn.model_validate({"status": "resolved", "body": "Revisado y solucionado en terreno."}),
            )
    system = [n for n in numbers][-1:] if numbers else []
    for number in system:
        assets.link(bruno, number, AssetLinkIn(inventory_number="SRV-003"))
    return internal


DEMO_MONITOR = "demo-monitor"
DEMO_MONITOR_SECRET = "demo-monitor-secret"  # noqa: S105 - the demo's published secret (README)


def seed_alert_source() -> None:
    """The demo monitoring source (seed 002): alerts it signs open internal ``soporte-interno``
    requests for the technical team; a resolved alert resolves its request."""
    from ventanilla.models.alerts import AlertSource
    from ventanilla.models.common import utcnow
    from ventanilla.storage import alerts

    alerts.put_source(
        AlertSource(
            source=DEMO_MONITOR,
            name="Central de monitoreo",
            contact_email="monitoreo@vallverde.example",
            type="soporte-interno",
            subtype="sistemas",
            form={"sistema": "Monitoreo"},
            resolve_on_resolved=True,
            secret=DEMO_MONITOR_SECRET,
            updated_at=utcnow(),
        )
    )
