"""The request catalog as the public sees it."""

from __future__ import annotations

from ventanilla.models.base import Model
from ventanilla.models.catalog import RequestType, Team
from ventanilla.storage import catalog as store


class CatalogOut(Model):
    types: list[RequestType]
    teams: list[Team]


def catalog() -> CatalogOut:
    return CatalogOut(types=store.list_types(), teams=store.list_teams())
