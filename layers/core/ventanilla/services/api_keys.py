"""Issuing, checking and revoking API keys of integration clients.

A key is 32 random URL-safe bytes shown once; only its SHA-256 is stored (a key has enough entropy
that a fast hash is safe, and every POST checks it with one GetItem). Each key has a per-minute
limit (GCRA, :mod:`ventanilla.rules.rate_limit`) kept in the limits items.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import uuid

from ventanilla import clock
from ventanilla.auth import Principal
from ventanilla.errors import Conflict, NotFound, TooManyRequests
from ventanilla.models.api_keys import ApiKey, ApiKeyCreated, ApiKeyIn, ApiKeyList, Scope
from ventanilla.models.common import utcnow
from ventanilla.rules.rate_limit import Limit, decide
from ventanilla.storage import api_keys as store
from ventanilla.storage import limits

DEMO_KEY = "demo-open311-key"
DEMO_ID = "demo-open311"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(
    body: ApiKeyIn, by: Principal | None, key: str | None = None, key_id: str | None = None
) -> ApiKeyCreated:
    """A new key (``key`` and ``key_id`` fixed only by the demo seed)."""
    if store.count() >= store.MAX_KEYS:
        raise Conflict("too_many_api_keys", {"max": store.MAX_KEYS})
    key = key or "vk_" + secrets.token_urlsafe(32)
    meta = ApiKey(
        id=key_id or uuid.uuid4().hex[:12],
        name=body.name,
        scopes=sorted(set(body.scopes)),
        rate_limit_per_minute=body.rate_limit_per_minute,
        prefix=key[:8],
        created_at=utcnow(),
        created_by=(by.name or by.username) if by else None,
    )
    if not store.insert(meta, key_hash(key)):
        raise Conflict("api_key_exists")
    return ApiKeyCreated(**meta.model_dump(), key=key)


def ensure_demo_key() -> str:
    """The demo Open311 client of the local stack (idempotent): its key, printed with the logins."""
    if store.by_hash(key_hash(DEMO_KEY)) is None:
        with contextlib.suppress(Conflict):
            issue(ApiKeyIn(name="Demo Open311", rate_limit_per_minute=600), None, DEMO_KEY, DEMO_ID)
    return DEMO_KEY


def listing() -> ApiKeyList:
    keys = sorted(store.list_keys(), key=lambda k: k.created_at, reverse=True)
    return ApiKeyList(items=keys)


def revoke(key_id: str) -> ApiKey:
    revoked = store.revoke(key_id, utcnow()) if len(key_id) <= 64 else None
    if revoked is None:
        raise NotFound("api_key_not_found")
    return revoked


def authenticate(key: str | None, scope: Scope) -> ApiKey | None:
    """The live key with ``scope``, None for a missing, unknown, revoked or unscoped one. A known
    key over its per-minute limit is a 429 (the caller words it in its own format)."""
    if not key or len(key) > 200:
        return None
    found = store.by_hash(key_hash(key))
    if found is None or found.revoked_at is not None or scope not in found.scopes:
        return None
    _take(found)
    return found


def _take(key: ApiKey) -> None:
    limit = Limit(key.rate_limit_per_minute, 60)
    now = clock.now().timestamp()
    for _ in range(4):
        seen = limits.read("apikey", key.id)
        decision = decide(seen, now, limit)
        if not decision.allowed:
            raise TooManyRequests("too_many_api_calls", {"retry_after": max(1, round(decision.retry_after))})
        if limits.write("apikey", key.id, seen, decision.tat, int(decision.tat + 120)):
            return
