"""What staff members set about themselves (for now: the language of the notices they receive)."""

from __future__ import annotations

from ventanilla.auth import Principal
from ventanilla.models.people import StaffPreferences, StaffPreferencesIn, StaffProfile
from ventanilla.storage import people as people_store


def preferences(principal: Principal) -> StaffPreferences:
    """The signed-in staff member's preferences (Spanish until they choose)."""
    return StaffPreferences(sub=principal.sub, language="en" if principal.language == "en" else "es")


def set_preferences(principal: Principal, body: StaffPreferencesIn) -> StaffPreferences:
    """Save the language of the principal's notices; one write, no other profile field changes."""
    base = StaffProfile.model_validate(
        {
            "sub": principal.sub,
            "username": principal.username,
            "name": principal.name or principal.username,
            "teams": list(principal.teams),
            "tier": principal.tier,
        }
    )
    saved = people_store.set_staff_language(base, body.language)
    return StaffPreferences(sub=saved.sub, language=saved.language)
