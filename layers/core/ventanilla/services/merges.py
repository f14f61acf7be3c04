"""Merging a request into another (B8): one conversation where a citizen (or two) asked the same.

The merged request is closed pointing to the survivor (``merged_into``); its description, public
messages and file records are copied into the survivor's history, in one transaction with both
requests (each under the version read). Copies are public in the survivor only when the same citizen
filed both; otherwise staff see them and the survivor's citizen does not (another person's words),
as Zendesk makes merge comments private when the requesters differ. The merged request's number and
code keep working: its page shows where it went and the survivor's progress. Chains are refused (a
merged request is closed; a request that absorbed others is not merged again), so following an old
number is always one hop.
"""

from __future__ import annotations

from typing import Any

from ventanilla.auth import Principal
from ventanilla.errors import Conflict, FieldError, Forbidden, ValidationFailed
from ventanilla.models.common import utcnow
from ventanilla.models.ticket import Actor, HistoryEvent, StaffTicket, Ticket, TicketMergeIn
from ventanilla.rules.state_machine import Status
from ventanilla.services import tickets
from ventanilla.storage import attachments as attachment_store
from ventanilla.storage import merges as store
from ventanilla.storage import tickets as ticket_store

MAX_MERGED_FROM = 20
"""Requests one survivor may absorb (its item stays small; a bigger incident is a parent link)."""
FIXED_ITEMS = 8
"""Items a merge writes besides the copies: both tickets, the retention marker, the merge and
status events on the merged request (and a resumed clock), the merge event on the survivor, and
room to spare."""
MERGEABLE = frozenset(
    {Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING_CITIZEN, Status.REOPENED}
)
"""Open requests only: a resolved one had its answer (link it instead), a closed one is final."""


def _data(values: dict[str, Any]) -> dict[str, Any]:
    """Event data whose keys are not Python names (``from``), typed for ``new_event``'s ``**data``."""
    return values


def _refuse_target(principal: Principal, number: str, into: str) -> Ticket:
    if into == number:
        raise ValidationFailed("validation_failed", errors=[FieldError("into", "merge_into_itself")])
    target = ticket_store.get_ticket(into)
    if target is None:
        raise ValidationFailed("validation_failed", errors=[FieldError("into", "ticket_not_found")])
    if not principal.in_team(target.team):
        raise Forbidden("merge_not_your_team", {"number": into})
    if target.merged_into is not None:
        raise Conflict("merge_into_merged", {"number": into, "into": target.merged_into})
    if target.status == Status.CLOSED:
        raise Conflict("merge_into_closed", {"number": into})
    if len(target.merged_from) >= MAX_MERGED_FROM:
        raise Conflict("merge_too_many", {"number": into, "max": MAX_MERGED_FROM})
    return target


def _refuse_source(source: Ticket) -> None:
    if source.merged_into is not None:
        raise Conflict("already_merged", {"into": source.merged_into})
    if source.merged_from:
        raise Conflict("merge_chain", {"count": len(source.merged_from)})
    if source.status not in MERGEABLE:
        raise Conflict("merge_not_open", {"status": source.status.value})


def _copies(
    source: Ticket, history: list[HistoryEvent], into: str, public: bool, room: int
) -> tuple[list[HistoryEvent], int]:
    """The survivor's copies of the description and public messages (the newest when they do not
    fit in ``room``), and how many were left out."""
    first = tickets.new_event(
        into,
        next((e.actor for e in history if e.action == "created"), Actor(kind="citizen")),
        "merged_message",
        public=public,
        channel=source.channel,
        body=f"{source.subject}\n\n{source.description}",
        at=source.created_at,
        **_data({"from": source.number, "original": "created"}),
    )
    messages = [e for e in history if e.action == "message" and e.public and e.body]
    kept = messages[-max(room - 1, 0) :] if len(messages) > room - 1 else messages
    out = [first] + [
        tickets.new_event(
            into,
            e.actor,
            "merged_message",
            public=public,
            channel=e.channel,
            body=e.body,
            at=e.at,
            **_data({"from": source.number, "original": "message"}),
        )
        for e in kept
    ]
    return out, len(messages) - len(kept)


def merge(principal: Principal, number: str, body: TicketMergeIn) -> StaffTicket:
    """Merge ``number`` into ``body.into``; answers the merged request as staff now see it."""
    source, history = tickets._staff_ticket(principal, number)
    tickets._check_version(source, body.version)
    target = _refuse_target(principal, number, body.into)
    _refuse_source(source)

    now = utcnow()
    actor = tickets._staff_actor(principal)
    same = source.citizen_id == target.citizen_id
    files = [a for a in attachment_store.of_ticket(number) if a.status == "available"]
    copied_files = [
        a.model_copy(update={"number": target.number, "stored_in": a.stored_in or number, "public": same})
        for a in files
    ]
    copies, left_out = _copies(
        source, history, target.number, same, store.MAX_ITEMS - FIXED_ITEMS - len(copied_files)
    )

    closed = tickets._moved(source, Status.CLOSED, now).model_copy(
        update={"merged_into": target.number, "updated_at": now, "version": source.version + 1}
    )
    source_events = [
        tickets.new_event(number, actor, "merged", public=True, at=now, into=target.number),
        tickets.new_event(
            number,
            actor,
            "status_changed",
            public=True,
            at=now,
            status=Status.CLOSED.value,
            previous=source.status.value,
            reason="merged",
            into=target.number,
        ),
    ]
    closed = tickets.with_sla(source, closed, source_events, now)
    survivor = target.model_copy(
        update={
            "merged_from": [*target.merged_from, number],
            "updated_at": now,
            "version": target.version + 1,
        }
    )
    target_events = [
        tickets.new_event(
            target.number,
            actor,
            "merged",
            public=same,
            at=now,
            **_data(
                {"from": number, "messages": len(copies), "files": len(copied_files), "left_out": left_out}
            ),
        )
    ]
    store.save(
        closed,
        source.version,
        survivor,
        target.version,
        [*source_events, *target_events, *copies],
        copied_files,
    )
    return StaffTicket(ticket=closed, history=history + source_events)
