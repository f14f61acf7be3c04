"""What staff members set about themselves: the language of their notices, and signing out everywhere."""

from __future__ import annotations

import time

from ventanilla.auth import Principal, verify
from ventanilla.models.people import StaffPreferences, StaffPreferencesIn, StaffProfile
from ventanilla.storage import people as people_store


def preferences(principal: Principal) -> StaffPreferences:
    """The signed-in staff member's preferences (Spanish until they choose)."""
    return StaffPreferences(sub=principal.sub, language="en" if principal.language == "en" else "es")


def set_preferences(principal: Principal, body: StaffPreferencesIn) -> StaffPreferences:
    """Save the language of the principal's notices; one write, no other profile field changes."""
    saved = people_store.set_staff_language(_profile_of(principal), body.language)
    return StaffPreferences(sub=saved.sub, language=saved.language)


def sign_out(principal: Principal) -> None:
    """End every session of the principal: tokens from sign-ins before now are refused from now on.

    Real time, not the service clock: the dev clock moves business time, while Cognito stamps
    tokens with the real time.
    """
    people_store.set_signed_out(_profile_of(principal), int(time.time()))


def _profile_of(principal: Principal) -> StaffProfile:
    """What the token says of the principal, for a profile item that does not exist yet."""
    return StaffProfile.model_validate(
        {
            "sub": principal.sub,
            "username": principal.username,
            "name": principal.name or principal.username,
            "teams": list(principal.teams),
            "tier": principal.tier,
        }
    )


def signed_in(authorization: str | None) -> Principal:
    """The verified staff member behind ``authorization`` with the teams, tier and language of their
    profile; 401 for a token from before their last sign-out everywhere."""
    principal = verify(authorization)
    return principal.with_profile(people_store.get_staff(principal.sub))
