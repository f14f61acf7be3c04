"""Tickets, their history and the per-year number counter (keys in :mod:`ventanilla.storage.table`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase, Key

from ventanilla.errors import BadRequest, Conflict
from ventanilla.models.common import iso
from ventanilla.models.ticket import HistoryEvent, Ticket
from ventanilla.rules.priority import RANK
from ventanilla.rules.state_machine import Status
from ventanilla.storage.table import (
    CHECK_FAILED,
    answer_of,
    batch_read,
    conditional_put,
    cursor_in,
    cursor_out,
    from_item,
    table,
    to_item,
    transact,
    written,
)

HISTORY_PAGE = 500


class NumberTaken(Exception):
    """Another create won the counter value read; the caller reads the counter again and retries."""


def number_of(keys: Mapping[str, Any] | None) -> str | None:
    """The number of a ticket item's keys (a stream record's), None for any other item."""
    if not keys or keys.get("SK") != "TICKET" or not str(keys.get("PK", "")).startswith("TICKET#"):
        return None
    return str(keys["PK"]).removeprefix("TICKET#")


def ticket_pk(number: str) -> str:
    return f"TICKET#{number}"


def filed_pk(at: datetime) -> str:
    return f"FILED#{iso(at)[:7]}"


def ticket_keys(t: Ticket) -> dict[str, Any]:
    keys: dict[str, Any] = {
        "PK": ticket_pk(t.number),
        "SK": "TICKET",
        "entity": "ticket",
        "GSI1PK": f"QUEUE#{t.team}#{t.status.value}",
        # Most urgent first: priority band, then the soonest pending due instant (first response,
        # resolution or legal term), so within a band what is due soonest comes first.
        "GSI1SK": f"{RANK[t.priority]}#{iso(t.next_due or t.expected_response_by)}#{t.number}",
        # The same queue, soonest due first whatever the priority (GSI4 shares GSI1's partition key).
        "GSI4SK": f"{iso(t.next_due or t.expected_response_by)}#{t.number}",
        "GSI2PK": f"CITIZEN#{t.citizen_id}",
        "GSI2SK": f"{iso(t.created_at)}#{t.number}",
        # Requests by filing month (GSI6 shares GSI2's sort key): Open311's GET requests by period.
        "GSI6PK": filed_pk(t.created_at),
        # Excluded from the model's serialisation so no answer can carry it; only the item keeps it.
        "access_code_hash": t.access_code_hash,
    }
    if t.assignee:
        keys["GSI3PK"] = f"ASSIGNEE#{t.assignee}"
        keys["GSI3SK"] = f"{t.status.value}#{iso(t.resolution_due)}#{t.number}"
    return keys


def event_item(e: HistoryEvent, position: int = 0) -> dict[str, Any]:
    """Events sort by time, then by their position in the change that wrote them."""
    return to_item(
        e, PK=ticket_pk(e.number), SK=f"EV#{iso(e.at)}#{position:02d}#{e.event_id}", entity="event"
    )


# ---- numbers ---------------------------------------------------------------------------------


def counter_key(year: int) -> dict[str, str]:
    return {"PK": "COUNTER#TICKET", "SK": f"YEAR#{year:04d}"}


def read_counter(year: int) -> int:
    item = table().get_item(Key=counter_key(year), ConsistentRead=True).get("Item")
    return int(item["value"]) if item else 0


def insert_ticket(
    year: int,
    previous: int,
    ticket: Ticket,
    events: Sequence[HistoryEvent],
    extra: Sequence[dict[str, Any]] = (),
) -> None:
    """Write a new ticket, its first history events and the counter move in one transaction.

    ``previous`` is the counter value read before; if another create moved it meanwhile the
    transaction is cancelled and :class:`NumberTaken` tells the caller to read it again.
    ``extra`` are further transaction items (a new citizen and its contact index).
    """
    counter_update: dict[str, Any] = {
        "Update": {
            "TableName": table().name,
            "Key": counter_key(year),
            "UpdateExpression": "SET #v = :next, entity = :entity",
            "ConditionExpression": "attribute_not_exists(#v) OR #v = :prev"
            if previous == 0
            else "#v = :prev",
            "ExpressionAttributeNames": {"#v": "value"},
            "ExpressionAttributeValues": {":next": previous + 1, ":prev": previous, ":entity": "counter"},
        }
    }
    items = [
        counter_update,
        conditional_put(to_item(ticket, **ticket_keys(ticket)), "attribute_not_exists(PK)"),
        *(conditional_put(event_item(e, i), "attribute_not_exists(PK)") for i, e in enumerate(events)),
        *extra,
    ]
    canceled = transact(items)
    if canceled is None:
        return
    # Counter or ticket condition: a concurrent create took this number; a later item's: a citizen
    # created concurrently (a retry finds it).
    if not canceled.codes or CHECK_FAILED in canceled.codes:
        raise NumberTaken from canceled.error
    raise canceled.error


def replace_code_hash(number: str, old: str, new: str) -> None:
    """Rewrite a request's access-code hash in the current scheme, once: only if it is still ``old``
    (two follows at once rewrite it once; a lost race changes nothing)."""
    written(
        table().update_item,
        Key={"PK": ticket_pk(number), "SK": "TICKET"},
        UpdateExpression="SET access_code_hash = :new",
        ConditionExpression="access_code_hash = :old",
        ExpressionAttributeValues={":new": new, ":old": old},
    )


# ---- reads ------------------------------------------------------------------------------------


def get_ticket(number: str) -> Ticket | None:
    item = table().get_item(Key={"PK": ticket_pk(number), "SK": "TICKET"}, ConsistentRead=True).get("Item")
    return Ticket.model_validate(from_item(item)) if item else None


def get_with_history(number: str) -> tuple[Ticket | None, list[HistoryEvent]]:
    """The ticket and its history in one Query over its partition (events sort by time)."""
    response = table().query(
        KeyConditionExpression=Key("PK").eq(ticket_pk(number)),
        ConsistentRead=True,
        Limit=HISTORY_PAGE + 1,
    )
    ticket: Ticket | None = None
    history: list[HistoryEvent] = []
    for item in response.get("Items", []):
        if item["SK"] == "TICKET":
            ticket = Ticket.model_validate(from_item(item))
        elif str(item["SK"]).startswith("EV#"):
            history.append(HistoryEvent.model_validate(from_item(item)))
    return ticket, history


def get_many(numbers: Sequence[str]) -> dict[str, Ticket]:
    """Tickets by number with one BatchGetItem (at most 100 numbers), unprocessed keys retried."""
    wanted = list(dict.fromkeys(numbers))[:100]  # BatchGetItem refuses a key asked twice
    if not wanted:
        return {}
    items, _ = batch_read([{"PK": ticket_pk(n), "SK": "TICKET"} for n in wanted])
    tickets = [Ticket.model_validate(from_item(item)) for item in items]
    return {t.number: t for t in tickets}


def filed_between(month: datetime, start: datetime, end: datetime, limit: int) -> list[Ticket]:
    """Tickets filed in ``month`` within [start, end], newest first, at most ``limit`` (GSI6)."""
    if limit <= 0:
        return []
    out: list[Ticket] = []
    kwargs: dict[str, Any] = {
        "IndexName": "GSI6",
        "KeyConditionExpression": Key("GSI6PK").eq(filed_pk(month))
        & Key("GSI2SK").between(iso(start), iso(end) + "~"),
        "ScanIndexForward": False,
    }
    while len(out) < limit:
        response = table().query(Limit=min(limit - len(out), 500), **kwargs)
        out += [Ticket.model_validate(from_item(i)) for i in response.get("Items", [])]
        if "LastEvaluatedKey" not in response:
            break
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return out


QUEUE_INDEX = {
    "due": ("GSI4", "GSI4SK"),
    "priority": ("GSI1", "GSI1SK"),
    "newest": ("GSI7", "GSI2SK"),
    "oldest": ("GSI7", "GSI2SK"),
}
"""The queue's orders: soonest due first (GSI4), priority band then due (GSI1), by filing instant
(GSI7: newest first reads it descending, oldest first ascending)."""

DESCENDING = frozenset({"newest"})


def _queue_filters(
    order: str,
    condition: ConditionBase,
    priority: str | None,
    due_before: str | None,
    assignee: str | None,
    unassigned: bool,
) -> tuple[ConditionBase, ConditionBase | None]:
    """The key condition and the filter of a queue partition's Query."""
    sort_attr = QUEUE_INDEX[order][1]
    filters: list[ConditionBase] = []
    if order == "priority" and priority:
        condition = condition & Key(sort_attr).begins_with(f"{RANK[priority]}#")  # type: ignore[index]
    elif priority:
        filters.append(Attr("priority").eq(priority))
    if order == "due" and due_before:
        condition = condition & Key(sort_attr).lt(due_before)
    elif due_before:
        filters.append(Attr("next_due").lt(due_before))
    if assignee:
        filters.append(Attr("assignee").eq(assignee))
    elif unassigned:
        filters.append(Attr("assignee").not_exists() | Attr("assignee").eq(None))
    expression: ConditionBase | None = None
    for extra in filters:
        expression = extra if expression is None else expression & extra
    return condition, expression


def queue_partition(
    team: str,
    status: Status,
    order: str,
    limit: int,
    start: str | None = None,
    priority: str | None = None,
    due_before: str | None = None,
    assignee: str | None = None,
    unassigned: bool = False,
) -> tuple[list[tuple[str, Ticket]], str | None]:
    """One page of a team's queue in one status, in ``order``: the tickets with their sort keys, and
    the sort key of the last item evaluated when there are more. ``start`` is a sort key a previous
    page ended on; ``priority``, ``due_before`` (an ISO instant: overdue ones), ``assignee`` (a sub)
    and ``unassigned`` narrow the page, as a key condition where the order allows it, as a filter
    otherwise."""
    index, sort_attr = QUEUE_INDEX[order]
    pk = f"QUEUE#{team}#{status.value}"
    condition, expression = _queue_filters(
        order, Key("GSI1PK").eq(pk), priority, due_before, assignee, unassigned
    )
    params: dict[str, Any] = {"IndexName": index, "KeyConditionExpression": condition, "Limit": limit}
    if order in DESCENDING:
        params["ScanIndexForward"] = False
    if expression is not None:
        params["FilterExpression"] = expression
    if start:
        number = start.rsplit("#", 1)[-1]
        params["ExclusiveStartKey"] = {
            "PK": ticket_pk(number),
            "SK": "TICKET",
            "GSI1PK": pk,
            sort_attr: start,
        }
    response = table().query(**params)
    items = [(str(i[sort_attr]), Ticket.model_validate(from_item(i))) for i in response.get("Items", [])]
    last = response.get("LastEvaluatedKey")
    return items, (str(last[sort_attr]) if last else None)


def queue_count(
    team: str,
    status: Status,
    budget: int,
    priority: str | None = None,
    due_before: str | None = None,
    assignee: str | None = None,
    unassigned: bool = False,
    filed_after: str | None = None,
) -> tuple[int, int, bool]:
    """How many requests of a team's queue in one status match the filters: ``Select=COUNT``
    Queries on GSI4 (or GSI7 for ``filed_after``, an ISO instant), paged, reading at most ``budget``
    items. Returns (matching, items read, complete: False when the budget ran out first)."""
    pk = f"QUEUE#{team}#{status.value}"
    condition: ConditionBase = Key("GSI1PK").eq(pk)
    order = "due"
    if filed_after:
        order = "oldest"
        condition = condition & Key("GSI2SK").gt(filed_after + "~")
    condition, expression = _queue_filters(order, condition, priority, due_before, assignee, unassigned)
    params: dict[str, Any] = {
        "IndexName": QUEUE_INDEX[order][0],
        "KeyConditionExpression": condition,
        "Select": "COUNT",
    }
    if expression is not None:
        params["FilterExpression"] = expression
    matching = read = 0
    while read < budget:
        response = table().query(Limit=budget - read, **params)
        matching += int(response.get("Count", 0))
        read += int(response.get("ScannedCount", 0))
        if "LastEvaluatedKey" not in response:
            return matching, read, True
        params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return matching, read, False


def by_assignee(sub: str, limit: int) -> list[Ticket]:
    response = table().query(
        IndexName="GSI3", KeyConditionExpression=Key("GSI3PK").eq(f"ASSIGNEE#{sub}"), Limit=limit
    )
    return [Ticket.model_validate(from_item(i)) for i in response.get("Items", [])]


def open_count(sub: str, limit: int) -> int:
    """How many open requests an agent holds (counted up to ``limit``): GSI3 sorts by status, so the
    open statuses are three key ranges: assigned; in_progress..reopened; waiting_citizen."""
    total = 0
    ranges = (
        ("assigned#", "assigned$"),
        ("in_progress#", "reopened$"),
        ("waiting_citizen#", "waiting_citizen$"),
    )
    for low, high in ranges:
        response = table().query(
            IndexName="GSI3",
            KeyConditionExpression=Key("GSI3PK").eq(f"ASSIGNEE#{sub}") & Key("GSI3SK").between(low, high),
            Select="COUNT",
            Limit=limit,
        )
        total += int(response.get("Count", 0))
        if total >= limit:
            break
    return total


def citizen_page(citizen_id: str, cursor: str | None, limit: int) -> tuple[list[Ticket], str | None]:
    """One page of a citizen's requests, newest first (GSI2 ``CITIZEN#<id>``); a cursor from
    another citizen's listing is refused."""
    params: dict[str, Any] = {
        "IndexName": "GSI2",
        "KeyConditionExpression": Key("GSI2PK").eq(f"CITIZEN#{citizen_id}"),
        "ScanIndexForward": False,
        "Limit": limit,
    }
    start = cursor_in(cursor)
    if start is not None:
        if start.get("GSI2PK") != f"CITIZEN#{citizen_id}":
            raise BadRequest("invalid_cursor")
        params["ExclusiveStartKey"] = start
    response = table().query(**params)
    items = [Ticket.model_validate(from_item(i)) for i in response.get("Items", [])]
    return items, cursor_out(response.get("LastEvaluatedKey"))


def all_by_citizen(citizen_id: str) -> list[Ticket]:
    """Every request of a citizen, page after page (export and erasure only: rate-limited)."""
    out: list[Ticket] = []
    start: dict[str, Any] | None = None
    while True:
        params: dict[str, Any] = {
            "IndexName": "GSI2",
            "KeyConditionExpression": Key("GSI2PK").eq(f"CITIZEN#{citizen_id}"),
            "Limit": 100,
        }
        if start:
            params["ExclusiveStartKey"] = start
        response = table().query(**params)
        out += [Ticket.model_validate(from_item(i)) for i in response.get("Items", [])]
        start = response.get("LastEvaluatedKey")
        if not start:
            return out


def by_citizen(citizen_id: str, limit: int) -> list[Ticket]:
    response = table().query(
        IndexName="GSI2",
        KeyConditionExpression=Key("GSI2PK").eq(f"CITIZEN#{citizen_id}"),
        ScanIndexForward=False,
        Limit=limit,
    )
    return [Ticket.model_validate(from_item(i)) for i in response.get("Items", [])]


# ---- changes ----------------------------------------------------------------------------------


def save_change(expected_version: int, ticket: Ticket, events: Sequence[HistoryEvent]) -> None:
    """Replace the ticket if it is still at ``expected_version`` and append the events, atomically.

    The caller has set ``ticket.version = expected_version + 1``. A stale write raises Conflict (409)
    and writes nothing.
    """
    items = [
        conditional_put(to_item(ticket, **ticket_keys(ticket)), "version = :v", {":v": expected_version}),
        *(conditional_put(event_item(e, i), "attribute_not_exists(PK)") for i, e in enumerate(events)),
    ]
    if ticket.status == Status.CLOSED and ticket.closed_at is not None and ticket.data_erased_at is None:
        # The retention job's marker: the day this request's personal data is due to go.
        from ventanilla.settings import get_settings

        day = retention_day(ticket.closed_at, get_settings().retention_years_of(ticket.type_code))
        items.append({"Put": {"TableName": table().name, "Item": retention_marker_item(day, ticket.number)}})
    canceled = transact(items)
    if canceled is None:
        return
    if canceled.codes and not canceled.failed(0):
        raise canceled.error
    current = get_ticket(ticket.number)
    raise Conflict(
        "stale_version", {"expected": expected_version, "actual": current.version if current else None}
    ) from canceled.error


def append_events(events: Sequence[HistoryEvent]) -> None:
    """Append events that change nothing on the ticket (e.g. 'we wrote to you'); idempotent per id."""
    for e in events:
        written(table().put_item, Item=event_item(e), ConditionExpression="attribute_not_exists(PK)")


# ---- one-time links to a request's page ---------------------------------------------------------


def _link_key(token_hash: str) -> dict[str, str]:
    return {"PK": f"LINK#{token_hash}", "SK": "LINK"}


def put_link(number: str, token_hash: str, expires_at: datetime, channel: str) -> None:
    """Keep a link token's hash for request ``number`` until ``expires_at`` (TTL removes it later),
    with the channel it was sent by."""
    table().put_item(
        Item={
            **_link_key(token_hash),
            "entity": "link",
            "number": number,
            "channel": channel,
            "expires_at": iso(expires_at),
            "ttl": int(expires_at.timestamp()) + 86400,
        }
    )


def take_link(number: str, token_hash: str, now: datetime) -> str | None:
    """Use a link once: delete it if it is request ``number``'s and not expired (one conditional
    write). The channel it was sent by ("" for a link kept without one), None when refused."""
    answer = answer_of(
        table().delete_item,
        Key=_link_key(token_hash),
        ConditionExpression="#n = :n AND expires_at > :now",
        ExpressionAttributeNames={"#n": "number"},
        ExpressionAttributeValues={":n": number, ":now": iso(now)},
        ReturnValues="ALL_OLD",
    )
    return None if answer is None else str(answer.get("Attributes", {}).get("channel", ""))


# ---- erasure and retention ------------------------------------------------------------------------


def redact_history(
    number: str, history: Sequence[HistoryEvent], marker: str, personal_keys: frozenset[str]
) -> None:
    """Replace every event's body with ``marker`` and drop the data keys that may hold personal data
    (addresses, names, comments), one UpdateItem per event that has any; the events stay (the
    statistics and the request's legal record need what happened and when)."""
    del history  # the items are read again with their sort keys
    response = table().query(
        KeyConditionExpression=Key("PK").eq(ticket_pk(number)) & Key("SK").begins_with("EV#"),
        ConsistentRead=True,
        Limit=HISTORY_PAGE,
    )
    for item in response.get("Items", []):
        data = item.get("data") or {}
        drop = sorted(k for k in data if k in personal_keys)
        actor = item.get("actor") or {}
        sets, removes, values, names = [], [f"#data.#d{i}" for i in range(len(drop))], {}, {}
        names.update({f"#d{i}": k for i, k in enumerate(drop)})
        if item.get("body"):
            sets.append("body = :marker")
            values[":marker"] = marker
        if actor.get("kind") == "citizen" and actor.get("name"):
            removes.append("actor.#an")
            names["#an"] = "name"
        if not sets and not removes:
            continue
        expression = ("SET " + ", ".join(sets) if sets else "") + (
            " REMOVE " + ", ".join(removes) if removes else ""
        )
        if drop:
            names["#data"] = "data"
        params: dict[str, Any] = {
            "Key": {"PK": item["PK"], "SK": item["SK"]},
            "UpdateExpression": expression.strip(),
        }
        if names:
            params["ExpressionAttributeNames"] = names
        if values:
            params["ExpressionAttributeValues"] = values
        table().update_item(**params)


def delete_ticket_extras(number: str, history: Sequence[HistoryEvent]) -> None:
    """Delete the request's push devices and sealed receipt, and the delivery records of its notices."""
    response = table().query(
        KeyConditionExpression=Key("PK").eq(ticket_pk(number)),
        ProjectionExpression="PK, SK",
        Limit=HISTORY_PAGE + 30,
    )
    keys = [
        {"PK": i["PK"], "SK": i["SK"]}
        for i in response.get("Items", [])
        if str(i["SK"]).startswith("DEVICE#") or i["SK"] == "RECEIPT"
    ]
    for event in history:
        found = table().query(
            KeyConditionExpression=Key("PK").eq(f"NOTICE#{event.event_id}"),
            ProjectionExpression="PK, SK",
            Limit=20,
        )
        keys += [{"PK": i["PK"], "SK": i["SK"]} for i in found.get("Items", [])]
    with table().batch_writer() as batch:
        for key in keys:
            batch.delete_item(Key=key)


def retention_day(closed_at: datetime, years: int) -> str:
    """The day (ISO) a request closed at ``closed_at`` is anonymised after ``years`` years."""
    try:
        return closed_at.replace(year=closed_at.year + years).date().isoformat()
    except ValueError:  # 29 February
        return closed_at.replace(year=closed_at.year + years, day=28).date().isoformat()


def retention_marker_item(day: str, number: str) -> dict[str, Any]:
    return {"PK": f"RETENTION#{day}", "SK": number, "entity": "retention", "number": number}


def put_retention_marker(day: str, number: str) -> None:
    table().put_item(Item=retention_marker_item(day, number))


def retention_markers(day: str, limit: int = 500) -> list[dict[str, Any]]:
    response = table().query(KeyConditionExpression=Key("PK").eq(f"RETENTION#{day}"), Limit=limit)
    return [dict(i) for i in response.get("Items", [])]


def delete_retention_marker(day: str, number: str) -> None:
    table().delete_item(Key={"PK": f"RETENTION#{day}", "SK": number})
