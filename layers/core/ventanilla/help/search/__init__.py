"""Help search behind one interface: embedded tantivy by default, OpenSearch in AWS."""

from ventanilla.help.search.base import HelpSearchEngine, SearchHit, SearchResult, SectionGroup
from ventanilla.help.search.factory import make_engine

__all__ = ["HelpSearchEngine", "SearchHit", "SearchResult", "SectionGroup", "make_engine"]
