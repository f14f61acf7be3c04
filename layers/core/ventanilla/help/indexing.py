"""The search index follows the table through article events.

The stream dispatcher turns each change of an article item into a ``HelpArticleChanged`` event on
the bus (slug, language and status: identifiers only); a rule puts it on the indexer's queue. The
indexer does not trust the event's status: it re-reads the batch's articles from the table (one
consistent BatchGetItem) and applies what it finds, so the last state wins whatever the order or
the number of deliveries: published -> indexed, any other status or a deleted item -> removed.
A batch reaches the engine in one call (one tantivy commit, one OpenSearch bulk request).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ventanilla.domain_events import DomainEvent
from ventanilla.help.articles import Article
from ventanilla.help.search.base import HelpSearchEngine
from ventanilla.storage import help_articles

SOURCE = "ventanilla.help"
ARTICLE_CHANGED = "HelpArticleChanged"

ArticleRef = tuple[str, str]
"""(slug, lang): what identifies an article in the table and in the index."""


@dataclass(frozen=True)
class Refreshed:
    indexed: int
    removed: int


def article_event(
    event_name: str, keys: Mapping[str, Any] | None, new_image: Mapping[str, Any] | None
) -> DomainEvent | None:
    """The event of one stream record of an article item; None for any other item."""
    ref = help_articles.article_of(keys)
    if ref is None:
        return None
    slug, lang = ref
    status = "deleted" if event_name == "REMOVE" or not new_image else str(new_image.get("status", ""))
    return DomainEvent(
        source=SOURCE, detail_type=ARTICLE_CHANGED, detail={"slug": slug, "lang": lang, "status": status}
    )


def ref_of(envelope: Mapping[str, Any]) -> ArticleRef:
    """The article an event from the bus names; ValueError for anything that is not one."""
    detail = envelope.get("detail")
    if envelope.get("detail-type") != ARTICLE_CHANGED or not isinstance(detail, Mapping):
        raise ValueError(f"not a {ARTICLE_CHANGED} event")
    slug, lang = detail.get("slug"), detail.get("lang")
    if not isinstance(slug, str) or not slug or not isinstance(lang, str) or not lang:
        raise ValueError(f"{ARTICLE_CHANGED} without slug and lang")
    return slug, lang


def apply(
    engine: HelpSearchEngine, wanted: Sequence[ArticleRef], found: Mapping[ArticleRef, Article]
) -> Refreshed:
    """Bring the index in step with what the table holds for ``wanted``: one upsert call for the
    articles found (the engine removes those not published), a removal for each one gone."""
    refs = list(dict.fromkeys(wanted))
    upserts = [found[r] for r in refs if r in found]
    if upserts:
        engine.index(upserts)
    for slug, lang in (r for r in refs if r not in found):
        engine.remove(slug, lang)
    indexed = sum(1 for a in upserts if a.status == "published")
    return Refreshed(indexed=indexed, removed=len(refs) - indexed)


def refresh(engine: HelpSearchEngine, wanted: Iterable[ArticleRef]) -> Refreshed:
    """Re-read the articles from the table and apply them (replays and old events are harmless)."""
    refs = list(dict.fromkeys(wanted))
    stored = help_articles.get_many(refs, consistent=True)
    return apply(engine, refs, {ref: s.article for ref, s in stored.items()})
