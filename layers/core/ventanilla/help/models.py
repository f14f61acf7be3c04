"""Bodies and answers of the help centre API: editors' articles and revisions, citizens' search,
feedback and deflections, editors' statistics. The article itself is :class:`~ventanilla.help.Article`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ventanilla.help.articles import (
    MAX_BODY,
    MAX_RELATED,
    MAX_SUMMARY,
    MAX_TITLE,
    Lang,
    RequestType,
    SectionSlug,
    Slug,
    Stage,
    Status,
)
from ventanilla.help.search.base import SearchHit, SectionGroup
from ventanilla.models.base import Model
from ventanilla.models.common import Code, Strict

MAX_COMMENT = 1_000
MAX_LISTED = 20  # articles shown, opened or seen in one contact attempt

SectionTitle = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=50)]
DraftSectionPath = Annotated[
    list[SectionSlug], Field(default_factory=lambda: ["borradores"], min_length=1, max_length=6)
]
"""Where a draft made from a reply or a forum answer is filed unless the author says otherwise."""
DraftSectionTitles = Annotated[
    list[SectionTitle], Field(default_factory=lambda: ["Borradores"], min_length=1, max_length=6)
]


class ArticleContent(Strict):
    """An article's content as an editor writes it (shared by creating and editing one)."""

    title: str = Field(min_length=1, max_length=MAX_TITLE)
    summary: str = Field(min_length=1, max_length=MAX_SUMMARY)
    body_md: str = Field(min_length=1, max_length=MAX_BODY)
    translation_of: Slug | None = None
    section_path: list[SectionSlug] = Field(min_length=1, max_length=6)
    section_titles: list[SectionTitle] = Field(min_length=1, max_length=6)
    stage: Stage
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    request_types: list[RequestType] = Field(default_factory=list, max_length=20)
    related: list[Slug] = Field(
        default_factory=list,
        max_length=MAX_RELATED,
        description="articles to read next: existing slugs of the same language, not this one",
    )


class ArticleIn(ArticleContent):
    """What an editor writes; the status moves only through publish and archive."""

    slug: Slug
    lang: Lang = "es"


class HelpPreviewIn(Strict):
    """Markdown to render as the help centre would, without saving it (the editor's live preview)."""

    body_md: str = Field(max_length=MAX_BODY)


class HelpPreviewOut(Model):
    html: str
    """What the portal shows: the same Markdown parser and sanitiser as a published article."""


class ArticleEditIn(ArticleContent):
    """A full replacement of an article's content; ``revision`` guards against lost updates."""

    revision: int | None = Field(
        default=None, ge=1, le=1_000_000_000, description="the revision you edited; 409 if stale"
    )


class RevisionIn(Strict):
    revision: int | None = Field(
        default=None, ge=1, le=1_000_000_000, description="the revision you saw; 409 if stale"
    )


class ReorderIn(Strict):
    """The articles filed directly in one section, in the order citizens should see them."""

    lang: Lang = "es"
    section: SectionSlug
    slugs: list[Slug] = Field(min_length=1, max_length=50)


class AdminArticle(Model):
    """An article as editors see it: every field, its revision and its place in its section."""

    slug: str
    lang: str
    title: str
    summary: str
    body_md: str
    html: str
    translation_of: str | None
    translations: list[str] = Field(default_factory=list)
    section_path: list[str]
    section_titles: list[str]
    stage: Stage
    tags: list[str]
    request_types: list[str]
    related: list[str] = Field(default_factory=list)
    status: Status
    revision: int
    position: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    published_at: datetime | None = None


class AdminArticleRow(Model):
    slug: str
    lang: str
    title: str
    status: Status
    section_path: list[str]
    stage: Stage
    revision: int
    position: int
    updated_at: datetime
    updated_by: str


class AdminArticleList(Model):
    items: list[AdminArticleRow]
    next_cursor: str | None = None


class Revision(Model):
    """One entry of an article's history: who did what, when, which fields changed, and the content."""

    revision: int
    at: datetime
    by: str
    action: Literal["created", "edited", "published", "archived", "reordered", "imported", "drafted"]
    changed: list[str] = Field(default_factory=list)
    note: str | None = None
    status: Status
    snapshot: dict[str, object] = Field(default_factory=dict)


class RevisionList(Model):
    slug: str
    lang: str
    items: list[Revision]


class ImportLineError(Model):
    line: int
    field: str
    message: str


class ImportResult(Model):
    imported: int
    created: int
    updated: int
    slugs: list[str]


class DraftFromReplyIn(Strict):
    """An agent proposes a reply of a resolved request as a help article (A5); an editor finishes it."""

    event_id: str = Field(min_length=4, max_length=40, description="the public reply in the history")
    title: str = Field(min_length=5, max_length=MAX_TITLE)
    slug: Slug | None = None
    section_path: DraftSectionPath
    section_titles: DraftSectionTitles
    stage: Stage = Stage.INFORMACION
    tags: list[Tag] = Field(default_factory=list, max_length=20)


class ForumDraftFromAnswerIn(Strict):
    """An editor turns a forum topic's accepted answer into a help article draft (issue 15)."""

    title: str | None = Field(default=None, min_length=5, max_length=MAX_TITLE)
    """The article's title; the topic's title when absent."""
    slug: Slug | None = None
    section_path: DraftSectionPath
    section_titles: DraftSectionTitles
    stage: Stage = Stage.INFORMACION
    tags: list[Tag] = Field(default_factory=list, max_length=20)


# ---- public -----------------------------------------------------------------------------------


class HelpSearchOut(Model):
    """A search answer plus the id to send back as ``search_id`` when opening a result."""

    search_id: str
    query: str
    lang: str
    section: str | None
    stage: str | None
    hits: list[SearchHit]
    total: int
    groups: list[SectionGroup]
    did_you_mean: str | None
    confident: bool = True
    """False when the first hit probably does not answer the query, or nothing was found: the
    portal says so plainly and offers the contact form."""
    confidence: float | None = None
    """0..1, the rarity-weighted share of the query's words the first hit covers (None: browsing)."""
    results_lang: str | None = None
    """Set when the hits are in another language than ``lang`` (English query, Spanish articles)."""
    translated_query: str | None = None


class SectionNode(Model):
    slug: str
    title: str
    path: list[str]
    count: int
    children: list[SectionNode] = Field(default_factory=list)


class ArticleLink(Model):
    slug: str
    lang: str
    title: str
    summary: str
    section_path: list[str]
    stage: Stage


class SectionsOut(Model):
    """The tree of sections with counts; with ``section``, that subtree and the articles filed in it."""

    lang: str
    total: int
    sections: list[SectionNode]
    section: SectionNode | None = None
    articles: list[ArticleLink] = Field(default_factory=list)


class StageOut(Model):
    stage: Stage
    label: str
    count: int
    articles: list[ArticleLink]


class StagesOut(Model):
    lang: str
    stages: list[StageOut]


class RelatedLink(Model):
    """An article to read next, as the article page lists it."""

    slug: str
    title: str
    summary: str
    chosen: bool = Field(description="picked by the editors (else: from the same section)")


class PopularArticle(ArticleLink):
    views: int
    reason: Literal["views", "featured"] = Field(
        description="views: among the most viewed; featured: first in its section (too few views yet)"
    )


class PopularOut(Model):
    """The most consulted published articles of a language, most viewed first."""

    lang: str
    articles: list[PopularArticle]


class PublicArticle(Model):
    slug: str
    lang: str
    title: str
    summary: str
    html: str
    section_path: list[str]
    section_titles: list[str]
    stage: Stage
    stage_label: str
    tags: list[str]
    request_types: list[str]
    translations: dict[str, str] = Field(default_factory=dict, description="lang -> slug")
    updated_at: datetime
    views: int
    helpful_pct: float | None
    related: list[RelatedLink] = Field(default_factory=list)


class HelpCommunityAnswer(Model):
    """An accepted answer of the community forum, shown after the official articles ("Comunidad")."""

    topic_id: str
    title: str
    answer: str
    """The accepted reply as plain text, cut to a few lines."""
    label: str


class SuggestOut(Model):
    """What the contact flow shows before the form: articles linked to the subtype, then text matches."""

    type: str
    subtype: str
    lang: str
    linked: list[ArticleLink]
    matches: list[SearchHit]
    confident: bool = True
    """False when the text matched no article with confidence: ``matches`` is then empty rather
    than a wrong article, and the flow goes on to the form."""
    community: list[HelpCommunityAnswer] = Field(default_factory=list)
    """Accepted forum answers that match the text, after the official articles (at most 3)."""


class FeedbackIn(Strict):
    helpful: bool
    comment: str | None = Field(default=None, max_length=MAX_COMMENT)
    lang: Lang = "es"
    vote_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="the client's id for this vote: the comment sent later with the same id (or a "
        "retry) does not count the vote again (kept a day)",
    )


class FeedbackOut(Model):
    slug: str
    lang: str
    helpful_yes: int
    helpful_no: int


class DeflectionIn(Strict):
    """The outcome of one contact attempt (A4): what was shown, what was opened, how it ended."""

    type: Code
    subtype: Code
    lang: Lang = "es"
    shown: list[Slug] = Field(default_factory=list, max_length=MAX_LISTED)
    opened: list[Slug] = Field(default_factory=list, max_length=MAX_LISTED)
    outcome: Literal["resolved", "contact"]


class DeflectionOut(Model):
    id: str
    outcome: str
    seen_articles: list[str] = Field(description="send these as seen_articles when filing the request")


class SeenArticle(Model):
    """An article the citizen saw before filing, as the agent sees it."""

    slug: str
    lang: str
    title: str | None
    url: str


# ---- editors' statistics ----------------------------------------------------------------------


class ArticleStats(Model):
    slug: str
    lang: str
    title: str
    status: Status
    views: int
    helpful_yes: int
    helpful_no: int
    helpful_pct: float | None


class SubtypeStats(Model):
    type: str
    subtype: str
    attempts: int
    deflected: int
    deflected_pct: float | None


class HelpStatsOut(Model):
    lang: str
    articles: list[ArticleStats]
    next_cursor: str | None
    subtypes: list[SubtypeStats]


class ContentGap(Model):
    query: str
    count: int
    """Searches that found nothing."""
    unsure: int = 0
    """Searches that found articles but none confidently the answer."""
    last_at: datetime
    candidates: list[str] = Field(default_factory=list)
    """Words of the query the help content does not use: candidates for a search term."""


class ContentGapsOut(Model):
    lang: str
    items: list[ContentGap]
    term_candidates: list[str] = Field(default_factory=list)
    """The unknown words of all these searches, most searched first: add them as search terms
    (``/api/v1/admin/help/synonyms``) mapped to the words the articles use."""


TermCountry = Literal["CL", "MX", "CO", "AR", "PE"]


class SearchTermIn(Strict):
    """An institution's word for something the articles call otherwise ("cachureos" -> "residuos
    voluminosos"). Applied to Spanish searches below the word as typed."""

    term: str = Field(min_length=1, max_length=60)
    means: str = Field(min_length=1, max_length=120)
    countries: list[TermCountry] = Field(default_factory=list, max_length=5)
    note: str = Field(default="", max_length=300)


class SearchTerm(Model):
    id: str
    term: str
    means: str
    countries: list[str]
    note: str
    updated_at: datetime
    updated_by: str


class SearchTermList(Model):
    items: list[SearchTerm]
    lexicon_entries: int
    """Entries of the packaged Latin American lexicon, which always apply as well."""


class SearchLogEntry(Model):
    id: str
    at: datetime
    query: str
    lang: str
    section: str | None
    results: int
    clicked: list[str]


class SearchLogOut(Model):
    day: str
    items: list[SearchLogEntry]


class ReindexOut(Model):
    indexed: int
    engine: str
