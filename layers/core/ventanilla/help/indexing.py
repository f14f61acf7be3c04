"""The search index follows the table: stream records of article items -> engine calls.

Published articles are (re)indexed, any other status removes them, a deleted item is removed.
A batch keeps only the last change of each article and reaches the engine in one call (one
commit or one bulk request, not one per record). Applying a batch twice gives the same index, so
retried batches are harmless.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ventanilla.help.articles import Article
from ventanilla.help.search.base import HelpSearchEngine
from ventanilla.storage.help_articles import stored_from_item

Outcome = Literal["indexed", "removed", "ignored"]


@dataclass(frozen=True)
class Change:
    slug: str
    lang: str
    article: Article | None  # None: the item was deleted

    @property
    def outcome(self) -> Outcome:
        return "indexed" if self.article is not None and self.article.status == "published" else "removed"


def is_article_key(keys: Mapping[str, Any] | None) -> bool:
    if not keys:
        return False
    return keys.get("SK") == "ARTICLE" and str(keys.get("PK", "")).startswith("ARTICLE#")


def change_of(
    event_name: str, keys: Mapping[str, Any] | None, new_image: Mapping[str, Any] | None
) -> Change | None:
    """What a stream record asks of the index; None for items that are not articles.

    Raises (pydantic's ValidationError) on an article image that is not a valid article.
    """
    if not is_article_key(keys):
        return None
    assert keys is not None
    _, lang, slug = str(keys["PK"]).split("#", 2)
    if event_name == "REMOVE" or not new_image:
        return Change(slug, lang, None)
    return Change(slug, lang, stored_from_item(dict(new_image)).article)


def apply(engine: HelpSearchEngine, changes: Iterable[Change]) -> None:
    """The last change of each article wins; upserts (and status removals) go in one call."""
    last: dict[tuple[str, str], Change] = {}
    for change in changes:
        last[(change.slug, change.lang)] = change
    upserts = [c.article for c in last.values() if c.article is not None]
    if upserts:
        engine.index(upserts)  # non-published articles are removed by the engine
    for c in last.values():
        if c.article is None:
            engine.remove(c.slug, c.lang)


def apply_change(
    engine: HelpSearchEngine,
    event_name: str,
    keys: Mapping[str, Any] | None,
    new_image: Mapping[str, Any] | None,
) -> Outcome:
    """One record at once (the operator's tools and tests)."""
    change = change_of(event_name, keys, new_image)
    if change is None:
        return "ignored"
    apply(engine, [change])
    return change.outcome
