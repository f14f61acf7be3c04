"""Staff reads of a citizen account's data, written down for the citizen's export ("who looked at
my data", issue 14.5). Apart from the account service so the ticket service can record a read
without depending on it."""

from __future__ import annotations

from ventanilla.auth import Principal
from ventanilla.models.accounts import StaffRead, is_account
from ventanilla.models.common import utcnow
from ventanilla.storage import accounts as store


def record_staff_read(principal: Principal, citizen_id: str, what: str, number: str | None) -> None:
    """Every staff read of an account's data is written down; the citizen's export shows it."""
    if is_account(citizen_id):
        store.add_staff_read(
            citizen_id,
            StaffRead(
                at=utcnow(),
                staff_sub=principal.sub,
                staff_name=principal.name or principal.username,
                what=what,
                number=number,
            ),
        )
