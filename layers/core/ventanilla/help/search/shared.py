"""The process's one help search engine, chosen by the environment.

Locally the API and the indexer run in one process, so they must share one engine (tantivy allows
a single writer per index, and an in-memory index exists only in the process that built it). In
AWS each function has its own copy of the index the indexer publishes to S3 (``HELP_INDEX_BUCKET``:
:mod:`ventanilla.help.search.published`), or its own client to an OpenSearch domain.
"""

from __future__ import annotations

import threading

from ventanilla.help.search.base import HelpSearchEngine
from ventanilla.help.search.factory import make_engine
from ventanilla.settings import get_settings

_lock = threading.Lock()
_engine: HelpSearchEngine | None = None


def shared_engine() -> HelpSearchEngine:
    """``HELP_SEARCH_ENGINE`` (tantivy|opensearch), ``HELP_INDEX_BUCKET`` (tantivy published to S3),
    ``HELP_INDEX_PATH``, ``OPENSEARCH_URL``/``_INDEX``."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                s = get_settings()
                if s.help_search_engine == "opensearch":
                    _engine = make_engine(
                        "opensearch",
                        url=s.opensearch_url or None,
                        index=s.opensearch_index,
                        country=s.country,
                    )
                elif s.help_index_bucket:
                    from ventanilla.help.search.published import PublishedIndex

                    _engine = PublishedIndex(s.help_index_bucket, country=s.country)
                else:
                    _engine = make_engine("tantivy", path=s.help_index_path or None, country=s.country)
    return _engine


def set_shared_engine(engine: HelpSearchEngine | None) -> None:
    """Replace the engine (an operator command that brings its own, or a test)."""
    global _engine
    with _lock:
        _engine = engine
