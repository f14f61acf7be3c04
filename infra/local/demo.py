"""Spanish demo data for the local stack: the catalog, teams, help articles and staff accounts of
``infra/seed/``, loaded by the same functions as the first run of a deployed stack."""

from __future__ import annotations

import os

from infra.ops import seeding
from infra.ops.seeding import SEED, StaffAccount

DemoLogin = StaffAccount
"""A demo staff account, with its permanent password (printed by ``make dev``)."""

__all__ = ["SEED", "DemoLogin", "seed_catalog", "seed_help", "seed_staff"]


def seed_catalog() -> int:
    return seeding.load_catalog(SEED, "demo")


def seed_help() -> int:
    """The demo help articles, written as an editor's import is (article + revision per line)."""
    return seeding.load_help(SEED, "demo")


def seed_staff() -> list[DemoLogin]:
    """Create the demo staff in the user pool (permanent passwords, groups) and their profiles."""
    pool = os.environ["USER_POOL_ID"]
    people = seeding.staff_from_file(SEED / "staff.json")
    return [seeding.ensure_staff(person, pool, permanent_password=True) for person in people]
