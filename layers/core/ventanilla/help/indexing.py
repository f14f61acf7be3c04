"""The search index follows the table: one stream record of an article item -> one engine call.

Published articles are (re)indexed, any other status removes them, a deleted item is removed.
Applying a record twice gives the same index, so retried batches are harmless.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from ventanilla.help.search.base import HelpSearchEngine
from ventanilla.storage.help_articles import stored_from_item

Outcome = Literal["indexed", "removed", "ignored"]


def is_article_key(keys: Mapping[str, Any] | None) -> bool:
    return bool(keys) and keys.get("SK") == "ARTICLE" and str(keys.get("PK", "")).startswith("ARTICLE#")  # type: ignore[union-attr]


def apply_change(
    engine: HelpSearchEngine,
    event_name: str,
    keys: Mapping[str, Any] | None,
    new_image: Mapping[str, Any] | None,
) -> Outcome:
    if not is_article_key(keys):
        return "ignored"
    assert keys is not None
    _, lang, slug = str(keys["PK"]).split("#", 2)
    if event_name == "REMOVE" or not new_image:
        engine.remove(slug, lang)
        return "removed"
    article = stored_from_item(dict(new_image)).article
    engine.index([article])
    return "indexed" if article.status == "published" else "removed"
