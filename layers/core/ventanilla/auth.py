"""Staff authentication: Cognito JWTs verified against the user pool's published keys (JWKS).

The app verifies every token itself (signature, issuer, expiry, audience/client): API Gateway's
authorizer is not there when the API runs locally, and the same code runs against moto's Cognito.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from ventanilla.errors import Forbidden, Unauthorized
from ventanilla.models.people import STAFF_ROLES, StaffProfile
from ventanilla.settings import get_settings

AGENT_ROLES = frozenset({"agent-l1", "agent-l2", "agent-l3"})
ALL_TEAMS_ROLES = frozenset({"supervisor", "admin"})


@dataclass(frozen=True)
class Principal:
    sub: str
    username: str
    groups: frozenset[str]
    name: str = ""
    teams: tuple[str, ...] = field(default_factory=tuple)
    tier: str = "L1"
    language: str = "es"
    authenticated_at: int = 0
    """When the sign-in behind the token happened (``auth_time``, else ``iat``; epoch seconds)."""

    @property
    def sees_all_teams(self) -> bool:
        return bool(self.groups & ALL_TEAMS_ROLES)

    def in_team(self, team: str) -> bool:
        return self.sees_all_teams or team in self.teams

    def require(self, *roles: str) -> None:
        """Raise 403 unless the principal has one of ``roles``."""
        if not self.groups & set(roles):
            raise Forbidden("role_required", {"roles": ", ".join(roles)})

    def with_profile(self, profile: StaffProfile | None) -> Principal:
        """The principal with its teams, tier and language; 401 if the profile says the staff member
        signed out everywhere after this token's sign-in."""
        if profile is None:
            return self
        # Tokens carry whole seconds: one from the second of the sign-out is refused too (the staff
        # member signs in again a moment later) rather than let an older one through.
        if profile.signed_out_at is not None and self.authenticated_at <= profile.signed_out_at:
            raise Unauthorized("token_revoked")
        return replace(
            self, name=profile.name, teams=tuple(profile.teams), tier=profile.tier, language=profile.language
        )


@lru_cache(maxsize=1)
def _jwks() -> Any:
    import jwt

    return jwt.PyJWKClient(get_settings().jwks_url, cache_keys=True, lifespan=3600, timeout=5)


def verify(authorization: str | None) -> Principal:
    """The principal of an ``Authorization: Bearer`` header, or 401 naming what is wrong."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("token_missing")
    token = authorization[7:].strip()
    settings = get_settings()
    import jwt  # lazy: PyJWT loads cryptography; public routes never verify a token

    try:
        signing_key = _jwks().get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            signing_key.key,
            algorithms=["RS256"],
            issuer=settings.issuer,
            options={"require": ["exp", "iss", "sub", "token_use"], "verify_aud": False},
            leeway=30,
        )
    except jwt.ExpiredSignatureError as error:
        raise Unauthorized("token_expired") from error
    except jwt.PyJWKClientError as error:
        raise Unauthorized("token_invalid", {"reason": "unknown signing key"}) from error
    except jwt.InvalidTokenError as error:
        raise Unauthorized("token_invalid", {"reason": type(error).__name__}) from error
    use = claims.get("token_use")
    audience = claims.get("client_id") if use == "access" else claims.get("aud")
    if use not in ("access", "id") or audience != settings.user_pool_client_id:
        raise Unauthorized("token_invalid", {"reason": "wrong client or token use"})
    groups = frozenset(g for g in claims.get("cognito:groups", []) if g in STAFF_ROLES)
    username = str(claims.get("username") or claims.get("cognito:username") or claims["sub"])
    signed_in = claims.get("auth_time", claims.get("iat", 0))
    return Principal(
        sub=str(claims["sub"]),
        username=username,
        groups=groups,
        name=username,
        authenticated_at=int(signed_in) if isinstance(signed_in, int | float) else 0,
    )
