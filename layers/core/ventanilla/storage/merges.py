"""A merge (B8) written at once: both requests under their versions, both histories, the copies of
the merged request's messages and file records, in one bounded transaction."""

from __future__ import annotations

from collections.abc import Sequence

from ventanilla.errors import Conflict
from ventanilla.models.attachments import Attachment
from ventanilla.models.ticket import HistoryEvent, Ticket
from ventanilla.storage.table import conditional_put, table, to_item, transact
from ventanilla.storage.tickets import (
    event_item,
    get_ticket,
    retention_day,
    retention_marker_item,
    ticket_keys,
    ticket_pk,
)

MAX_ITEMS = 100
"""DynamoDB's limit of items in one transaction: what one merge may write."""


def save(
    source: Ticket,
    source_version: int,
    target: Ticket,
    target_version: int,
    events: Sequence[HistoryEvent],
    attachments: Sequence[Attachment],
) -> None:
    """Write both tickets (each only if still at the version read), the events and the copied
    attachment records; a concurrent change of either request raises 409 and writes nothing."""
    items = [
        conditional_put(to_item(source, **ticket_keys(source)), "version = :v", {":v": source_version}),
        conditional_put(to_item(target, **ticket_keys(target)), "version = :v", {":v": target_version}),
        *(conditional_put(event_item(e, i), "attribute_not_exists(PK)") for i, e in enumerate(events)),
        *(
            conditional_put(
                to_item(a, PK=ticket_pk(a.number), SK=f"ATT#{a.attachment_id}", entity="attachment"),
                "attribute_not_exists(PK)",
            )
            for a in attachments
        ),
    ]
    if source.closed_at is not None and source.data_erased_at is None:
        # The retention job's marker, as for any closed request (see tickets.save_change).
        from ventanilla.settings import get_settings

        day = retention_day(source.closed_at, get_settings().retention_years_of(source.type_code))
        items.append({"Put": {"TableName": table().name, "Item": retention_marker_item(day, source.number)}})
    if len(items) > MAX_ITEMS:
        raise ValueError(f"a merge writes at most {MAX_ITEMS} items, not {len(items)}")
    canceled = transact(items)
    if canceled is not None:
        stale = source if not canceled.codes or canceled.failed(0) else target
        expected = source_version if stale is source else target_version
        current = get_ticket(stale.number)
        raise Conflict(
            "stale_version",
            {"number": stale.number, "expected": expected, "actual": current.version if current else None},
        ) from canceled.error
