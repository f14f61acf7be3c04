"""The community forum's items (keys also listed in :mod:`ventanilla.storage.table`).

    category       FORUM               CAT#<code>          admin-defined, few: one Query lists them
    rules          FORUM               RULES               word list, allowed link domains, holds, rate
    topic          FTOPIC#<tid>        TOPIC               first post + topic state; counters of its own
                                          GSI1 FCAT#<category> / <pin 0|1>#<last activity>#<tid>
                                               (sparse: published, not merged)
                                          GSI3 FMODQ#reported / <reports 6 digits>#<at>#<tid>#<post>
                                               or FMODQ#held / <at>#<tid>#<post> (sparse)
    reply          FTOPIC#<tid>        R#<rid>             rid = r<yyyymmddHHMMSSfff><hex6>: sorts by time
                                                           GSI3 as the topic's (reported or held)
    revision       FTOPIC#<tid>        V#<post>#<at>       the text before an edit (who, when)
    tag pointer    FTAG#<tag>          <created>#<tid>     a published topic under a tag (deleted on hide)
    vote           FVOTE#<tid>#<post>  <account>           one per person (attribute_not_exists)
    report         FREPORT#<tid>#<post> <account>          one per person and post
    forum account  FUSER#<account>     STATE               status, suspension, warnings, published posts
    notice         FUSER#<account>     MOD#<at>#<r>        a moderation action the author sees (reason)
    follow         FFOLLOW#<tid>       <account>           followers of a topic (the notifier pages them)
                   FUSER#<account>     FOLLOW#<tid>        what an account follows
    moderation log FMODLOG#<yyyy-mm>   <at>#<r>            every moderation action, newest first
    forum day      STATS#forum         D#<yyyy-mm-dd>#<0-7>  ADD counters (8 shards: no hot item), the
                                                           institution's local day

A category page is one Query on GSI1 (Limit = page) and a topic page one GetItem plus one Query
``begins_with R#`` (Limit = page): both read the same number of items at 100 or 10,000 topics. A tag
page is one Query of pointers plus one BatchGetItem of that page's topics. No item grows with
traffic: counts are ADD counters on the item they count, votes and reports are items of their own.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

from ventanilla.models.common import iso
from ventanilla.storage.table import batch_read, client, from_item, table, written

SHARDS = 8


def new_id(prefix: str, at: datetime) -> str:
    return prefix + at.strftime("%Y%m%d%H%M%S%f")[:17] + secrets.token_hex(3)


def post_sk(post_id: str) -> str:
    return "TOPIC" if post_id == "topic" else f"R#{post_id}"


def topic_pk(tid: str) -> str:
    return f"FTOPIC#{tid}"


def listing_keys(topic: dict[str, Any]) -> dict[str, str]:
    """GSI1 keys of a topic that belongs in its category's listing (empty when it does not)."""
    if topic.get("status") != "published" or topic.get("merged_into"):
        return {}
    pin = "1" if topic.get("pinned") else "0"
    return {
        "GSI1PK": f"FCAT#{topic['category']}",
        "GSI1SK": f"{pin}#{topic['last_activity_at']}#{topic['id']}",
    }


def _plain(item: dict[str, Any] | None) -> dict[str, Any] | None:
    return from_item(item) if item else None


# ---- categories and rules -------------------------------------------------------------------


def categories() -> list[dict[str, Any]]:
    response = table().query(
        KeyConditionExpression=Key("PK").eq("FORUM") & Key("SK").begins_with("CAT#"), Limit=200
    )
    return [from_item(i) for i in response.get("Items", [])]


def get_category(code: str) -> dict[str, Any] | None:
    return _plain(table().get_item(Key={"PK": "FORUM", "SK": f"CAT#{code}"}).get("Item"))


def put_category(data: dict[str, Any]) -> None:
    table().put_item(Item={"PK": "FORUM", "SK": f"CAT#{data['code']}", "entity": "forum_category", **data})


def rules() -> dict[str, Any] | None:
    return _plain(table().get_item(Key={"PK": "FORUM", "SK": "RULES"}).get("Item"))


def put_rules(data: dict[str, Any]) -> None:
    table().put_item(Item={"PK": "FORUM", "SK": "RULES", "entity": "forum_rules", **data})


# ---- topics and posts ---------------------------------------------------------------------------


def get_post(tid: str, post_id: str, consistent: bool = False) -> dict[str, Any] | None:
    item = table().get_item(Key={"PK": topic_pk(tid), "SK": post_sk(post_id)}, ConsistentRead=consistent)
    return _plain(item.get("Item"))


def put_topic(topic: dict[str, Any]) -> None:
    """A new topic with its tag pointers (one transaction; the id is new)."""
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": table().name,
                "Item": {
                    "PK": topic_pk(topic["id"]),
                    "SK": "TOPIC",
                    "entity": "forum_topic",
                    **topic,
                    **listing_keys(topic),
                    **queue_keys(topic),
                },
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
    ]
    if topic["status"] == "published":
        items += [{"Put": {"TableName": table().name, "Item": tag_item(t, topic)}} for t in topic["tags"]]
    client().transact_write_items(TransactItems=items)


def tag_item(tag: str, topic: dict[str, Any]) -> dict[str, Any]:
    return {"PK": f"FTAG#{tag}", "SK": f"{topic['created_at']}#{topic['id']}", "entity": "forum_tag"}


def queue_keys(post: dict[str, Any]) -> dict[str, str]:
    """GSI3 keys of a post awaiting a moderator: held for review, or reported and not yet handled."""
    post_id = post.get("post_id", "topic")
    tid = post.get("topic_id", post["id"])
    if post.get("status") == "held":
        return {"GSI3PK": "FMODQ#held", "GSI3SK": f"{post['created_at']}#{tid}#{post_id}"}
    if post.get("open_reports", 0) > 0:
        return {
            "GSI3PK": "FMODQ#reported",
            "GSI3SK": f"{post['open_reports']:06d}#{post.get('reported_at', '')}#{tid}#{post_id}",
        }
    return {}


def put_reply(reply: dict[str, Any], topic_update: dict[str, Any] | None) -> bool:
    """A new reply and, when published, the topic's counters and activity (one transaction); False
    when refused because the topic was locked or hidden meanwhile."""
    tid = reply["topic_id"]
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": table().name,
                "Item": {
                    "PK": topic_pk(tid),
                    "SK": post_sk(reply["post_id"]),
                    "entity": "forum_reply",
                    **reply,
                    **queue_keys(reply),
                },
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
    ]
    update = {
        "TableName": table().name,
        "Key": {"PK": topic_pk(tid), "SK": "TOPIC"},
        "ConditionExpression": "attribute_exists(PK) AND locked = :f",
        "ExpressionAttributeValues": {":f": False},
    }
    if topic_update:
        sets = ", ".join(f"{k} = :{k}" for k in topic_update)
        update["UpdateExpression"] = f"SET {sets} ADD replies :one"
        update["ExpressionAttributeValues"].update({f":{k}": v for k, v in topic_update.items()})
        update["ExpressionAttributeValues"][":one"] = 1
        items.append({"Update": update})
    else:
        items.append({"ConditionCheck": update})
    return written(client().transact_write_items, TransactItems=items)


def save_post(post: dict[str, Any], expected_version: int, extra: list[dict[str, Any]] | None = None) -> bool:
    """Replace a post (topic or reply) if still at ``expected_version``, with its derived index keys;
    ``extra`` transaction items go in the same transaction. False when someone changed it first."""
    tid = post.get("topic_id", post["id"])
    post_id = post.get("post_id", "topic")
    item = {
        "PK": topic_pk(tid),
        "SK": post_sk(post_id),
        "entity": "forum_topic" if post_id == "topic" else "forum_reply",
        **post,
        **queue_keys(post),
    }
    if post_id == "topic":
        item.update(listing_keys(post))
    items = [
        {
            "Put": {
                "TableName": table().name,
                "Item": item,
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": {":v": expected_version},
            }
        },
        *(extra or []),
    ]
    return written(client().transact_write_items, TransactItems=items)


def put_revision(tid: str, post_id: str, revision: dict[str, Any]) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table().name,
            "Item": {
                "PK": topic_pk(tid),
                "SK": f"V#{post_id}#{revision['at']}#{secrets.token_hex(2)}",
                "entity": "forum_revision",
                **revision,
            },
        }
    }


def revisions(tid: str, post_id: str, limit: int = 50) -> list[dict[str, Any]]:
    response = table().query(
        KeyConditionExpression=Key("PK").eq(topic_pk(tid)) & Key("SK").begins_with(f"V#{post_id}#"),
        ScanIndexForward=False,
        Limit=limit,
    )
    return [from_item(i) for i in response.get("Items", [])]


def _page(
    condition: Any,
    start: dict[str, Any] | None,
    limit: int,
    *,
    index: str | None = None,
    forward: bool = True,
) -> tuple[list[dict[str, Any]], Any]:
    """One page of a Query: the raw items and the key to go on from (None on the last page)."""
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": condition,
        "ScanIndexForward": forward,
        "Limit": limit,
    }
    if index:
        kwargs["IndexName"] = index
    if start:
        kwargs["ExclusiveStartKey"] = start
    response = table().query(**kwargs)
    return response.get("Items", []), response.get("LastEvaluatedKey")


def replies(tid: str, start: dict[str, Any] | None, limit: int) -> tuple[list[dict[str, Any]], Any]:
    items, last = _page(Key("PK").eq(topic_pk(tid)) & Key("SK").begins_with("R#"), start, limit)
    return [from_item(i) for i in items], last


def category_page(
    category: str, start: dict[str, Any] | None, limit: int
) -> tuple[list[dict[str, Any]], Any]:
    items, last = _page(Key("GSI1PK").eq(f"FCAT#{category}"), start, limit, index="GSI1", forward=False)
    return [from_item(i) for i in items], last


def tag_page(tag: str, start: dict[str, Any] | None, limit: int) -> tuple[list[dict[str, Any]], Any]:
    items, last = _page(Key("PK").eq(f"FTAG#{tag}"), start, limit, forward=False)
    tids = [str(i["SK"]).rsplit("#", 1)[1] for i in items]
    topics = get_topics(tids)
    return [topics[t] for t in tids if t in topics], last


def get_topics(tids: list[str]) -> dict[str, dict[str, Any]]:
    """Topics by id with one BatchGetItem (a page's worth), unprocessed keys retried."""
    wanted = list(dict.fromkeys(tids))[:100]
    if not wanted:
        return {}
    items, _ = batch_read([{"PK": topic_pk(t), "SK": "TOPIC"} for t in wanted])
    plain = [from_item(item) for item in items]
    return {p["id"]: p for p in plain}


def get_posts(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Posts by (topic, post id) with one BatchGetItem (at most 100), unprocessed keys retried."""
    wanted = list(dict.fromkeys(pairs))[:100]
    if not wanted:
        return {}
    items, _ = batch_read([{"PK": topic_pk(t), "SK": post_sk(p)} for t, p in wanted], consistent=True)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for item in items:
        tid = str(item["PK"])[len("FTOPIC#") :]
        sk = str(item["SK"])
        out[(tid, "topic" if sk == "TOPIC" else sk[2:])] = from_item(item)
    return out


def tag_writes(topic: dict[str, Any], add: bool) -> list[dict[str, Any]]:
    """Transaction items that list (or unlist) a topic under its tags."""
    name = table().name
    if add:
        return [{"Put": {"TableName": name, "Item": tag_item(t, topic)}} for t in topic.get("tags", [])]
    return [
        {
            "Delete": {
                "TableName": name,
                "Key": {"PK": f"FTAG#{t}", "SK": f"{topic['created_at']}#{topic['id']}"},
            }
        }
        for t in topic.get("tags", [])
    ]


# ---- votes, reports, follows ------------------------------------------------------------------


def add_vote(tid: str, post_id: str, account: str, at: str) -> bool:
    """One vote per person and post, and the post's score: False when already voted."""
    return written(
        client().transact_write_items,
        TransactItems=[
            {
                "Put": {
                    "TableName": table().name,
                    "Item": {
                        "PK": f"FVOTE#{tid}#{post_id}",
                        "SK": account,
                        "entity": "forum_vote",
                        "at": at,
                    },
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Update": {
                    "TableName": table().name,
                    "Key": {"PK": topic_pk(tid), "SK": post_sk(post_id)},
                    "UpdateExpression": "ADD score :one",
                    "ConditionExpression": "attribute_exists(PK)",
                    "ExpressionAttributeValues": {":one": 1},
                }
            },
        ],
    )


def remove_vote(tid: str, post_id: str, account: str) -> bool:
    return written(
        client().transact_write_items,
        TransactItems=[
            {
                "Delete": {
                    "TableName": table().name,
                    "Key": {"PK": f"FVOTE#{tid}#{post_id}", "SK": account},
                    "ConditionExpression": "attribute_exists(PK)",
                }
            },
            {
                "Update": {
                    "TableName": table().name,
                    "Key": {"PK": topic_pk(tid), "SK": post_sk(post_id)},
                    "UpdateExpression": "ADD score :minus",
                    "ConditionExpression": "attribute_exists(PK)",
                    "ExpressionAttributeValues": {":minus": -1},
                }
            },
        ],
    )


def add_report(tid: str, post_id: str, account: str, item: dict[str, Any]) -> bool:
    """One report per person and post; False when this person reported it already."""
    return written(
        table().put_item,
        Item={"PK": f"FREPORT#{tid}#{post_id}", "SK": account, "entity": "forum_report", **item},
        ConditionExpression="attribute_not_exists(PK)",
    )


def follow(tid: str, account: str, at: str, on: bool) -> None:
    name = table().name
    if on:
        items = [
            {
                "Put": {
                    "TableName": name,
                    "Item": {"PK": f"FFOLLOW#{tid}", "SK": account, "entity": "forum_follow", "at": at},
                }
            },
            {
                "Put": {
                    "TableName": name,
                    "Item": {
                        "PK": f"FUSER#{account}",
                        "SK": f"FOLLOW#{tid}",
                        "entity": "forum_follow",
                        "at": at,
                    },
                }
            },
        ]
    else:
        items = [
            {"Delete": {"TableName": name, "Key": {"PK": f"FFOLLOW#{tid}", "SK": account}}},
            {"Delete": {"TableName": name, "Key": {"PK": f"FUSER#{account}", "SK": f"FOLLOW#{tid}"}}},
        ]
    client().transact_write_items(TransactItems=items)


def is_following(tid: str, account: str) -> bool:
    return "Item" in table().get_item(Key={"PK": f"FFOLLOW#{tid}", "SK": account})


def followers(tid: str, start: dict[str, Any] | None = None, limit: int = 200) -> tuple[list[str], Any]:
    items, last = _page(Key("PK").eq(f"FFOLLOW#{tid}"), start, limit)
    return [str(i["SK"]) for i in items], last


# ---- forum accounts and moderation ------------------------------------------------------------


def get_account(account: str) -> dict[str, Any] | None:
    return _plain(
        table().get_item(Key={"PK": f"FUSER#{account}", "SK": "STATE"}, ConsistentRead=True).get("Item")
    )


def update_account(account: str, sets: dict[str, Any], add: dict[str, int] | None = None) -> None:
    expression = []
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    if sets:
        expression.append("SET " + ", ".join(f"#{k} = :{k}" for k in sets))
        values.update({f":{k}": v for k, v in sets.items()})
        names.update({f"#{k}": k for k in sets})
    if add:
        expression.append("ADD " + ", ".join(f"#{k} :{k}" for k in add))
        values.update({f":{k}": v for k, v in add.items()})
        names.update({f"#{k}": k for k in add})
    names["#e"] = "entity"
    expression[0] += ", #e = :e" if expression[0].startswith("SET") else ""
    if not expression[0].startswith("SET"):
        expression.insert(0, "SET #e = :e")
    values[":e"] = "forum_account"
    table().update_item(
        Key={"PK": f"FUSER#{account}", "SK": "STATE"},
        UpdateExpression=" ".join(expression),
        ExpressionAttributeValues=values,
        ExpressionAttributeNames=names,
    )


def log_moderation(entry: dict[str, Any], account: str | None) -> list[dict[str, Any]]:
    """Transaction items: the action in the month's log and, with an author, in their notices."""
    at = entry["at"]
    stamp = secrets.token_hex(3)
    name = table().name
    items = [
        {
            "Put": {
                "TableName": name,
                "Item": {"PK": f"FMODLOG#{at[:7]}", "SK": f"{at}#{stamp}", "entity": "forum_modlog", **entry},
            }
        }
    ]
    if account:
        items.append(
            {
                "Put": {
                    "TableName": name,
                    "Item": {
                        "PK": f"FUSER#{account}",
                        "SK": f"MOD#{at}#{stamp}",
                        "entity": "forum_notice",
                        **entry,
                    },
                }
            }
        )
    return items


def write(items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 100):
        client().transact_write_items(TransactItems=items[start : start + 100])


def notices(account: str, limit: int = 50) -> list[dict[str, Any]]:
    response = table().query(
        KeyConditionExpression=Key("PK").eq(f"FUSER#{account}") & Key("SK").begins_with("MOD#"),
        ScanIndexForward=False,
        Limit=limit,
    )
    return [from_item(i) for i in response.get("Items", [])]


def moderation_log(month: str, start: dict[str, Any] | None, limit: int) -> tuple[list[dict[str, Any]], Any]:
    items, last = _page(Key("PK").eq(f"FMODLOG#{month}"), start, limit, forward=False)
    return [from_item(i) for i in items], last


def queue(kind: str, start: dict[str, Any] | None, limit: int) -> tuple[list[dict[str, Any]], Any]:
    # most reported first; held: oldest first
    items, last = _page(
        Key("GSI3PK").eq(f"FMODQ#{kind}"), start, limit, index="GSI3", forward=kind != "reported"
    )
    return [from_item(i) for i in items], last


# ---- statistics ------------------------------------------------------------------------------------


def count(day: str, counters: dict[str, int]) -> dict[str, Any]:
    """A transaction item adding ``counters`` to one of the day's shards."""
    shard = secrets.randbelow(SHARDS)
    return {
        "Update": {
            "TableName": table().name,
            "Key": {"PK": "STATS#forum", "SK": f"D#{day}#{shard}"},
            "UpdateExpression": "ADD " + ", ".join(f"#{k} :{k}" for k in counters),
            "ExpressionAttributeNames": {f"#{k}": k for k in counters},
            "ExpressionAttributeValues": {f":{k}": v for k, v in counters.items()},
        }
    }


def days(first: str, last: str) -> list[dict[str, Any]]:
    """The shards of the days ``first``..``last`` (at most 8 a day; callers bound the period)."""
    return [row for _, row in day_rows(first, last)]


def day_rows(first: str, last: str) -> list[tuple[str, dict[str, Any]]]:
    """(day ``YYYY-MM-DD``, counters) of each shard of the days ``first``..``last``."""
    out: list[tuple[str, dict[str, Any]]] = []
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq("STATS#forum")
        & Key("SK").between(f"D#{first}", f"D#{last}#~"),
    }
    while True:
        response = table().query(**kwargs)
        out += [(str(i["SK"])[2:12], from_item(i)) for i in response.get("Items", [])]
        if "LastEvaluatedKey" not in response:
            return out
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def stamp(at: datetime) -> str:
    return iso(at)


# ---- notices by mail (``FUSER#<account> / MOD#...`` gets ``mailed_at`` once claimed) ---------------


def get_notice(account: str, sk: str) -> dict[str, Any] | None:
    item = table().get_item(Key={"PK": f"FUSER#{account}", "SK": sk}, ConsistentRead=True).get("Item")
    return from_item(item) if item else None


def claim_notice(account: str, sk: str, at: str) -> bool:
    """True once per notice: a redelivered event finds it claimed and sends nothing again."""
    return written(
        table().update_item,
        Key={"PK": f"FUSER#{account}", "SK": sk},
        UpdateExpression="SET mailed_at = :at",
        ConditionExpression="attribute_exists(PK) AND attribute_not_exists(mailed_at)",
        ExpressionAttributeValues={":at": at},
    )


def release_notice(account: str, sk: str) -> None:
    """A transient failure: the next delivery of the event may try again."""
    table().update_item(Key={"PK": f"FUSER#{account}", "SK": sk}, UpdateExpression="REMOVE mailed_at")
