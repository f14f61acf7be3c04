"""Public, unauthenticated routes: health, web configuration, the request catalog."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.http import Area, json_response
from ventanilla.models.base import Model
from ventanilla.services import catalog as catalog_service
from ventanilla.services.due_dates import institution_calendar, sla_config
from ventanilla.settings import get_settings

bp = Blueprint(__name__)


class Health(Model):
    status: str
    version: str


class WebConfig(Model):
    region: str
    user_pool_id: str
    user_pool_client_id: str
    cognito_endpoint: str | None
    citizen_pool_id: str
    """The citizens' pool (optional accounts: sign up with email and a code, sign in, "Mi cuenta")."""
    citizen_pool_client_id: str
    upload_proxy: str | None = None
    """Locally, where the browser posts attachments (forwarded to the bucket); None: the presigned URL."""
    api_base: str
    institution: str
    time_zone: str
    languages: list[str]
    sla_warnings: list[float]
    """Shares of a target's time at which warnings fire; the console's "at risk" badge uses them."""


public = Area(bp, "public")


@public.get("/api/v1/health", response=Health)
def health() -> Response:
    """Liveness check"""
    return json_response(Health(status="ok", version="0.1.0"))


@public.get("/api/v1/config", response=WebConfig)
def config() -> Response:
    """What the static web needs to start"""
    s = get_settings()
    return json_response(
        WebConfig(
            region=s.region,
            user_pool_id=s.user_pool_id,
            user_pool_client_id=s.user_pool_client_id,
            cognito_endpoint=s.endpoint_url,
            citizen_pool_id=s.citizen_pool_id,
            citizen_pool_client_id=s.citizen_pool_client_id,
            upload_proxy="/dev/s3" if s.endpoint_url else None,
            api_base="/api/v1",
            institution=s.institution_name,
            time_zone=institution_calendar().timezone,
            languages=["es", "en"],
            sla_warnings=list(sla_config().warnings),
        )
    )


@public.get("/api/v1/catalog", response=catalog_service.CatalogOut)
def catalog() -> Response:
    """Request types, subtypes, their form fields and response targets"""
    body: Any = catalog_service.catalog()
    return json_response(body, headers={"Cache-Control": "public, max-age=60"})
