"""Pick a search engine by name, so configuration (an environment variable) chooses the backend."""

from __future__ import annotations

from typing import Any

from ventanilla.help.search.base import HelpSearchEngine

ENGINES = ("tantivy", "opensearch")


def make_engine(kind: str = "tantivy", **opts: Any) -> HelpSearchEngine:
    """``make_engine("tantivy", path=None)`` or ``make_engine("opensearch", url=..., index=...)``.

    Options go to the engine's constructor; imports are lazy so a deployment without an
    OpenSearch endpoint never needs its client configured.
    """
    name = (kind or "").strip().lower()
    if name == "tantivy":
        from ventanilla.help.search.tantivy_engine import TantivyEngine

        return TantivyEngine(**opts)
    if name == "opensearch":
        from ventanilla.help.search.opensearch_engine import OpenSearchEngine

        return OpenSearchEngine(**opts)
    raise ValueError(f"unknown search engine '{kind}'; use one of: {', '.join(ENGINES)}")
