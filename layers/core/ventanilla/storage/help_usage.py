"""How the help centre is used: article counters, feedback, the search log, content gaps and
deflections (keys in :mod:`ventanilla.storage.table`). Nothing here holds who the citizen is.

Counters are single UpdateItem ADDs on small items beside (never on) the article item, so a view
does not re-index the article through the stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

from ventanilla.models.common import iso
from ventanilla.storage.help_articles import article_pk
from ventanilla.storage.table import batch_get, from_item, table, written

LOG_TTL_DAYS = 180
MAX_GAPS = 500


def _ttl(now: datetime, days: int = LOG_TTL_DAYS) -> int:
    return int(now.timestamp()) + days * 86_400


# ---- per-article counters and feedback --------------------------------------------------------


def popular_pk(lang: str) -> str:
    return f"HELPPOPULAR#{lang}"


def count_view(slug: str, lang: str) -> None:
    """One more view of a published article; the STATS item also joins the sparse GSI5 of its
    language, whose sort key is ``views`` itself, so the same write keeps the ranking current."""
    table().update_item(
        Key={"PK": article_pk(slug, lang), "SK": "STATS"},
        UpdateExpression="ADD #views :one SET entity = :e, GSI5PK = :pop",
        ExpressionAttributeNames={"#views": "views"},
        ExpressionAttributeValues={":one": 1, ":e": "article_stats", ":pop": popular_pk(lang)},
    )


def most_viewed(lang: str, limit: int) -> list[tuple[str, int]]:
    """(slug, views) of the ``limit`` most viewed articles of a language, most viewed first: one
    Query of GSI5, whatever the number of articles. Statuses are the caller's to check."""
    response = table().query(
        IndexName="GSI5",
        KeyConditionExpression=Key("GSI5PK").eq(popular_pk(lang)),
        ScanIndexForward=False,
        Limit=limit,
    )
    out = []
    for item in response.get("Items", []):
        _, _, slug = str(item["PK"]).split("#", 2)
        out.append((slug, int(item.get("views", 0))))
    return out


def unlist(slug: str, lang: str) -> None:
    """Take an article that is no longer published out of the ranking (its counters stay); a
    later view of it, once published again, puts it back with the views it had."""
    written(
        table().update_item,
        Key={"PK": article_pk(slug, lang), "SK": "STATS"},
        UpdateExpression="REMOVE GSI5PK",
        ConditionExpression="attribute_exists(PK)",
    )


def add_feedback(
    slug: str, lang: str, helpful: bool, comment: str | None, now: datetime, fid: str, vote_id: str | None
) -> tuple[dict[str, int], bool]:
    """Count the vote, once per ``vote_id`` (a marker kept a day; every call without one counts),
    and keep the (already redacted) comment; returns the totals and whether this call counted."""
    key = {"PK": article_pk(slug, lang), "SK": "STATS"}
    counted = vote_id is None or written(
        table().put_item,
        Item={
            "PK": key["PK"],
            "SK": f"VOTE#{vote_id}",
            "entity": "article_vote",
            "ttl": _ttl(now, 1),
        },
        ConditionExpression="attribute_not_exists(PK)",
    )
    if counted:
        answer = table().update_item(
            Key=key,
            UpdateExpression="ADD #f :one SET entity = :e",
            ExpressionAttributeNames={"#f": "helpful_yes" if helpful else "helpful_no"},
            ExpressionAttributeValues={":one": 1, ":e": "article_stats"},
            ReturnValues="ALL_NEW",
        )["Attributes"]
    else:
        answer = table().get_item(Key=key).get("Item") or {}
    if comment:
        table().put_item(
            Item={
                "PK": article_pk(slug, lang),
                "SK": f"FEEDBACK#{iso(now)}#{fid}",
                "entity": "article_feedback",
                "helpful": helpful,
                "comment": comment,
                "at": iso(now),
                "ttl": _ttl(now, 365),
            }
        )
    totals = {
        "helpful_yes": int(answer.get("helpful_yes", 0)),
        "helpful_no": int(answer.get("helpful_no", 0)),
    }
    return totals, counted


def article_counters(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, int]]:
    """Views and votes of up to 100 articles per BatchGetItem."""
    name = table().name
    out: dict[tuple[str, str], dict[str, int]] = {}
    wanted = list(dict.fromkeys(keys))
    for start in range(0, len(wanted), 100):
        request: dict[str, Any] = {
            name: {
                "Keys": [
                    {"PK": article_pk(s, lang), "SK": "STATS"} for s, lang in wanted[start : start + 100]
                ]
            }
        }
        for _ in range(5):
            response = table().meta.client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(name, []):
                _, lang, slug = str(item["PK"]).split("#", 2)
                out[(slug, lang)] = {k: int(item.get(k, 0)) for k in ("views", "helpful_yes", "helpful_no")}
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
    return out


# ---- search log and content gaps ----------------------------------------------------------------


def log_search(
    search_id: str,
    now: datetime,
    query: str,
    lang: str,
    section: str | None,
    results: int,
    confident: bool = True,
) -> None:
    item: dict[str, Any] = {
        "PK": f"HELPSEARCH#{search_id}",
        "SK": "SEARCH",
        "entity": "help_search",
        "GSI1PK": f"HELPSEARCHES#{now.date().isoformat()}",
        "GSI1SK": f"{iso(now)}#{search_id}",
        "id": search_id,
        "at": iso(now),
        "query": query,
        "lang": lang,
        "results": results,
        "clicked": [],
        "ttl": _ttl(now),
    }
    if section:
        item["section"] = section
    table().put_item(Item=item)
    if (results == 0 or not confident) and query:
        # "count": found nothing; "unsure": found articles, none of them confidently the answer.
        table().update_item(
            Key={"PK": f"HELPGAP#{lang}", "SK": f"Q#{query}"},
            # ``views`` (times asked, both kinds) is GSI5's sort key: the gaps page reads the most
            # asked first, whatever the number of distinct queries.
            UpdateExpression=(
                "ADD #c :one, #views :one SET #q = :q, last_at = :at, entity = :e, #ttl = :ttl, "
                "GSI5PK = :gaps"
            ),
            ExpressionAttributeNames={
                "#c": "count" if results == 0 else "unsure",
                "#views": "views",
                "#q": "query",
                "#ttl": "ttl",
            },
            ExpressionAttributeValues={
                ":one": 1,
                ":q": query,
                ":at": iso(now),
                ":e": "help_gap",
                ":ttl": _ttl(now),
                ":gaps": gaps_pk(lang),
            },
        )


def log_click(search_id: str, slug: str) -> bool:
    """Record that a result of a logged search was opened; False when there is no such search."""
    return written(
        table().update_item,
        Key={"PK": f"HELPSEARCH#{search_id}", "SK": "SEARCH"},
        UpdateExpression="SET clicked = list_append(clicked, :s)",
        ConditionExpression="attribute_exists(PK) AND size(clicked) < :max",
        ExpressionAttributeValues={":s": [slug], ":max": 20},
    )


def searches_of_day(day: str, limit: int) -> list[dict[str, Any]]:
    response = table().query(
        IndexName="GSI1",
        KeyConditionExpression=Key("GSI1PK").eq(f"HELPSEARCHES#{day}"),
        ScanIndexForward=False,
        Limit=limit,
    )
    return [from_item(i) for i in response.get("Items", [])]


def gaps_pk(lang: str) -> str:
    return f"HELPGAPS#{lang}"


def gaps(lang: str, limit: int = MAX_GAPS) -> list[dict[str, Any]]:
    """The ``limit`` most asked searches without a confident answer, most asked first: one Query of
    GSI5 (keys only) and a BatchGetItem per 100 of them, whatever the number of distinct queries."""
    response = table().query(
        IndexName="GSI5",
        KeyConditionExpression=Key("GSI5PK").eq(gaps_pk(lang)),
        ScanIndexForward=False,
        Limit=min(limit, MAX_GAPS),
    )
    keys = [{"PK": i["PK"], "SK": i["SK"]} for i in response.get("Items", [])]
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(keys), 100):
        for item in batch_get(keys[start : start + 100]):
            found[str(item["SK"])] = from_item(item)
    return [found[str(k["SK"])] for k in keys if str(k["SK"]) in found]


# ---- deflection ---------------------------------------------------------------------------------


def record_deflection(
    attempt_id: str,
    now: datetime,
    request_type: str,
    lang: str,
    shown: list[str],
    opened: list[str],
    resolved: bool,
) -> None:
    """The attempt (kept a year) and the subtype's running totals."""
    pk = f"DEFLECT#{request_type}"
    table().put_item(
        Item={
            "PK": pk,
            "SK": f"ATTEMPT#{iso(now)}#{attempt_id}",
            "entity": "help_deflection",
            "id": attempt_id,
            "at": iso(now),
            "lang": lang,
            "shown": shown,
            "opened": opened,
            "outcome": "resolved" if resolved else "contact",
            "ttl": _ttl(now, 365),
        }
    )
    table().update_item(
        Key={"PK": pk, "SK": "TOTAL"},
        UpdateExpression="ADD attempts :one, deflected :d SET entity = :e",
        ExpressionAttributeValues={":one": 1, ":d": 1 if resolved else 0, ":e": "help_deflection_total"},
    )


def deflection_totals(request_types: Sequence[str]) -> dict[str, tuple[int, int]]:
    """(attempts, deflected) per ``type/subtype``, one BatchGetItem per 100 subtypes."""
    name = table().name
    out: dict[str, tuple[int, int]] = {}
    wanted = list(dict.fromkeys(request_types))
    for start in range(0, len(wanted), 100):
        request: dict[str, Any] = {
            name: {"Keys": [{"PK": f"DEFLECT#{t}", "SK": "TOTAL"} for t in wanted[start : start + 100]]}
        }
        for _ in range(5):
            response = table().meta.client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(name, []):
                code = str(item["PK"]).removeprefix("DEFLECT#")
                out[code] = (int(item.get("attempts", 0)), int(item.get("deflected", 0)))
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
    return out
