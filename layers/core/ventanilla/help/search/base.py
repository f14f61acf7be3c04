"""The one interface every help search engine implements, and the shape of its answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

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


@runtime_checkable
class HelpSearchEngine(Protocol):
    """Full-text search over published help articles, keyed by ``(slug, lang)``.

    ``index`` upserts; indexing an article that is not published removes it, so the indexer can
    feed every change through one call. ``search`` never raises on what a citizen types. An empty
    query with filters browses: it lists the articles of that section, stage or request type.
    """

    def index(self, articles: Iterable[Article]) -> None: ...

    def remove(self, slug: str, lang: str) -> None: ...

    def search(
        self,
        query: str,
        lang: str = "es",
        section: str | None = None,
        stage: str | None = None,
        request_type: str | None = None,
        limit: int = 10,
    ) -> SearchResult: ...

    def sections(self, lang: str = "es") -> list[SectionGroup]:
        """Every section and subsection holding published articles in ``lang``, any depth, with
        how many articles each holds (its subsections' included); parents come before children."""
        ...

    def clear(self) -> None: ...

    def count(self) -> int: ...
