"""Embedded tantivy in AWS without a cluster: each container searches its own copy of the index.

The indexer builds the index and publishes it to S3 (:mod:`ventanilla.integrations.index_store`);
an API container downloads it into ``/tmp`` on its first search and, at most once a minute
(``CHECK_SECONDS``), asks S3 for the published ETag (one HEAD request): when it changed, it
downloads the new version into a fresh folder and swaps engines, so searches never wait for a
download after the first. Writes (the indexer, an editors' rebuild) always start from the latest
published version and end with :meth:`PublishedIndex.publish`, conditioned on that version.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ventanilla.help.articles import Article
from ventanilla.help.search.base import HelpSearchEngine, Query, SearchResult, SectionGroup
from ventanilla.help.search.text import DEFAULT_COUNTRY
from ventanilla.integrations import index_store

CHECK_SECONDS = 60.0


class PublishedIndex(HelpSearchEngine):
    """A :class:`~ventanilla.help.search.base.HelpSearchEngine` over the index published in ``bucket``."""

    def __init__(
        self,
        bucket: str,
        key: str = index_store.KEY,
        root: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
        country: str = DEFAULT_COUNTRY,
    ) -> None:
        self.bucket, self.key, self.clock, self.country = bucket, key, clock, country
        self.root = root or Path(tempfile.gettempdir()) / "help-index"
        self._lock = threading.RLock()
        self._engine: Any = None
        self._folder: Path | None = None
        self._etag: str | None = None
        self._checked = float("-inf")
        self._dirty = False
        self.downloads = 0

    def _current(self, *, latest: bool = False) -> Any:
        """The engine on the newest published copy, checked at most once a minute (or now)."""
        with self._lock:
            now = self.clock()
            if self._engine is not None and not latest and now - self._checked < CHECK_SECONDS:
                return self._engine
            published = index_store.latest(self.bucket, self.key)
            self._checked = now
            if self._engine is None or published != self._etag:
                self._load()
            return self._engine

    def _load(self) -> None:
        from ventanilla.help.search.tantivy_engine import TantivyEngine

        folder = self.root / uuid.uuid4().hex
        etag = index_store.download(self.bucket, self.key, folder)
        self.downloads += 1
        engine = TantivyEngine(path=folder, country=self.country)
        old = self._folder
        self._engine, self._folder, self._etag, self._dirty = engine, folder, etag, False
        if old is not None:  # searches still running on the old engine keep its open files
            shutil.rmtree(old, ignore_errors=True)

    # --- reads ----------------------------------------------------------------------------------

    def find(self, q: Query) -> SearchResult:
        result: SearchResult = self._current().find(q)
        return result

    def sections(self, lang: str = "es") -> list[SectionGroup]:
        groups: list[SectionGroup] = self._current().sections(lang)
        return groups

    def count(self) -> int:
        return int(self._current().count())

    # --- writes: on the latest version, then published -------------------------------------------

    def index(self, articles: Iterable[Article]) -> None:
        with self._lock:
            self._current(latest=not self._dirty).index(articles)
            self._dirty = True

    def remove(self, slug: str, lang: str) -> None:
        with self._lock:
            self._current(latest=not self._dirty).remove(slug, lang)
            self._dirty = True

    def clear(self) -> None:
        with self._lock:
            self._current(latest=not self._dirty).clear()
            self._dirty = True

    def publish(self) -> bool:
        """Upload the changed index (False when nothing changed). On
        :class:`~ventanilla.integrations.index_store.Conflict` the local copy is dropped, so the
        caller's retry starts again from the version another writer published."""
        with self._lock:
            if not self._dirty or self._folder is None:
                return False
            try:
                self._etag = index_store.upload(self.bucket, self.key, self._folder, self._etag)
            except index_store.Conflict:
                self._engine, self._dirty = None, False
                raise
            self._dirty = False
            self._checked = self.clock()
            return True


def publish(engine: Any) -> bool:
    """Publish ``engine``'s changes when it is a published index (other engines need nothing)."""
    return bool(engine.publish()) if isinstance(engine, PublishedIndex) else False
