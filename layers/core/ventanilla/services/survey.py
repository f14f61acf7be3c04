"""The satisfaction survey (B6): the citizen rates a resolved request once per resolution.

The answer is written like any other change: the ticket (``csat_*`` fields, read by statistics)
and one public ``survey`` history event in one transaction under optimistic locking, so of two
answers sent at once exactly one is kept and the other gets a 409.
"""

from __future__ import annotations

from ventanilla.errors import Conflict
from ventanilla.i18n import Lang
from ventanilla.models.common import iso, utcnow
from ventanilla.models.ticket import Actor, PublicTicket, SurveyIn
from ventanilla.services.tickets import _citizen_ticket, new_event, public_view, survey_open
from ventanilla.storage import tickets as store


def answer(number: str, code: str | None, body: SurveyIn, lang: Lang) -> PublicTicket:
    """Record the score (and comment) of the current resolution; 409 when closed to answers."""
    ticket, history = _citizen_ticket(number, code)
    if ticket.resolved_at is not None and ticket.csat_resolved_at == ticket.resolved_at:
        raise Conflict("survey_already_answered")
    if not survey_open(ticket) or ticket.resolved_at is None:
        raise Conflict("survey_not_open", {"status": ticket.status.value})
    now = utcnow()
    comment = body.comment or None
    event = new_event(
        number,
        Actor(kind="citizen", id=ticket.citizen_id),
        "survey",
        public=True,
        body=comment,
        at=now,
        score=body.score,
        resolved_at=iso(ticket.resolved_at),
    )
    updated = ticket.model_copy(
        update={
            "csat_score": body.score,
            "csat_comment": comment,
            "csat_at": now,
            "csat_resolved_at": ticket.resolved_at,
            "updated_at": now,
            "version": ticket.version + 1,
        }
    )
    try:
        store.save_change(ticket.version, updated, [event])
    except Conflict as error:
        # Changed meanwhile: a concurrent answer wins and this one is the "second"; any other
        # change (a reopen, a staff note) is the same 409 the caller can retry after a reload.
        current = store.get_ticket(number)
        if current is not None and current.csat_resolved_at == ticket.resolved_at:
            raise Conflict("survey_already_answered") from error
        raise
    return public_view(updated, [*history, event], lang)
