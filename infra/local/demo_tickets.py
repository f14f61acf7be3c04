"""Spanish demo requests for ``make dev``: a lived-in queue (replies, notes, a request waiting for
the citizen, resolved ones, a reopened one) made through the same services the API calls."""

from __future__ import annotations

import json
from typing import Any

from infra.local.template import ROOT
from ventanilla.auth import Principal
from ventanilla.models.ticket import AssignIn, CreateTicketIn, MessageIn, StaffMessageIn, StatusIn
from ventanilla.services import tickets
from ventanilla.storage import people as people_store

SEED = ROOT / "infra" / "seed" / "demo_tickets.json"
FRONT_DESK = "ana.l1"


def _principal(login: Any) -> Principal:
    base = Principal(sub=login.sub, username=login.username, groups=frozenset(login.groups), name=login.name)
    return base.with_profile(people_store.get_staff(login.sub))


def seed_tickets(logins: list[Any]) -> list[str]:
    """Create the demo requests and play their steps; the numbers made, in order."""
    staff = {login.username: _principal(login) for login in logins}
    numbers = []
    for entry in json.loads(SEED.read_text(encoding="utf-8")):
        steps = entry.pop("steps")
        entry["requester"] = {"consent": True, **entry["requester"]}
        body = CreateTicketIn.model_validate(entry)
        # What arrives by phone, letter, at the desk... or for an internal requester, the front desk files.
        on_web = body.channel == "web" and body.requester.kind == "external"
        created = tickets.create_ticket(body, by=None if on_web else staff[FRONT_DESK])
        for step in steps:
            _play(created.number, created.access_code, step, staff)
        numbers.append(created.number)
    return numbers


def _play(number: str, code: str, step: dict[str, Any], staff: dict[str, Principal]) -> None:
    if "citizen" in step:
        tickets.citizen_reply(number, code, MessageIn(body=step["body"]), "es")
        return
    who = staff[step["by"]]
    if step["do"] == "assign":
        tickets.assign(who, number, AssignIn(assignee=who.sub))
    elif step["do"] in ("reply", "note"):
        body = StaffMessageIn(body=step["body"])
        tickets.staff_reply(who, number, body, internal=step["do"] == "note")
    elif step["do"] == "status":
        tickets.change_status(who, number, StatusIn(status=step["status"]))
