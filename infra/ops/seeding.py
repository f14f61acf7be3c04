"""Load an institution's data from files: catalog, teams, canned answers, calendar, help articles
and staff accounts. The local demo and the first run of a deployed stack both call these, and each
is idempotent: what is already there, unchanged, is not written again.

A data folder holds ``catalog.json``, ``teams.json`` and optionally ``canned.json``,
``calendar.json``, ``help_articles.jsonl`` and ``staff.json`` (the demo set is ``infra/seed/``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from pydantic import BaseModel, Field

from ventanilla.auth import Principal
from ventanilla.help.articles import Article, load_jsonl
from ventanilla.models.canned import CannedIn, CannedResponse
from ventanilla.models.catalog import RequestType, Team, Tier
from ventanilla.models.common import utcnow
from ventanilla.models.people import StaffProfile
from ventanilla.services import due_dates
from ventanilla.services import sla as sla_service
from ventanilla.services.canned import slug_of
from ventanilla.services.help_content import write_import
from ventanilla.settings import get_settings
from ventanilla.sla.calendar import BusinessCalendar
from ventanilla.storage import canned as canned_store
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import help_articles as article_store
from ventanilla.storage import people as people_store

SEED = Path(__file__).resolve().parents[1] / "seed"
LOADER = Principal(sub="bootstrap", username="bootstrap", groups=frozenset({"admin"}), name="bootstrap")
"""Who the calendar is stored as: the admin service path, with its validation."""
_ARTICLE_STAMP = {"updated_at", "updated_by"}


class StaffSeed(BaseModel):
    """One line of ``staff.json`` (``password`` only in the demo set: real staff get a temporary one)."""

    username: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=120)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    groups: list[str] = Field(min_length=1)
    teams: list[str] = Field(default_factory=list)
    tier: Tier = "L1"
    password: str | None = None


@dataclass(frozen=True)
class StaffAccount:
    username: str
    name: str
    groups: tuple[str, ...]
    sub: str
    created: bool
    password: str | None = None


def _json(path: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def catalog_file(folder: Path, country: str) -> Path:
    """The catalog of an institution's country: ``catalog.<CC>.json`` when the folder has one,
    else ``catalog.json`` (the demo's is Chile's; an institution's folder has its own)."""
    specific = folder / f"catalog.{country}.json"
    if specific.is_file():
        return specific
    if country != "CL" and folder == SEED:
        known = ["CL", *sorted(p.stem.split(".")[1] for p in SEED.glob("catalog.*.json"))]
        raise SystemExit(f"INSTITUTION_COUNTRY={country}: no demo catalog (known: {', '.join(known)})")
    return folder / "catalog.json"


def catalog_types(folder: Path = SEED, country: str | None = None) -> list[RequestType]:
    """The request types of ``folder`` for ``country`` (INSTITUTION_COUNTRY by default)."""
    path = catalog_file(folder, country or get_settings().country)
    return [RequestType.model_validate(t) for t in _json(path)]


def load_catalog(folder: Path = SEED, by: str = "demo", country: str | None = None) -> int:
    """Request types and teams (put as the files say them), canned answers only where absent."""
    types = catalog_types(folder, country)
    teams = [Team.model_validate(t) for t in _json(folder / "teams.json")]
    existing_types = {t.code: t for t in catalog_store.list_types()}
    existing_teams = {t.code: t for t in catalog_store.list_teams()}
    catalog_store.put_types(t for t in types if existing_types.get(t.code) != t)
    catalog_store.put_teams(t for t in teams if existing_teams.get(t.code) != t)
    if (folder / "canned.json").is_file():
        for entry in _json(folder / "canned.json"):
            body = CannedIn.model_validate(entry)
            canned = CannedResponse(
                id=slug_of(body.title), updated_at=utcnow(), updated_by=by, **body.model_dump()
            )
            canned_store.put(canned, create=True)  # an answer an agent has since edited stays theirs
    load_asset_lists(folder)
    return len(types)


def load_asset_lists(folder: Path = SEED) -> int:
    """The inventory's asset types and locations (``asset_types.json``, ``asset_locations.json``),
    put where absent or changed: an admin's later edit of the same code is overwritten only by a
    changed file."""
    from ventanilla.models.assets import AssetLocation, AssetType
    from ventanilla.storage import assets as asset_store

    written = 0
    if (folder / "asset_types.json").is_file():
        known = {t.code: t for t in asset_store.list_types()}
        for entry in _json(folder / "asset_types.json"):
            asset_type = AssetType.model_validate(entry)
            if known.get(asset_type.code) != asset_type:
                asset_store.put_type(asset_type)
                written += 1
    if (folder / "asset_locations.json").is_file():
        places = {loc.code: loc for loc in asset_store.list_locations()}
        for entry in _json(folder / "asset_locations.json"):
            location = AssetLocation.model_validate(entry)
            if places.get(location.code) != location:
                asset_store.put_location(location)
                written += 1
    return written


def load_calendar(folder: Path = SEED) -> bool:
    """Store ``calendar.json`` when present and different from the stored one; True if written."""
    path = folder / "calendar.json"
    if not path.is_file():
        return False
    calendar = BusinessCalendar.model_validate_json(path.read_text(encoding="utf-8"))
    due_dates.forget_cache()
    stored = sla_service.get_calendar(LOADER)  # the stored one, or the default it equals
    if stored.model_dump(exclude={"version"}) == calendar.model_dump(exclude={"version"}):
        return False
    sla_service.put_calendar(LOADER, calendar)
    return True


def changed_articles(articles: Iterable[Article]) -> list[Article]:
    """The articles absent from the table or different from their stored version."""
    articles = list(articles)
    stored = article_store.get_many([a.key for a in articles])
    return [
        a
        for a in articles
        if a.key not in stored
        or stored[a.key].article.model_dump(exclude=_ARTICLE_STAMP) != a.model_dump(exclude=_ARTICLE_STAMP)
    ]


def load_help(folder: Path = SEED, by: str = "demo") -> int:
    """Help articles through the editors' import path (revision per change); returns how many written."""
    path = folder / "help_articles.jsonl"
    if not path.is_file():
        return 0
    changed = changed_articles(load_jsonl(path))
    return write_import(changed, by).imported if changed else 0


def staff_from_file(path: Path) -> list[StaffSeed]:
    return [StaffSeed.model_validate(p) for p in _json(path)]


def ensure_staff(person: StaffSeed, pool_id: str, *, permanent_password: bool = False) -> StaffAccount:
    """The person's user (invited with a temporary password, or the demo's permanent one), groups
    and profile; an existing user keeps its password, and missing groups or profile are added."""
    cognito = boto3.client("cognito-idp")
    created = False
    try:
        user = cognito.admin_get_user(UserPoolId=pool_id, Username=person.username)
    except cognito.exceptions.UserNotFoundException:
        extra: dict[str, Any] = {"DesiredDeliveryMediums": ["EMAIL"]}  # Cognito emails the invitation
        if permanent_password:
            extra = {"MessageAction": "SUPPRESS"}
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=person.username,
            UserAttributes=[
                {"Name": "email", "Value": str(person.email)},
                {"Name": "name", "Value": person.name},
                {"Name": "email_verified", "Value": "true"},
            ],
            **extra,
        )
        if permanent_password and person.password:
            cognito.admin_set_user_password(
                UserPoolId=pool_id, Username=person.username, Password=person.password, Permanent=True
            )
        user = cognito.admin_get_user(UserPoolId=pool_id, Username=person.username)
        created = True
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    listed = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=person.username)["Groups"]
    for group in sorted(set(person.groups) - {g["GroupName"] for g in listed}):
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=person.username, GroupName=group)
    if people_store.get_staff(sub) is None:
        people_store.put_staff(
            StaffProfile(
                sub=sub,
                username=person.username,
                name=person.name,
                email=str(person.email),
                teams=person.teams,
                tier=person.tier,
                roles=list(person.groups),  # who a request may be handed to
            )
        )
    return StaffAccount(
        person.username,
        person.name,
        tuple(person.groups),
        sub,
        created,
        person.password if permanent_password else None,
    )
