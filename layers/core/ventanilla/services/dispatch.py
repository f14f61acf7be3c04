"""One record of the table's stream -> everything that follows from it, but statistics.

DynamoDB streams take at most two readers per shard, so one dispatcher serves every follower that
needs no heavy transaction: a new history event becomes a domain event on the bus (notices), a
ticket item's change moves its SLA timers (Scheduler schedules) and a new one updates the citizen's
"types filed" summary (campaign segments), an article item's change becomes
a ``HelpArticleChanged`` event (the search indexer's queue). Each step is idempotent (events carry
the history event's id, schedules have deterministic names, the indexer re-reads the article), so
a retried record repeats harmlessly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ventanilla import domain_events
from ventanilla.help import indexing
from ventanilla.integrations import eventbus
from ventanilla.services import timer_schedules
from ventanilla.storage import tickets


@dataclass(frozen=True)
class Dispatched:
    """What one record caused; ``correlation_id`` is the ticket number or the article's slug."""

    correlation_id: str | None = None
    ticket_events: int = 0
    article_events: int = 0
    timers_scheduled: int = 0
    timers_deleted: int = 0


def _note_filed(ticket: dict[str, Any]) -> None:
    """A new request: the citizen's "types filed" summary (one item per type, for campaign segments
    by past requests, read by key at send time)."""
    from ventanilla.storage import citizen_facts

    citizen, type_code, created = ticket.get("citizen_id"), ticket.get("type_code"), ticket.get("created_at")
    if citizen and type_code and created:
        citizen_facts.note_filed(str(citizen), str(type_code), str(created))


def dispatch(
    event_name: str,
    keys: Mapping[str, Any] | None,
    old_image: dict[str, Any] | None,
    new_image: dict[str, Any] | None,
) -> Dispatched:
    """Apply one stream record (images already deserialised); raises if any step failed."""
    number = tickets.number_of(keys)
    if number is not None:
        if new_image and (old_image or {}).get("citizen_id") != new_image.get("citizen_id"):
            _note_filed(new_image)  # filed, or moved to the account of the citizen who signed in
        scheduled, deleted = timer_schedules.sync(number, old_image, new_image)
        return Dispatched(number, timers_scheduled=scheduled, timers_deleted=deleted)
    events = domain_events.from_stream_record(event_name, new_image)
    if events:
        from ventanilla.services import webhooks

        eventbus.publish(webhooks.route(events))
        return Dispatched(str(events[0].detail["number"]), ticket_events=len(events))
    article = indexing.article_event(event_name, keys, new_image)
    if article is not None:
        eventbus.publish([article])
        return Dispatched(str(article.detail["slug"]), article_events=1)
    from ventanilla.services import forum_mail, forum_search

    topic = forum_search.topic_event(event_name, keys, new_image, old_image)
    if topic is not None:
        eventbus.publish([topic])
        return Dispatched(str(topic.detail["topic"]), article_events=1)
    notice = forum_mail.notice_event(event_name, keys, new_image)
    if notice is not None:
        eventbus.publish([notice])
        return Dispatched(None, ticket_events=1)
    return Dispatched()
