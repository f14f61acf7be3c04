"""Topics, subscriptions, their consent ledger and the audience index (keys in storage/table.py).

    SUBTOPICS              TOPIC#<code>          admin-defined topic (names es/en, active)
    SUB#<id>               SUB                   contacts, topics, sectors, each channel's state
    SUB#<id>               CONSENT#<at>#<r>      append-only ledger: subscribed, confirmed, unsubscribed
    SUBTOKEN#<sha256>      TOKEN                 one-time email confirmation token (TTL 7 days)
    CITIZEN#<id>           SUBREF#<sub id>       a subscription a signed-in citizen made (erasing the
                                                 account finds it here: one Query, never a Scan)
    AUD#<sector>#<topic>   SUB#<id>              a confirmed subscriber of (sector, topic) with what
                                                 sending needs (language, confirmed email / phone,
                                                 Web Push subscriptions (``webpush``, at most 3),
                                                 the citizen account (``citizen_id``: segments, and
                                                 its own browsers also get it)

The audience of (sector, topic) is one Query of ``AUD#<sector>#<topic>`` (``*`` is the sector of
those who follow every sector). A subscription has at most 5 sectors x 10 topics = 50 index items,
written or deleted in the one transaction that changes the subscription, with the ADDs to its
sector and topic counters (storage/subscription_counts.py).
"""

from __future__ import annotations

import secrets
from typing import Any

from boto3.dynamodb.conditions import Key

from ventanilla.models.common import iso, utcnow
from ventanilla.models.proactive import SubscriptionRecord, SubscriptionTopic
from ventanilla.storage import subscription_counts as counters
from ventanilla.storage.table import answer_of, client, from_item, table, to_item, transact, written

TOPICS_PK = "SUBTOPICS"
MAX_TOPICS = 200
TOKEN_TTL_SECONDS = 7 * 86400


class StaleSubscription(Exception):
    """The subscription changed since it was read."""


def audience_pk(sector: str, topic: str) -> str:
    return f"AUD#{sector}#{topic}"


# ---- topics ----------------------------------------------------------------------------------------


def topics() -> list[SubscriptionTopic]:
    page = table().query(KeyConditionExpression=Key("PK").eq(TOPICS_PK), Limit=MAX_TOPICS)
    return [SubscriptionTopic.model_validate(from_item(i)) for i in page.get("Items", [])]


def topic(code: str) -> SubscriptionTopic | None:
    item = table().get_item(Key={"PK": TOPICS_PK, "SK": f"TOPIC#{code}"}).get("Item")
    return SubscriptionTopic.model_validate(from_item(item)) if item else None


def put_topic(value: SubscriptionTopic) -> None:
    table().put_item(Item=to_item(value, PK=TOPICS_PK, SK=f"TOPIC#{value.code}", entity="sub_topic"))


def delete_topic(code: str) -> bool:
    return written(
        table().delete_item,
        Key={"PK": TOPICS_PK, "SK": f"TOPIC#{code}"},
        ConditionExpression="attribute_exists(PK)",
    )


# ---- subscriptions ---------------------------------------------------------------------------------


def get(sub_id: str) -> SubscriptionRecord | None:
    item = table().get_item(Key={"PK": f"SUB#{sub_id}", "SK": "SUB"}).get("Item")
    return SubscriptionRecord.model_validate(from_item(item)) if item else None


def _ledger_put(sub_id: str, action: str, detail: dict[str, Any]) -> dict[str, Any]:
    at = iso(utcnow())
    return {
        "Put": {
            "TableName": table().name,
            "Item": {
                "PK": f"SUB#{sub_id}",
                "SK": f"CONSENT#{at}#{secrets.token_hex(4)}",
                "entity": "sub_consent",
                "action": action,
                "at": at,
                **detail,
            },
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def ledger(sub_id: str, limit: int = 200) -> list[dict[str, Any]]:
    page = table().query(
        KeyConditionExpression=Key("PK").eq(f"SUB#{sub_id}") & Key("SK").begins_with("CONSENT#"),
        Limit=limit,
    )
    return [from_item(i) for i in page.get("Items", [])]


def create(record: SubscriptionRecord, token_digest: str | None, detail: dict[str, Any]) -> None:
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": table().name,
                "Item": to_item(record, PK=f"SUB#{record.id}", SK="SUB", entity="subscription"),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        },
        _ledger_put(record.id, "subscribed", detail),
    ]
    if record.citizen_id:
        items.append(
            {
                "Put": {
                    "TableName": table().name,
                    "Item": {
                        "PK": f"CITIZEN#{record.citizen_id}",
                        "SK": f"SUBREF#{record.id}",
                        "entity": "citizen_sub_ref",
                        "sub_id": record.id,
                    },
                }
            }
        )
    if token_digest:
        items.append(
            {
                "Put": {
                    "TableName": table().name,
                    "Item": {
                        "PK": f"SUBTOKEN#{token_digest}",
                        "SK": "TOKEN",
                        "entity": "sub_token",
                        "sub_id": record.id,
                        "ttl": int(utcnow().timestamp()) + TOKEN_TTL_SECONDS,
                    },
                }
            }
        )
    client().transact_write_items(TransactItems=items)


def take_token(token_digest: str) -> str | None:
    """Use a confirmation token once: its subscription id, None when unknown, used or expired."""
    answer = answer_of(
        table().delete_item,
        Key={"PK": f"SUBTOKEN#{token_digest}", "SK": "TOKEN"},
        ConditionExpression="attribute_exists(PK) AND #t > :now",
        ExpressionAttributeNames={"#t": "ttl"},
        ExpressionAttributeValues={":now": int(utcnow().timestamp())},
        ReturnValues="ALL_OLD",
    )
    return str((answer or {}).get("Attributes", {}).get("sub_id") or "") or None


def audience_item(record: SubscriptionRecord, sector: str, topic_code: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "PK": audience_pk(sector, topic_code),
        "SK": f"SUB#{record.id}",
        "entity": "sub_audience",
        "sub_id": record.id,
        "lang": record.language,
    }
    if record.email and record.email_state == "confirmed":
        item["email"] = record.email
    if record.phone and record.sms_state == "confirmed":
        item["phone"] = record.phone
    if record.webpush:
        item["webpush"] = [dict(w) for w in record.webpush]
    if record.citizen_id:
        item["citizen_id"] = record.citizen_id
    return item


def _pairs(record: SubscriptionRecord) -> list[tuple[str, str]]:
    return [(s, t) for s in (record.sectors or ["*"]) for t in record.topics]


TRANSACT_LIMIT = 100
"""Actions one TransactWriteItems takes."""


def save(
    old: SubscriptionRecord, new: SubscriptionRecord, action: str | None, detail: dict[str, Any]
) -> None:
    """Replace the subscription (conditioned on its version) and its audience items in one
    transaction: the index never says more than the subscription does. A change too big for one
    transaction (every one of 5 sectors x 10 topics swapped: 100 deletes and puts, plus counters)
    goes in two, each conditioned on the version: first the subscription follows nothing (its
    items and counts out), then it follows what it chose (the version ends one higher)."""
    items = _save_items(old, new, action, detail)
    if len(items) > TRANSACT_LIMIT:
        between = old.model_copy(update={"topics": [], "version": old.version + 1})
        _transact(_save_items(old, between, None, {}), new.id)
        items = _save_items(between, new.model_copy(update={"version": between.version + 1}), action, detail)
    _transact(items, new.id)


def _transact(items: list[dict[str, Any]], sub_id: str) -> None:
    canceled = transact(items)
    if canceled is not None:
        raise StaleSubscription(sub_id) from canceled.error


def _save_items(
    old: SubscriptionRecord, new: SubscriptionRecord, action: str | None, detail: dict[str, Any]
) -> list[dict[str, Any]]:
    listed_old = _pairs(old) if _reachable(old) else []
    listed_new = _pairs(new) if _reachable(new) else []
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": table().name,
                "Item": to_item(new, PK=f"SUB#{new.id}", SK="SUB", entity="subscription"),
                "ConditionExpression": "#v = :v",
                "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": {":v": old.version},
            }
        }
    ]
    for sector, topic_code in listed_old:
        if (sector, topic_code) not in listed_new:
            items.append(
                {
                    "Delete": {
                        "TableName": table().name,
                        "Key": {"PK": audience_pk(sector, topic_code), "SK": f"SUB#{new.id}"},
                    }
                }
            )
    for sector, topic_code in listed_new:
        item = audience_item(new, sector, topic_code)
        if (sector, topic_code) in listed_old and audience_item(old, sector, topic_code) == item:
            continue  # already there as it should be: no write
        items.append({"Put": {"TableName": table().name, "Item": item}})
    items += counters.updates(new.id, counters.deltas(_counted(old), _counted(new)))
    if action:
        items.append(_ledger_put(new.id, action, detail))
    return items


def _counted(record: SubscriptionRecord) -> set[str]:
    """Its counters: none unless reachable and following a topic (mid-way through a big change)."""
    if not (_reachable(record) and record.topics):
        return set()
    return counters.keys_of(record.sectors, record.topics)


def _reachable(record: SubscriptionRecord) -> bool:
    """Confirmed by email or SMS, or a browser asked for push (its permission prompt is the opt-in)."""
    return record.email_state == "confirmed" or record.sms_state == "confirmed" or bool(record.webpush)


def audience_page(
    sector: str, topic_code: str, limit: int, start: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(audience_pk(sector, topic_code)),
        "Limit": limit,
    }
    if start:
        kwargs["ExclusiveStartKey"] = start
    page = table().query(**kwargs)
    return [dict(i) for i in page.get("Items", [])], page.get("LastEvaluatedKey")


def audience_count(sector: str, topic_code: str, cap: int = 1_000_000) -> int:
    """Subscribers of one (sector, topic): COUNT Queries (keys only read, nothing returned)."""
    total, start = 0, None
    while total < cap:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("PK").eq(audience_pk(sector, topic_code)),
            "Select": "COUNT",
        }
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = table().query(**kwargs)
        total += int(page.get("Count", 0))
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    return total


def account_subscription_ids(citizen_id: str, limit: int = 100) -> list[str]:
    """The subscriptions a citizen made signed in (their ``SUBREF#`` items), every page."""
    ids: list[str] = []
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(f"CITIZEN#{citizen_id}") & Key("SK").begins_with("SUBREF#"),
        "ProjectionExpression": "sub_id",
        "Limit": limit,
    }
    while True:
        page = table().query(**kwargs)
        ids += [str(i["sub_id"]) for i in page.get("Items", [])]
        if not page.get("LastEvaluatedKey"):
            return ids
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def delete_subscription(sub_id: str) -> None:
    """Erase a subscription: the record, its audience items (at most 50, from its own sectors and
    topics) and the ADDs that take it out of its counters in one transaction conditioned on the
    record's version (a repeated erasure finds nothing to take out), then the rest of its
    partition (the consent ledger), page by page."""
    for _ in range(5):
        record = get(sub_id)
        if record is None:
            break
        items: list[dict[str, Any]] = [
            {
                "Delete": {
                    "TableName": table().name,
                    "Key": {"PK": f"SUB#{sub_id}", "SK": "SUB"},
                    "ConditionExpression": "#v = :v",
                    "ExpressionAttributeNames": {"#v": "version"},
                    "ExpressionAttributeValues": {":v": record.version},
                }
            }
        ]
        items += [
            {"Delete": {"TableName": table().name, "Key": {"PK": audience_pk(s, t), "SK": f"SUB#{sub_id}"}}}
            for s, t in _pairs(record)
        ]
        items += counters.updates(sub_id, counters.deltas(_counted(record), set()))
        if transact(items) is None:
            break
    else:
        raise StaleSubscription(sub_id)
    with table().batch_writer() as batch:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("PK").eq(f"SUB#{sub_id}"),
            "ProjectionExpression": "PK, SK",
            "Limit": 200,
        }
        while True:
            page = table().query(**kwargs)
            for item in page.get("Items", []):
                batch.delete_item(Key={"PK": item["PK"], "SK": item["SK"]})
            if not page.get("LastEvaluatedKey"):
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


# ---- offline upkeep (ops commands only: they Scan, never on a request path) -------------------------


def scan_subscriptions(
    start: dict[str, Any] | None, limit: int = 500
) -> tuple[list[SubscriptionRecord], dict[str, Any] | None]:
    """One page of a Scan for subscription records (``infra/ops``: the recount, the backfill)."""
    from boto3.dynamodb.conditions import Attr

    kwargs: dict[str, Any] = {
        "FilterExpression": Attr("entity").eq("subscription") & Attr("SK").eq("SUB"),
        "Limit": limit,
    }
    if start:
        kwargs["ExclusiveStartKey"] = start
    page = table().scan(**kwargs)
    records = [SubscriptionRecord.model_validate(from_item(i)) for i in page.get("Items", [])]
    return records, page.get("LastEvaluatedKey")


def put_account_ref(citizen_id: str, sub_id: str) -> bool:
    """The ``SUBREF#`` item of a subscription made signed in; False when it was already there."""
    return written(
        table().put_item,
        Item={
            "PK": f"CITIZEN#{citizen_id}",
            "SK": f"SUBREF#{sub_id}",
            "entity": "citizen_sub_ref",
            "sub_id": sub_id,
        },
        ConditionExpression="attribute_not_exists(PK)",
    )


def counted_keys(record: SubscriptionRecord) -> set[str]:
    """The counters ``record`` is in (the recount sums these)."""
    return _counted(record)
