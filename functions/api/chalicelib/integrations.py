"""Admin routes of integrations: the API keys of client apps (Open311)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import Area, json_response
from ventanilla.auth import Principal
from ventanilla.models.api_keys import ApiKey, ApiKeyCreated, ApiKeyIn, ApiKeyList
from ventanilla.services import api_keys

bp = Blueprint(__name__)
ADMINS = ("admin",)
NO_STORE = {"Cache-Control": "no-store"}


admins = Area(bp, "admin", roles=ADMINS)


@admins.post("/api/v1/admin/api-keys", body=ApiKeyIn, response=ApiKeyCreated, status=201, audit="api-key")
def issue_key(principal: Principal, body: ApiKeyIn) -> Response:
    """Issue an API key for a client app: the key is in this answer only (stored hashed)"""
    created = api_keys.issue(body, principal)
    return json_response(created, status=201, headers=NO_STORE)


@admins.get("/api/v1/admin/api-keys", response=ApiKeyList)
def list_keys() -> Response:
    """The API keys issued (never the keys themselves), revoked ones included"""
    return json_response(api_keys.listing(), headers=NO_STORE)


@admins.delete("/api/v1/admin/api-keys/{key_id}", response=ApiKey, audit="api-key")
def revoke_key(key_id: str) -> Response:
    """Revoke an API key at once (it stays listed with its revocation date)"""
    return json_response(api_keys.revoke(key_id), headers=NO_STORE)
