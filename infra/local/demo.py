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
