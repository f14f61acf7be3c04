"""The one interface every help search engine implements, and the shape of its answers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from ventanilla.help.articles import Article, Stage
from ventanilla.models.base import Model


class SearchHit(Model):
    """One article found; ``snippet`` is HTML: escaped text with matches wrapped in ``<mark>``."""

    slug: str
    lang: str
    title: str
    summary: str
    section_path: list[str]
    section_titles: list[str]
    stage: Stage
    score: float
    snippet: str


class SectionGroup(Model):
    """How many matching articles fall under one section (``path`` runs from the top level)."""

    slug: str
    title: str
    path: list[str]
    count: int


class SearchResult(Model):
    """Hits in rank order plus facets.

    ``groups``: with no ``section`` filter, one group per top-level section (counts add up to
    ``total``); with a ``section``, one group per child subsection of it (the drill-down), where
    articles filed directly in that section are in ``total`` but in no group.
    """

    query: str
    lang: str = "es"
    section: str | None = None
    hits: list[SearchHit] = Field(default_factory=list)
    total: int = 0
    groups: list[SectionGroup] = Field(default_factory=list)
    did_you_mean: str | None = None
    confident: bool = True
    """False when the first hit probably does not answer the query (or nothing was found): say
    so and offer the contact form rather than send the citizen to a wrong article."""
    confidence: float | None = None
    """0..1: the rarity-weighted share of the query's words the first hit covers (None: browsing)."""
    results_lang: str | None = None
    """Set when the hits are in another language than asked for (English query, Spanish articles)."""
    translated_query: str | None = None
    """The query as it was searched in ``results_lang`` (the glossary's translation)."""


@dataclass(frozen=True)
class Query:
    """One search as asked: the text as typed (anything but a string counts as empty) and filters."""

    text: str
    lang: str = "es"
    section: str | None = None
    stage: str | None = None
    request_type: str | None = None
    limit: int = 10


class HelpSearchEngine(ABC):
    """Full-text search over published help articles, keyed by ``(slug, lang)``.

    ``index`` upserts; indexing an article that is not published removes it, so the indexer can
    feed every change through one call. ``search`` never raises on what a citizen types. An empty
    query with filters browses: it lists the articles of that section, stage or request type.
    Engines implement :meth:`find`; :meth:`search` is the one signature callers use.
    """

    def search(
        self,
        query: Any,
        lang: str = "es",
        section: str | None = None,
        stage: str | None = None,
        request_type: str | None = None,
        limit: int = 10,
    ) -> SearchResult:
        text = query if isinstance(query, str) else ""
        return self.find(Query(text, lang, section, stage, request_type, limit))

    @abstractmethod
    def find(self, q: Query) -> SearchResult: ...

    @abstractmethod
    def index(self, articles: Iterable[Article]) -> None: ...

    @abstractmethod
    def remove(self, slug: str, lang: str) -> None: ...

    @abstractmethod
    def sections(self, lang: str = "es") -> list[SectionGroup]:
        """Every section and subsection holding published articles in ``lang``, any depth, with
        how many articles each holds (its subsections' included); parents come before children."""

    @abstractmethod
    def clear(self) -> None: ...

    @abstractmethod
    def count(self) -> int: ...
