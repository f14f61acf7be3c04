"""Fan-out of what the institution says first (alerts, campaigns) to subscribers, through the
proactive queue, one bounded step per message, so no function runs past its timeout whatever the
audience:

- ``page``: Query one page of one ``AUD#<sector>#<topic>`` partition, enqueue a ``deliver`` message
  with those recipients and the next ``page`` message (delayed to keep PROACTIVE_SEND_RATE);
- ``deliver``: one BatchGetItem of the batch's suppressed emails, then for each group of 25
  recipients one TransactWriteItems claims the conditional markers
  ``SVCSENT#<source>:<id>#<run>/<who>#<channel>`` of their channels (``who`` is the address for
  email and SMS, the subscription otherwise), and each claimed channel is sent, in order; a
  transient failure takes the marker back and the message returns. The audience figure counts a
  recipient when their first channel is claimed. So a retried message, a subscriber found in two
  partitions, or one address subscribed twice, never gets the same message twice;
- ``campaign``: a campaign's schedule fired (EventBridge Scheduler sends this to the queue).

A source (an alert update, a campaign run) says which partitions, which channels and languages,
and renders the message. ``services/proactive_steps.py`` reads a message, loads its source and
calls the step here: the fan-out knows sources only by this protocol, so alerts and campaigns can
start a fan-out without the fan-out depending on them.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import replace
from typing import Any, Protocol

from ventanilla.settings import get_settings
from ventanilla.storage import service_alerts as marks
from ventanilla.storage import subscriptions as sub_store

PLACEHOLDER = "__SUBSCRIPTION_LINK__"


class Source(Protocol):
    channels: tuple[str, ...] | None
    languages: tuple[str, ...] | None
    segment: dict[str, Any] | None
    """A campaign's CampaignSegment (as a dict): only the recipients in it are sent to."""

    def pairs(self) -> list[list[str]]: ...

    def figures_pk(self) -> str: ...

    def render(self, n: int, lang: str, manage_url: str) -> tuple[str, str, str, str]: ...


def start(kind: str, source_id: str, n: int) -> None:
    enqueue({"kind": "page", "source": kind, "id": source_id, "n": n, "part": 0, "cursor": None})


def enqueue(message: dict[str, Any], delay: int = 0) -> None:
    from ventanilla.integrations import proactive_queue

    proactive_queue.send(json.dumps(message), delay)


def page(message: dict[str, Any], source: Source) -> dict[str, int]:
    """Step ``page``: one audience page of ``source`` becomes a ``deliver`` message."""
    pairs = source.pairs()
    part = int(message.get("part", 0))
    if part >= len(pairs):
        return {"done": 1}
    settings = get_settings()
    sector, topic = pairs[part]
    recipients, next_key = sub_store.audience_page(
        sector, topic, settings.proactive_batch, message.get("cursor")
    )
    for batch in _batches([_slim(r) for r in recipients]):
        enqueue({**message, "kind": "deliver", "recipients": batch})
    delay = min(900, math.floor(len(recipients) / settings.proactive_send_rate))
    if next_key:
        enqueue({**message, "cursor": {k: str(v) for k, v in next_key.items()}}, delay)
    elif part + 1 < len(pairs):
        enqueue({**message, "part": part + 1, "cursor": None}, delay)
    return {"recipients": len(recipients)}


MESSAGE_BUDGET = 200_000
"""Bytes of recipients per ``deliver`` message (SQS takes 256 KiB): Web Push endpoints are up to
1 KB each, so a page of 100 subscribers with 3 browsers each may need two messages."""


def _batches(recipients: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    batches: list[list[dict[str, Any]]] = []
    size = MESSAGE_BUDGET
    for recipient in recipients:
        length = len(json.dumps(recipient))
        if size + length > MESSAGE_BUDGET:
            batches.append([])
            size = 0
        batches[-1].append(recipient)
        size += length
    return batches


def _slim(item: dict[str, Any]) -> dict[str, Any]:
    fields = ("sub_id", "lang", "email", "phone", "push_endpoint", "citizen_id")
    slim: dict[str, Any] = {k: str(item[k]) for k in fields if item.get(k)}
    if item.get("webpush"):
        slim["webpush"] = [{k: str(v) for k, v in w.items()} for w in item["webpush"]]
    return slim


def in_segment(recipients: list[dict[str, Any]], segment: dict[str, Any]) -> list[dict[str, Any]]:
    """The recipients in ``segment``: one BatchGetItem of the batch's accounts and "types filed"
    items (keys, never a Scan), then the plain rule."""
    from ventanilla import clock
    from ventanilla.rules import campaign_segments
    from ventanilla.storage import citizen_facts

    ids = [str(r["citizen_id"]) for r in recipients if r.get("citizen_id")]
    known = citizen_facts.facts(ids, list(segment.get("filed_types") or [])) if ids else {}
    now = clock.now()
    return [
        r
        for r in recipients
        if r.get("citizen_id")
        and campaign_segments.matches(
            segment, known[str(r["citizen_id"])]["segment"], known[str(r["citizen_id"])]["filed"], now
        )
    ]


def without_campaign_refusers(recipients: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The recipients whose account has not withdrawn its "campaigns" consent (one BatchGetItem
    per 100 accounts; a subscription without an account consents by itself, and leaves by its link).
    Alerts are not campaigns: they go to whoever subscribed to the sector and topic."""
    from ventanilla.storage import citizen_facts

    ids = [str(r["citizen_id"]) for r in recipients if r.get("citizen_id")]
    known = citizen_facts.facts(ids, []) if ids else {}
    return [
        r for r in recipients if not (r.get("citizen_id") and known[str(r["citizen_id"])]["no_campaigns"])
    ]


def _has(channel: str, recipient: dict[str, Any]) -> bool:
    if channel == "webpush":  # the subscription's browsers, or the account's own (looked up when sent)
        return bool(recipient.get("webpush") or recipient.get("citizen_id"))
    field = {"email": "email", "sms": "phone", "push": "push_endpoint"}.get(channel, channel)
    return bool(recipient.get(field))


def deliver(message: dict[str, Any], source: Source) -> dict[str, int]:
    """Step ``deliver``: send ``source``'s message to a batch of recipients, each channel once."""
    from ventanilla.proactive import channels
    from ventanilla.services import proactive_figures, subscription_push
    from ventanilla.storage import notices as notice_store

    kind, source_id, n = str(message.get("source")), str(message.get("id")), int(message["n"])
    ref = f"{kind}:{source_id}#{n}"
    tag = proactive_figures.tag_of(kind, source_id)
    counts: dict[str, int] = {}
    transient = 0
    rendered: dict[str, channels.Outgoing] = {}
    subscription_push.register()
    url = f"{get_settings().public_base_url}/#/"

    def add(name: str) -> None:
        counts[name] = counts.get(name, 0) + 1

    recipients = [
        r
        for r in message.get("recipients") or []
        if not source.languages or r.get("lang", "es") in source.languages
    ]
    if source.segment:
        before = len(recipients)
        recipients = in_segment(recipients, source.segment)
        if before > len(recipients):
            counts["outside_segment"] = before - len(recipients)
    if kind == "campaign":
        before = len(recipients)
        recipients = without_campaign_refusers(recipients)
        if before > len(recipients):
            counts["campaigns_refused"] = before - len(recipients)
    suppressed = notice_store.suppressed_among([r["email"] for r in recipients if r.get("email")])
    # Each recipient's channels, in order, that could carry the message (suppressed emails skipped).
    plans: list[tuple[dict[str, Any], list[tuple[str, channels.Sender]]]] = []
    for recipient in recipients:
        plan: list[tuple[str, channels.Sender]] = []
        for name, sender in channels.order():
            if source.channels is not None and name not in source.channels:
                continue
            if not _has(name, recipient):
                continue
            if name == "email" and recipient["email"] in suppressed:
                add("skipped")
                continue
            plan.append((name, sender))
        plans.append((recipient, plan))
    for start in range(0, len(plans), CLAIM_GROUP):
        group = plans[start : start + CLAIM_GROUP]
        claimed = marks.claim_many(ref, [(claim_key(r, name), name) for r, plan in group for name, _ in plan])
        for recipient, plan in group:
            transient += _send_one(recipient, plan, claimed, source, n, ref, rendered, url, tag, add, counts)
    marks.add_figures_pk(source.figures_pk(), counts)
    if transient:
        raise RuntimeError(f"{transient} sends failed transiently; the message comes back")
    return counts


def claim_key(recipient: dict[str, Any], channel: str) -> str:
    """Whose marker a send claims: the address for email and SMS (one address subscribed twice
    gets one message), the subscription for the browsers."""
    value = {"email": recipient.get("email"), "sms": recipient.get("phone")}.get(channel)
    if not value:
        return str(recipient["sub_id"])
    return f"{channel[0]}:{hashlib.sha256(str(value).strip().lower().encode()).hexdigest()[:24]}"


CLAIM_GROUP = 25
"""Recipients whose markers are claimed in one call before their messages go: 4 calls a batch of
100 instead of one a recipient, and a function that dies mid-batch leaves at most this many
claimed and unsent (a marker is never sent twice; one lost is the price of that)."""


def _send_one(
    recipient: dict[str, Any],
    plan: list[tuple[str, Any]],
    claimed: set[tuple[str, str]],
    source: Source,
    n: int,
    ref: str,
    rendered: dict[str, Any],
    url: str,
    tag: str,
    add: Any,
    counts: dict[str, int],
) -> int:
    """Send to one recipient on each channel of ``plan`` this call claimed; the transient failures."""
    from ventanilla.integrations import messaging
    from ventanilla.proactive import channels
    from ventanilla.services import subscriptions

    sub_id = recipient["sub_id"]
    lang = recipient.get("lang", "es")
    transient = 0
    claimed_any = False
    if lang not in rendered:
        subject, text, html, short = source.render(n, lang, PLACEHOLDER)
        rendered[lang] = channels.Outgoing(subject, text, html, short[:300], url, PLACEHOLDER)
    manage = subscriptions.manage_url(sub_id)
    outgoing = replace(
        rendered[lang],
        text=rendered[lang].text.replace(PLACEHOLDER, manage),
        html=rendered[lang].html.replace(PLACEHOLDER, manage.replace("&", "&amp;")),
        unsubscribe_url=subscriptions.unsubscribe_url(sub_id, source=tag),
        source_tag=tag,
    )
    for name, sender in plan:
        key = claim_key(recipient, name)
        if (key, name) not in claimed:
            continue
        claimed.discard((key, name))  # another subscription of this address in the batch: not again
        first = not claimed_any
        if first:
            claimed_any = True
            add("audience")
        try:
            if not sender(recipient, outgoing):
                # Nothing to send to after all (an account without browsers): not a send.
                marks.unclaim(ref, key, name)
                if first:
                    claimed_any = False
                    counts["audience"] -= 1
                continue
        except messaging.Permanent:
            add("failed")
            continue
        except messaging.Transient:
            marks.unclaim(ref, key, name)
            transient += 1
            continue
        add("sent")
        add(f"sent#{name}")
    return transient
