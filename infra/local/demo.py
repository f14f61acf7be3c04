"""Spanish demo data for the local stack: the catalog, teams, and staff accounts in Cognito."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import boto3

from infra.local.template import ROOT
from ventanilla.models.canned import CannedIn, CannedResponse
from ventanilla.models.catalog import RequestType, Team
from ventanilla.models.common import utcnow
from ventanilla.models.people import StaffProfile
from ventanilla.services.canned import slug_of
from ventanilla.settings import get_settings
from ventanilla.storage import canned as canned_store
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import people as people_store
from ventanilla.storage import sla as sla_store

SEED = ROOT / "infra" / "seed"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    name: str
    groups: tuple[str, ...]
    sub: str


def _json(path: Path) -> list[dict[str, object]]:
    data: list[dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def catalog_file(country: str) -> Path:
    """The demo catalog of an institution's country: Chile's by default, ``catalog.<CC>.json`` else."""
    path = SEED / ("catalog.json" if country == "CL" else f"catalog.{country}.json")
    if not path.exists():
        known = ["CL", *sorted(p.stem.split(".")[1] for p in SEED.glob("catalog.*.json"))]
        raise SystemExit(f"INSTITUTION_COUNTRY={country}: no demo catalog (known: {', '.join(known)})")
    return path


def catalog_types(country: str | None = None) -> list[RequestType]:
    """The request types of the demo institution of ``country`` (INSTITUTION_COUNTRY by default)."""
    country = country or get_settings().country
    return [RequestType.model_validate(t) for t in _json(catalog_file(country))]


def seed_catalog(country: str | None = None) -> int:
    types = catalog_types(country)
    catalog_store.put_types(types)
    catalog_store.put_teams(Team.model_validate(t) for t in _json(SEED / "teams.json"))
    for entry in _json(SEED / "canned.json"):
        body = CannedIn.model_validate(entry)
        canned_store.put(
            CannedResponse(
                id=slug_of(body.title), updated_at=utcnow(), updated_by="demo", **body.model_dump()
            ),
            create=True,
        )
    return len(types)


def seed_help() -> int:
    """The demo help articles, written as an editor's import is (article + revision per line)."""
    from ventanilla.help.articles import load_jsonl
    from ventanilla.services.help_content import write_import

    articles = load_jsonl(SEED / "help_articles.jsonl")
    return write_import(articles, "demo").imported


def seed_staff() -> list[DemoLogin]:
    """Create the demo staff in the user pool (permanent passwords, groups) and their profiles."""
    cognito = boto3.client("cognito-idp")
    pool = os.environ["USER_POOL_ID"]
    logins = []
    for person in _json(SEED / "staff.json"):
        username, password = str(person["username"]), str(person["password"])
        groups = tuple(str(g) for g in person["groups"])  # type: ignore[attr-defined]
        cognito.admin_create_user(
            UserPoolId=pool,
            Username=username,
            UserAttributes=[
                {"Name": "email", "Value": str(person["email"])},
                {"Name": "name", "Value": str(person["name"])},
                {"Name": "email_verified", "Value": "true"},
            ],
            MessageAction="SUPPRESS",
        )
        cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password=password, Permanent=True)
        for group in groups:
            cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=group)
        attributes = cognito.admin_get_user(UserPoolId=pool, Username=username)["UserAttributes"]
        sub = next(a["Value"] for a in attributes if a["Name"] == "sub")
        people_store.put_staff(
            StaffProfile(
                sub=sub,
                username=username,
                name=str(person["name"]),
                email=str(person["email"]),
                teams=[str(t) for t in person["teams"]],  # type: ignore[attr-defined]
                tier=str(person["tier"]),  # type: ignore[arg-type]
                roles=list(groups),  # type: ignore[arg-type]
            )
        )
        logins.append(DemoLogin(username, password, str(person["name"]), groups, sub))
    seed_availability(logins)
    return logins


AGENT_GROUPS = frozenset({"agent-l1", "agent-l2", "agent-l3"})


def seed_availability(logins: list[DemoLogin]) -> None:
    """Demo agents start taking requests, so alerts and automatic assignment reach someone."""
    for login in logins:
        profile = people_store.get_staff(login.sub)
        if profile is None or not AGENT_GROUPS & set(login.groups):
            continue
        sla_store.put_availability(login.sub, login.name, profile.teams, True, 10, profile.tier)
