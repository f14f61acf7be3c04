"""The help centre as citizens use it (A1-A4), and what editors learn from that use.

Search goes to the search engine; articles, counters and logs to the table. Every answer reads
and writes a bounded number of items. Logs keep no personal data (see :mod:`ventanilla.help.privacy`).
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime

from ventanilla.auth import Principal
from ventanilla.errors import BadRequest, FieldError, NotFound, ValidationFailed
from ventanilla.help.articles import SLUG_PATTERN, Article, Stage
from ventanilla.help.models import (
    ArticleLink,
    ArticleStats,
    ContentGap,
    ContentGapsOut,
    DeflectionIn,
    DeflectionOut,
    FeedbackIn,
    FeedbackOut,
    HelpCommunityAnswer,
    HelpSearchOut,
    HelpStatsOut,
    PopularArticle,
    PopularOut,
    PublicArticle,
    ReindexOut,
    RelatedLink,
    SearchLogEntry,
    SearchLogOut,
    SectionNode,
    SectionsOut,
    SeenArticle,
    StageOut,
    StagesOut,
    SubtypeStats,
    SuggestOut,
)
from ventanilla.help.privacy import loggable_query, redact
from ventanilla.help.search.base import HelpSearchEngine, SearchHit, SectionGroup
from ventanilla.help.search.shared import shared_engine
from ventanilla.models.base import copied
from ventanilla.models.common import utcnow
from ventanilla.services import help_terms
from ventanilla.services.help_content import EDITORS, all_articles
from ventanilla.settings import get_settings
from ventanilla.stats import help_figures as help_stats
from ventanilla.stats.figures import deflection_pct
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import help_articles as store
from ventanilla.storage import help_terms as help_terms_store
from ventanilla.storage import help_usage as usage
from ventanilla.storage.help_articles import StoredArticle

log = logging.getLogger(__name__)
LANGS = ("es", "en")
STAGE_ARTICLES = 20
POPULAR_OVERFETCH = 3  # ranked articles read per one answered: room for unpublished ones
RELATED_MAX = 5
SUGGEST_LINKED = 10
SUGGEST_LINKED_POOL = 100  # articles linked to one subtype: a handful in practice
MAX_TERM_CANDIDATES = 50
SEARCH_ID = re.compile(r"^[0-9a-f]{16}$")
_SLUG = re.compile(SLUG_PATTERN)


def check_lang(lang: str | None) -> str:
    value = (lang or "es").strip().lower()
    if value not in LANGS:
        raise BadRequest("unknown_lang")
    return value


def check_stage(stage: str | None) -> str | None:
    if not stage:
        return None
    try:
        return Stage(stage).value
    except ValueError as error:
        raise BadRequest("unknown_stage", {"expected": ", ".join(s.value for s in Stage)}) from error


def _engine() -> HelpSearchEngine:
    engine = shared_engine()
    try:
        help_terms.refresh(engine)  # the editors' search terms, reloaded at most once a minute
    except help_terms_store.Unavailable:  # a courtesy: searching goes on with the packaged lexicon
        log.warning("help search terms could not be loaded", exc_info=True)
    return engine


def _link(s: StoredArticle) -> ArticleLink:
    return copied(ArticleLink, s.article)


def _hit_link(h: SearchHit) -> ArticleLink:
    return ArticleLink(
        slug=h.slug, lang=h.lang, title=h.title, summary=h.summary, section_path=h.section_path, stage=h.stage
    )


def _pct(yes: int, no: int) -> float | None:
    return round(100 * yes / (yes + no), 1) if yes + no else None


# ---- search and browse ----------------------------------------------------------------------------


def search(
    q: str | None,
    lang: str | None,
    section: str | None,
    stage: str | None,
    request_type: str | None,
    limit: int,
) -> HelpSearchOut:
    """Any text is searched (clipped, symbols ignored); an empty query needs a section or stage."""
    code = check_lang(lang)
    stage_value = check_stage(stage)
    text = q or ""
    if not text.strip() and not (section or stage_value or request_type):
        raise BadRequest("query_required")
    result = _engine().search(
        text, lang=code, section=section or None, stage=stage_value, request_type=request_type, limit=limit
    )
    search_id = uuid.uuid4().hex[:16]
    logged = loggable_query(text)
    # A section that does not exist finds nothing because of the filter, not of the content: an
    # empty answer, neither logged nor counted as a content gap (checked only when nothing matched).
    unknown_section = bool(section) and not result.total and not _section_exists(code, str(section))
    if logged and not unknown_section:
        now = utcnow()
        usage.log_search(search_id, now, logged, code, section, result.total, result.confident)
        help_stats.record_search(now, logged, result.total)
    return HelpSearchOut(
        search_id=search_id,
        query=text,
        lang=code,
        section=section,
        stage=stage_value,
        hits=result.hits,
        total=result.total,
        groups=result.groups,
        did_you_mean=result.did_you_mean,
        confident=result.confident,
        confidence=result.confidence,
        results_lang=result.results_lang,
        translated_query=result.translated_query,
    )


def _tree(groups: list[SectionGroup]) -> list[SectionNode]:
    nodes: dict[tuple[str, ...], SectionNode] = {}
    roots: list[SectionNode] = []
    for g in sorted(groups, key=lambda g: (len(g.path), g.path)):
        node = SectionNode(slug=g.slug, title=g.title, path=g.path, count=g.count)
        nodes[tuple(g.path)] = node
        parent = nodes.get(tuple(g.path[:-1]))
        (parent.children if parent is not None else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: n.title)
    roots.sort(key=lambda n: n.title)
    return roots


def _find(nodes: list[SectionNode], slug: str) -> SectionNode | None:
    for node in nodes:
        if node.slug == slug:
            return node
        found = _find(node.children, slug)
        if found is not None:
            return found
    return None


def _section_exists(lang: str, section: str) -> bool:
    return _find(_tree(_engine().sections(lang)), section) is not None


def sections(lang: str | None, section: str | None) -> SectionsOut:
    """The whole tree with counts; with ``section``, also its node and the articles filed in it."""
    code = check_lang(lang)
    roots = _tree(_engine().sections(code))
    out = SectionsOut(lang=code, total=sum(n.count for n in roots), sections=roots)
    if section:
        node = _find(roots, section)
        if node is None:
            raise NotFound("section_not_found")
        out.section = node
        out.articles = [_link(s) for s in store.in_section(code, section)]
    return out


def stages(lang: str | None) -> StagesOut:
    """The menu by process stage: every stage, its count and its articles (from the index)."""
    code = check_lang(lang)
    engine = _engine()
    out: list[StageOut] = []
    for stage in Stage:
        found = engine.search("", lang=code, stage=stage.value, limit=STAGE_ARTICLES)
        links = sorted((_hit_link(h) for h in found.hits), key=lambda a: (a.section_path, a.title))
        out.append(StageOut(stage=stage, label=stage.label(code), count=found.total, articles=links))
    return StagesOut(lang=code, stages=out)


def popular(lang: str | None, limit: int) -> PopularOut:
    """The most viewed published articles (GSI5, then one BatchGetItem); with too few views yet,
    the editors' first article of the largest sections fills the list."""
    code = check_lang(lang)
    ranked = usage.most_viewed(code, limit * POPULAR_OVERFETCH)
    found = store.get_many([(slug, code) for slug, _ in ranked]) if ranked else {}
    out: list[PopularArticle] = []
    for slug, views in ranked:
        s = found.get((slug, code))
        if s is None or s.article.status != "published":
            usage.unlist(slug, code)  # archived or deleted since its last view: keep GSI5 in step
            continue
        if len(out) < limit:
            out.append(_popular(s, views, "views"))
    if len(out) < limit:
        out += _featured(code, limit - len(out), {a.slug for a in out})
    return PopularOut(lang=code, articles=out)


def _popular(s: StoredArticle, views: int, reason: str) -> PopularArticle:
    return copied(PopularArticle, s.article, views=views, reason="views" if reason == "views" else "featured")


def _featured(code: str, wanted: int, taken: set[str]) -> list[PopularArticle]:
    """The first published article (editors' order) of the largest sections, one per top section:
    at most ``wanted`` + 5 GSI2 Queries of Limit 2."""
    roots = sorted(_tree(_engine().sections(code)), key=lambda n: (-n.count, n.title))
    out: list[PopularArticle] = []
    for root in roots[: wanted + 5]:
        if len(out) >= wanted:
            break
        leaf = root
        while leaf.children:
            leaf = max(leaf.children, key=lambda n: n.count)
        first = next(
            (s for s in store.in_section(code, leaf.slug, limit=2) if s.article.slug not in taken), None
        )
        if first is not None:
            taken.add(first.article.slug)
            out.append(_popular(first, 0, "featured"))
    return out


def _related(a: Article) -> list[RelatedLink]:
    """The editors' picks (published ones, in their order), then the same section's neighbours."""
    chosen = store.get_many([(r, a.lang) for r in a.related]) if a.related else {}
    out = [
        RelatedLink(slug=s.article.slug, title=s.article.title, summary=s.article.summary, chosen=True)
        for r in a.related
        if (s := chosen.get((r, a.lang))) is not None and s.article.status == "published"
    ]
    if len(out) < RELATED_MAX:
        taken = {a.slug, *(link.slug for link in out)}
        for s in store.in_section(a.lang, a.section_path[-1], limit=RELATED_MAX + len(taken)):
            if len(out) >= RELATED_MAX:
                break
            if s.article.slug not in taken:
                taken.add(s.article.slug)
                out.append(
                    RelatedLink(
                        slug=s.article.slug, title=s.article.title, summary=s.article.summary, chosen=False
                    )
                )
    return out


def article(slug: str, lang: str | None, search_id: str | None) -> PublicArticle:
    """A published article; opening it counts a view (and the click of the search it came from)."""
    code = check_lang(lang)
    if not _SLUG.match(slug or "") or len(slug) > 120:
        raise NotFound("article_not_found")
    found = store.get(slug, code)
    if found is None or found.article.status != "published":
        raise NotFound("article_not_found")
    usage.count_view(slug, code)
    help_stats.record_view(utcnow())
    if search_id and SEARCH_ID.match(search_id):
        usage.log_click(search_id, slug)
    counters = usage.article_counters([(slug, code)]).get((slug, code), {})
    a = found.article
    other = "en" if code == "es" else "es"
    return copied(
        PublicArticle,
        a,
        html=a.html,
        stage_label=a.stage.label(code),
        translations={other: a.translation_of} if a.translation_of else {},
        views=counters.get("views", 0),
        helpful_pct=_pct(counters.get("helpful_yes", 0), counters.get("helpful_no", 0)),
        related=_related(a),
    )


# ---- contact flow: suggestions, deflection, feedback ---------------------------------------------------


def _check_subtype(type_code: str | None, subtype: str | None, prefix: str = "") -> str:
    if not type_code or not subtype:
        raise BadRequest("type_required")
    rtype = catalog_store.get_type(type_code)
    if rtype is None:
        raise ValidationFailed("validation_failed", errors=[FieldError(f"{prefix}type", "unknown_type")])
    if rtype.subtype(subtype) is None:
        raise ValidationFailed(
            "validation_failed", errors=[FieldError(f"{prefix}subtype", "unknown_subtype")]
        )
    return f"{type_code}/{subtype}"


def suggest(
    type_code: str | None, subtype: str | None, text: str | None, lang: str | None, limit: int
) -> SuggestOut:
    """What the contact flow shows before the form: the subtype's articles, then the best text matches."""
    code = check_lang(lang)
    request_type = _check_subtype(type_code, subtype)
    engine = _engine()
    linked_hits = _linked_in_order(engine, request_type, code, text)
    linked = [
        ArticleLink(
            slug=h.slug,
            lang=h.lang,
            title=h.title,
            summary=h.summary,
            section_path=h.section_path,
            stage=h.stage,
        )
        for h in linked_hits
    ]
    seen = {h.slug for h in linked_hits}
    matches = []
    confident = True
    if text and text.strip():
        found = engine.search(text, lang=code, limit=limit + len(seen))
        confident = found.confident
        if confident:  # a wrong article is worse than none: the citizen goes on to the form
            matches = [h for h in found.hits if h.slug not in seen][:limit]
    community: list[HelpCommunityAnswer] = []
    if text and text.strip():
        from ventanilla.services import forum_search

        community = [HelpCommunityAnswer(**a) for a in forum_search.accepted_answers(text, code)]
    return SuggestOut(
        type=type_code or "",
        subtype=subtype or "",
        lang=code,
        linked=linked,
        matches=matches,
        confident=confident,
        community=community,
    )


def _linked_in_order(
    engine: HelpSearchEngine, request_type: str, lang: str, text: str | None
) -> list[SearchHit]:
    """The subtype's own articles, best first: those that match what the citizen wrote (by score),
    then by stage of the process (information before payment), then by title. Without this the
    order was the index's internal one, which changes whenever an article is indexed again, so the
    portal's first five could drop the article that answers the question."""
    linked = engine.search("", lang=lang, request_type=request_type, limit=SUGGEST_LINKED_POOL).hits
    scores: dict[str, float] = {}
    if text and text.strip() and linked:
        found = engine.search(text, lang=lang, request_type=request_type, limit=SUGGEST_LINKED_POOL)
        scores = {h.slug: h.score for h in found.hits}
    stages = list(Stage)
    linked.sort(key=lambda h: (-scores.get(h.slug, 0.0), stages.index(h.stage), h.title.casefold(), h.slug))
    return linked[:SUGGEST_LINKED]


def _published_slugs(slugs: list[str]) -> set[str]:
    """The slugs among ``slugs`` (at most 40) of an article published in either language: one
    BatchGetItem."""
    if not slugs:
        return set()
    found = store.get_many([(s, lang) for s in slugs for lang in LANGS])
    return {slug for (slug, _), stored in found.items() if stored.article.status == "published"}


def deflection(body: DeflectionIn) -> DeflectionOut:
    """Count a contact attempt; the articles it names that do not exist (or are not published) are
    left out of what is kept and answered, the attempt still counts."""
    request_type = _check_subtype(body.type, body.subtype)
    known = _published_slugs(list(dict.fromkeys([*body.shown, *body.opened])))
    shown = [s for s in dict.fromkeys(body.shown) if s in known]
    opened = [s for s in dict.fromkeys(body.opened) if s in known]
    attempt_id = uuid.uuid4().hex[:16]
    now, resolved = utcnow(), body.outcome == "resolved"
    usage.record_deflection(attempt_id, now, request_type, body.lang, shown, opened, resolved)
    help_stats.record_deflection(now, request_type, resolved)
    seen = list(dict.fromkeys([*opened, *shown]))[:20]
    return DeflectionOut(id=attempt_id, outcome=body.outcome, seen_articles=seen)


def feedback(slug: str, body: FeedbackIn) -> FeedbackOut:
    """«¿Le fue útil?»: a vote and an optional comment, its personal data removed before it is kept;
    the portal sends the vote, then the comment with the same ``vote_id``, which counts it once."""
    if not _SLUG.match(slug or "") or len(slug) > 120:
        raise NotFound("article_not_found")
    found = store.get(slug, body.lang)
    if found is None or found.article.status != "published":
        raise NotFound("article_not_found")
    comment = redact(body.comment).strip() if body.comment else None
    now = utcnow()
    totals, counted = usage.add_feedback(
        slug, body.lang, body.helpful, comment or None, now, uuid.uuid4().hex[:12], body.vote_id
    )
    if counted:
        help_stats.record_vote(now, body.helpful)
    return FeedbackOut(slug=slug, lang=body.lang, **totals)


def seen_for_agent(slugs: list[str], lang: str) -> list[SeenArticle]:
    """The articles a citizen saw before filing, with their titles, for the agent's view."""
    wanted = [s for s in slugs[:20] if _SLUG.match(s)]
    found = store.get_many([(s, lang) for s in wanted]) if wanted else {}
    base = get_settings().public_base_url.rstrip("/")
    return [
        SeenArticle(
            slug=s,
            lang=lang,
            title=found[(s, lang)].article.title if (s, lang) in found else None,
            url=f"{base}/#/ayuda/{s}",
        )
        for s in wanted
    ]


# ---- editors: what citizens did -----------------------------------------------------------------------


def stats(principal: Principal, lang: str | None, limit: int, cursor: str | None) -> HelpStatsOut:
    """Per article: views and helpful %; per subtype: contact attempts and deflected %."""
    principal.require(*EDITORS)
    code = check_lang(lang)
    page, next_cursor = store.admin_page(code, None, limit, cursor)
    counters = usage.article_counters([s.article.key for s in page])
    articles = []
    for s in page:
        c = counters.get(s.article.key, {})
        yes, no = c.get("helpful_yes", 0), c.get("helpful_no", 0)
        articles.append(
            ArticleStats(
                slug=s.article.slug,
                lang=code,
                title=s.article.title,
                status=s.article.status,
                views=c.get("views", 0),
                helpful_yes=yes,
                helpful_no=no,
                helpful_pct=_pct(yes, no),
            )
        )
    articles.sort(key=lambda a: (-a.views, a.slug))
    subtypes = [(t.code, st.code) for t in catalog_store.list_types() for st in t.subtypes]
    totals = usage.deflection_totals([f"{t}/{st}" for t, st in subtypes])
    rows = []
    for t, st in subtypes:
        attempts, deflected = totals.get(f"{t}/{st}", (0, 0))
        rows.append(
            SubtypeStats(
                type=t,
                subtype=st,
                attempts=attempts,
                deflected=deflected,
                deflected_pct=deflection_pct(deflected, attempts),
            )
        )
    return HelpStatsOut(lang=code, articles=articles, next_cursor=next_cursor, subtypes=rows)


def content_gaps(principal: Principal, lang: str | None, limit: int) -> ContentGapsOut:
    """Searches that found nothing, most frequent first: what to write next."""
    principal.require(*EDITORS)
    code = check_lang(lang)
    engine = _engine()
    unknown = getattr(engine, "unknown_words", None)
    items = [
        ContentGap(
            query=str(g["query"]),
            count=int(g.get("count", 0)),
            unsure=int(g.get("unsure", 0)),
            last_at=datetime.fromisoformat(str(g["last_at"]).replace("Z", "+00:00")),
        )
        for g in usage.gaps(code, limit)
    ]
    items.sort(key=lambda g: (-(g.count + g.unsure), g.query))
    items = items[:limit]
    if callable(unknown) and code == "es":
        # Words of these searches the help does not use: candidates for the search terms page
        # (a citizen's word to map to the articles' word), most frequent first.
        weight: dict[str, int] = {}
        for g in items:
            g.candidates = list(unknown(g.query, code))
            for w in g.candidates:
                weight[w] = weight.get(w, 0) + g.count + g.unsure
        candidates = sorted(weight, key=lambda w: (-weight[w], w))[:MAX_TERM_CANDIDATES]
    else:
        candidates = []
    return ContentGapsOut(lang=code, items=items, term_candidates=candidates)


def search_log(principal: Principal, day: str | None, limit: int) -> SearchLogOut:
    principal.require(*EDITORS)
    when = day or utcnow().date().isoformat()
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", when):
        raise BadRequest("invalid_query", {"detail": "day=YYYY-MM-DD"})
    entries = [
        SearchLogEntry(
            id=str(e["id"]),
            at=datetime.fromisoformat(str(e["at"]).replace("Z", "+00:00")),
            query=str(e["query"]),
            lang=str(e["lang"]),
            section=e.get("section"),
            results=int(e.get("results", 0)),
            clicked=[str(c) for c in e.get("clicked", [])],
        )
        for e in usage.searches_of_day(when, limit)
    ]
    return SearchLogOut(day=when, items=entries)


# ---- index -------------------------------------------------------------------------------------------


def rebuild(engine: HelpSearchEngine | None = None) -> int:
    """Re-index every published article from the table (after changing analysis, or a lost index)."""
    from ventanilla.help.search.published import publish

    target = engine or _engine()
    articles = all_articles()
    target.clear()
    target.index(articles)  # drafts and archived ones are skipped by the engine
    publish(target)  # a published tantivy index: one upload of the whole rebuilt index
    return sum(1 for a in articles if a.status == "published")


def reindex(principal: Principal) -> ReindexOut:
    principal.require(*EDITORS)
    return ReindexOut(indexed=rebuild(), engine=get_settings().help_search_engine)
