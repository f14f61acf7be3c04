"""Staff authentication: Cognito JWTs verified against the user pool's published keys (JWKS).

The app verifies every token itself (signature, issuer, expiry, audience/client): API Gateway's
authorizer is not there when the API runs locally, and the same code runs against moto's Cognito.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jwt

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


@lru_cache(maxsize=4)
def _jwks(url: str) -> jwt.PyJWKClient:
    import jwt

    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)


def _claims(authorization: str | None, pool_id: str, client_id: str) -> dict[str, Any]:
    """The verified claims of an ``Authorization: Bearer`` token of ``pool_id``'s ``client_id``:
    signature against that pool's keys, its issuer, expiry, client and token use; 401 otherwise.
    The issuer names the pool, so a token of one pool never passes as the other's."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("token_missing")
    if not pool_id or not client_id:
        raise Unauthorized("token_invalid", {"reason": "no such user pool here"})
    token = authorization[7:].strip()
    settings = get_settings()
    import jwt  # lazy: PyJWT loads cryptography; public routes never verify a token

    try:
        signing_key = _jwks(settings.jwks_url_of(pool_id)).get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            signing_key.key,
            algorithms=["RS256"],
            issuer=settings.issuer_of(pool_id),
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
    if use not in ("access", "id") or audience != client_id:
        raise Unauthorized("token_invalid", {"reason": "wrong client or token use"})
    return claims


def _signed_in(claims: dict[str, Any]) -> int:
    signed_in = claims.get("auth_time", claims.get("iat", 0))
    return int(signed_in) if isinstance(signed_in, int | float) else 0


def verify(authorization: str | None) -> Principal:
    """The staff principal of an ``Authorization: Bearer`` header, or 401 naming what is wrong."""
    settings = get_settings()
    claims = _claims(authorization, settings.user_pool_id, settings.user_pool_client_id)
    groups = frozenset(g for g in claims.get("cognito:groups", []) if g in STAFF_ROLES)
    username = str(claims.get("username") or claims.get("cognito:username") or claims["sub"])
    return Principal(
        sub=str(claims["sub"]),
        username=username,
        groups=groups,
        name=username,
        authenticated_at=_signed_in(claims),
    )


@dataclass(frozen=True)
class CitizenPrincipal:
    """A citizen signed in with the citizens' pool. Contacts come from the ID token's claims, and
    only those the pool marks verified are ever used to match requests."""

    sub: str
    email: str | None
    email_verified: bool
    phone: str | None
    phone_verified: bool
    name: str
    authenticated_at: int

    @property
    def citizen_id(self) -> str:
        return f"acct-{self.sub}"


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def verify_citizen(authorization: str | None) -> CitizenPrincipal:
    """The citizen of an ID token of the citizens' pool (the ID token carries the verified email;
    an access token does not), or 401."""
    settings = get_settings()
    claims = _claims(authorization, settings.citizen_pool_id, settings.citizen_pool_client_id)
    if claims.get("token_use") != "id":
        raise Unauthorized("token_invalid", {"reason": "send the ID token"})
    email = claims.get("email")
    phone = claims.get("phone_number")
    return CitizenPrincipal(
        sub=str(claims["sub"]),
        email=str(email).strip().lower() if email else None,
        email_verified=_flag(claims.get("email_verified")),
        phone=str(phone) if phone else None,
        phone_verified=_flag(claims.get("phone_number_verified")),
        name=str(claims.get("name") or ""),
        authenticated_at=_signed_in(claims),
    )
