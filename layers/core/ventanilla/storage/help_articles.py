"""Help articles and their revisions (keys in :mod:`ventanilla.storage.table`).

The article item carries the :class:`~ventanilla.help.Article` fields plus ``revision`` (optimistic
locking), ``position`` (editors' order within its section) and creation data. Every change writes
the article and one revision item in one transaction, so history and content never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from ventanilla.errors import Conflict
from ventanilla.help.articles import Article
from ventanilla.help.models import Revision
from ventanilla.models.common import iso
from ventanilla.storage.table import (
    CHECK_FAILED,
    conditional_put,
    cursor_in,
    cursor_out,
    from_item,
    table,
    to_item,
    transact,
)

EXTRA_FIELDS = ("revision", "position", "created_at", "created_by", "published_at")
MAX_PAGE = 100
MAX_TRANSACTION = 100


@dataclass(frozen=True)
class StoredArticle:
    article: Article
    revision: int
    position: int
    created_at: datetime
    created_by: str
    published_at: datetime | None = None


def article_pk(slug: str, lang: str) -> str:
    return f"ARTICLE#{lang}#{slug}"


def article_key(slug: str, lang: str) -> dict[str, str]:
    return {"PK": article_pk(slug, lang), "SK": "ARTICLE"}


def article_of(keys: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """(slug, lang) of an article item's keys (a stream record's), None for any other item."""
    if not keys or keys.get("SK") != "ARTICLE" or not str(keys.get("PK", "")).startswith("ARTICLE#"):
        return None
    _, lang, slug = str(keys["PK"]).split("#", 2)
    return slug, lang


def article_item(s: StoredArticle) -> dict[str, Any]:
    a = s.article
    keys: dict[str, Any] = {
        **article_key(a.slug, a.lang),
        "entity": "article",
        "GSI1PK": f"HELPADMIN#{a.lang}",
        "GSI1SK": f"{iso(a.updated_at)}#{a.slug}",
    }
    if a.status == "published":  # sparse indexes: only what citizens may browse
        order = f"{s.position:06d}#{a.slug}"
        keys.update(GSI2PK=f"HELPSECTION#{a.lang}#{a.section_path[-1]}", GSI2SK=order)
    item = to_item(a, **keys)
    item.update(
        revision=s.revision,
        position=s.position,
        created_at=iso(s.created_at),
        created_by=s.created_by,
    )
    if s.published_at is not None:
        item["published_at"] = iso(s.published_at)
    return item


def stored_from_item(item: dict[str, Any]) -> StoredArticle:
    """The article of a table item or of a stream image already turned into plain values."""
    data = from_item(item)
    extra = {k: data.pop(k, None) for k in EXTRA_FIELDS}
    article = Article.model_validate(data)
    return StoredArticle(
        article=article,
        revision=int(extra["revision"] or 1),
        position=int(extra["position"] or 0),
        created_at=_dt(extra["created_at"]) or article.updated_at,
        created_by=str(extra["created_by"] or article.updated_by),
        published_at=_dt(extra["published_at"]),
    )


def _dt(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def revision_item(slug: str, lang: str, rev: Revision) -> dict[str, Any]:
    item = json.loads(rev.model_dump_json(), parse_float=Decimal)
    item.update(PK=article_pk(slug, lang), SK=f"REV#{rev.revision:06d}", entity="article_revision")
    return dict(item)


# ---- reads ------------------------------------------------------------------------------------


def get(slug: str, lang: str, consistent: bool = False) -> StoredArticle | None:
    item = table().get_item(Key=article_key(slug, lang), ConsistentRead=consistent).get("Item")
    return stored_from_item(item) if item else None


def get_many(
    keys: Sequence[tuple[str, str]], consistent: bool = False
) -> dict[tuple[str, str], StoredArticle]:
    """Articles by (slug, lang), at most 100 per call (one BatchGetItem, retried for leftovers).

    Raises if keys are still unprocessed after the retries, so an absent key means no article.
    """
    found: dict[tuple[str, str], StoredArticle] = {}
    wanted = list(dict.fromkeys(keys))
    name = table().name
    for start in range(0, len(wanted), 100):
        request: dict[str, Any] = {
            name: {
                "Keys": [article_key(s, lang) for s, lang in wanted[start : start + 100]],
                "ConsistentRead": consistent,
            }
        }
        for _ in range(5):
            response = table().meta.client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(name, []):
                stored = stored_from_item(item)
                found[stored.article.key] = stored
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
        if request:
            raise RuntimeError(f"{len(request[name]['Keys'])} article(s) left unread (throttled)")
    return found


def revisions(slug: str, lang: str, limit: int = 50) -> list[Revision]:
    """Newest first."""
    response = table().query(
        KeyConditionExpression=Key("PK").eq(article_pk(slug, lang)) & Key("SK").begins_with("REV#"),
        ScanIndexForward=False,
        Limit=limit,
    )
    return [Revision.model_validate(from_item(i)) for i in response.get("Items", [])]


def admin_page(
    lang: str, status: str | None, limit: int, cursor: str | None
) -> tuple[list[StoredArticle], str | None]:
    """Editors' list of every article of a language, last edited first (GSI1), one page."""
    params: dict[str, Any] = {
        "IndexName": "GSI1",
        "KeyConditionExpression": Key("GSI1PK").eq(f"HELPADMIN#{lang}"),
        "ScanIndexForward": False,
        "Limit": max(1, min(limit, MAX_PAGE)),
    }
    if status:
        params["FilterExpression"] = Attr("status").eq(status)
    start = cursor_in(cursor)
    if start:
        params["ExclusiveStartKey"] = start
    response = table().query(**params)
    items = [stored_from_item(i) for i in response.get("Items", [])]
    return items, cursor_out(response.get("LastEvaluatedKey"))


def in_section(lang: str, section: str, limit: int = MAX_PAGE) -> list[StoredArticle]:
    """Published articles filed directly in ``section``, in the editors' order (GSI2)."""
    response = table().query(
        IndexName="GSI2",
        KeyConditionExpression=Key("GSI2PK").eq(f"HELPSECTION#{lang}#{section}"),
        Limit=limit,
    )
    return [stored_from_item(i) for i in response.get("Items", [])]


# ---- writes -----------------------------------------------------------------------------------


def _condition(previous: int | None) -> tuple[str, dict[str, Any] | None]:
    if previous is None:
        return "attribute_not_exists(PK)", None
    return "revision = :prev", {":prev": previous}


def change_items(stored: StoredArticle, previous: int | None, rev: Revision) -> list[dict[str, Any]]:
    """The two transaction items of one change: the article (conditioned) and its new revision."""
    a = stored.article
    condition, values = _condition(previous)
    return [
        conditional_put(article_item(stored), condition, values),
        conditional_put(revision_item(a.slug, a.lang, rev), "attribute_not_exists(PK)", None),
    ]


def save(stored: StoredArticle, previous: int | None, rev: Revision) -> None:
    """Write the article if it is still at revision ``previous`` (None: only if new), plus its revision.

    A stale or duplicate write raises Conflict and writes nothing.
    """
    write(
        change_items(stored, previous, rev),
        conflict=("article_exists" if previous is None else "stale_revision"),
    )


def write(items: list[dict[str, Any]], conflict: str = "stale_revision") -> None:
    """One transaction; a failed condition on any item becomes Conflict(``conflict``)."""
    canceled = transact(items)
    if canceled is None:
        return
    if not canceled.codes or CHECK_FAILED in canceled.codes:
        raise Conflict(conflict) from canceled.error
    raise canceled.error


def restore(
    previous: dict[tuple[str, str], StoredArticle | None], revisions_written: Sequence[tuple[str, str, int]]
) -> None:
    """Undo written changes: put back each article's former item (or delete a new one) and drop the
    revisions written. Used when a multi-transaction import fails half way."""
    for (slug, lang), old in previous.items():
        if old is None:
            table().delete_item(Key=article_key(slug, lang))
        else:
            table().put_item(Item=article_item(old))
    for slug, lang, number in revisions_written:
        table().delete_item(Key={"PK": article_pk(slug, lang), "SK": f"REV#{number:06d}"})
