"""First run of a deployed stack: staff users, catalog, teams, calendar and help articles.

    python -m infra.ops.bootstrap --stack ventanilla --admin-email ti@municipio.gob.cl [--data DIR]
    python -m infra.ops.bootstrap --local http://127.0.0.1:PORT --admin-email ...   (a moto server)

Users are invited by Cognito with a temporary password by email, and must choose their own at
their first login. ``--data`` is the institution's folder (``catalog.json``, ``teams.json``,
``canned.json``, ``calendar.json``, ``help_articles.jsonl``, ``staff.json``; the demo set of
``infra/seed/`` by default). Running it again changes nothing that is already in place; edit the
files and run it again to add types, teams, articles or staff.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import boto3

from infra.ops.outputs import StackNotReady, stack_outputs

SEED = Path(__file__).resolve().parents[1] / "seed"


@dataclass(frozen=True)
class Target:
    """What the first run writes to, and the addresses it prints."""

    table: str
    pool: str
    client: str
    portal: str
    console: str
    api: str


def deployed(stack: str) -> Target:
    out = stack_outputs(stack, "TableName", "UserPoolId", "UserPoolClientId", "ApiUrl", "PortalUrl")
    console = out.get("ConsoleUrl", out["PortalUrl"] + "/#/agente")
    return Target(
        out["TableName"], out["UserPoolId"], out["UserPoolClientId"], out["PortalUrl"], console, out["ApiUrl"]
    )


def local(endpoint: str, stack: str, portal: str) -> Target:
    """The resources ``infra.local`` provisions on a moto server for ``stack`` (same physical names)."""
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    for name, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local")):
        os.environ.setdefault(name, value)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_REGION", os.environ["AWS_DEFAULT_REGION"])
    cognito = boto3.client("cognito-idp")
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    pool = next((p["Id"] for p in pools if p["Name"] == f"{stack}-staff"), None)
    if pool is None:
        raise StackNotReady(f"no user pool {stack}-staff at {endpoint}")
    clients = cognito.list_user_pool_clients(UserPoolId=pool, MaxResults=60)["UserPoolClients"]
    portal = portal.rstrip("/")
    return Target(
        f"{stack}-table", pool, clients[0]["ClientId"], portal, f"{portal}/#/agente", f"{portal}/api/v1"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.ops.bootstrap", description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", help="deployed CloudFormation stack (samconfig.toml's stack_name)")
    where.add_argument(
        "--local", metavar="URL", help="a moto server holding a stack provisioned by infra.local"
    )
    parser.add_argument("--local-stack", default="ventanilla", help="with --local: the stack's name prefix")
    parser.add_argument("--portal", default="http://localhost:8000", help="with --local: the portal's URL")
    parser.add_argument("--admin-email", required=True, help="the first admin, invited by email")
    parser.add_argument("--admin-username", default="admin")
    parser.add_argument("--data", type=Path, default=SEED, help="the institution's data folder")
    parser.add_argument("--staff", type=Path, default=None, help="staff file (default: DATA/staff.json)")
    args = parser.parse_args(argv)
    try:
        target = deployed(args.stack) if args.stack else local(args.local, args.local_stack, args.portal)
    except StackNotReady as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    os.environ.update(TABLE_NAME=target.table, USER_POOL_ID=target.pool, USER_POOL_CLIENT_ID=target.client)
    from infra.ops import seeding  # after the environment: the domain reads its settings once

    staff_file = args.staff or args.data / "staff.json"
    people = seeding.staff_from_file(staff_file) if staff_file.is_file() else []
    admin = seeding.StaffSeed(
        username=args.admin_username,
        name="Administración",
        email=args.admin_email,
        groups=["admin"],
        tier="L3",
    )
    accounts = [seeding.ensure_staff(person, target.pool) for person in [admin, *people]]
    types = seeding.load_catalog(args.data, "bootstrap")
    calendar = seeding.load_calendar(args.data)
    articles = seeding.load_help(args.data, "bootstrap")

    for account in accounts:
        state = "invitado (contraseña temporal enviada por correo)" if account.created else "ya existía"
        print(f"  {account.username:<22} {', '.join(account.groups):<14} {state}")
    created = sum(a.created for a in accounts)
    print(f"usuarios: {created} creados, {len(accounts) - created} ya existían")
    print(f"catálogo: {types} tipos; calendario: {'guardado' if calendar else 'sin cambios'}")
    print(f"artículos de ayuda escritos: {articles}")
    print(f"Portal:  {target.portal}\nConsola: {target.console}\nAPI:     {target.api}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
