"""Editors' help centre routes (Cognito group ``editor``): articles, revisions, order, import and
export, index rebuild, usage statistics; and the agents' "reply to draft article" (A5)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import (
    CURSOR,
    LANG,
    Area,
    json_response,
    limit,
    parse_text_body,
    principal_of,
    q,
    query_int,
    query_params,
)
from ventanilla.auth import Principal
from ventanilla.errors import BadRequest
from ventanilla.help.articles import Article, render_html
from ventanilla.help.models import (
    AdminArticle,
    AdminArticleList,
    ArticleEditIn,
    ArticleIn,
    ContentGapsOut,
    DraftFromReplyIn,
    ForumDraftFromAnswerIn,
    HelpPreviewIn,
    HelpPreviewOut,
    HelpStatsOut,
    ImportResult,
    ReindexOut,
    ReorderIn,
    RevisionIn,
    RevisionList,
    SearchLogOut,
    SearchTerm,
    SearchTermIn,
    SearchTermList,
)
from ventanilla.help.search.shared import shared_engine
from ventanilla.services import help_content, help_drafts, help_public, help_terms

bp = Blueprint(__name__)


def _article(slug: str) -> AdminArticle:
    """The article as editors see it (the audit trail's "before" and "after")."""
    return help_content.get(principal_of(bp.current_request), slug, _lang())


NO_STORE = {"Cache-Control": "no-store"}
JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")
LANG_QUERY = {"lang": LANG}


def _lang() -> str:
    return help_public.check_lang(query_params(bp.current_request).get("lang"))


def _status() -> str | None:
    raw = query_params(bp.current_request).get("status")
    if raw and raw not in ("draft", "published", "archived"):
        raise BadRequest("invalid_query", {"detail": "status=draft|published|archived"})
    return raw or None


editors = Area(bp, "help-admin", roles=help_content.EDITORS)
article_changes = editors.sharing(
    response=AdminArticle, query=LANG_QUERY, audit="help-article", before=_article
)
"""Routes that change one article (the audit trail's before and after: the article)."""
agent = Area(bp, "agent", auth=True)


@editors.get(
    "/api/v1/admin/help/articles",
    response=AdminArticleList,
    query={
        **LANG_QUERY,
        "status": q("draft, published or archived", enum=["draft", "published", "archived"]),
        "limit": limit(1, 100, 50),
        "cursor": CURSOR,
    },
)
def list_articles(principal: Principal) -> Response:
    """Every article of a language, last edited first"""
    request = bp.current_request
    limit = query_int(request, "limit", 50, 1, 100)
    cursor = query_params(request).get("cursor")
    found = help_content.list_articles(principal, _lang(), _status(), limit, cursor)
    return json_response(found, headers=NO_STORE)


@editors.post(
    "/api/v1/admin/help/articles", body=ArticleIn, response=AdminArticle, status=201, audit="help-article"
)
def create_article(principal: Principal, body: ArticleIn) -> Response:
    """Create an article (as a draft)"""
    return json_response(help_content.create(principal, body), status=201)


@editors.get("/api/v1/admin/help/articles/{slug}", response=AdminArticle, query=LANG_QUERY)
def get_article(slug: str, principal: Principal) -> Response:
    """An article with its Markdown, HTML preview, status and revision"""
    found = help_content.get(principal, slug, _lang())
    return json_response(found, headers=NO_STORE)


@article_changes.put("/api/v1/admin/help/articles/{slug}", body=ArticleEditIn)
def edit_article(slug: str, principal: Principal, body: ArticleEditIn) -> Response:
    """Replace an article's content (send the revision you edited)"""
    return json_response(help_content.edit(principal, slug, _lang(), body))


@article_changes.post("/api/v1/admin/help/articles/{slug}/publish", body=RevisionIn)
def publish_article(slug: str, principal: Principal, body: RevisionIn) -> Response:
    """Publish: citizens see it and search finds it within seconds"""
    return json_response(help_content.set_status(principal, slug, _lang(), "published", body.revision))


@article_changes.post("/api/v1/admin/help/articles/{slug}/archive", body=RevisionIn)
def archive_article(slug: str, principal: Principal, body: RevisionIn) -> Response:
    """Archive: removed from the help centre and from search"""
    return json_response(help_content.set_status(principal, slug, _lang(), "archived", body.revision))


@editors.get("/api/v1/admin/help/articles/{slug}/revisions", response=RevisionList, query=LANG_QUERY)
def article_revisions(slug: str, principal: Principal) -> Response:
    """Revision history: who changed what and when, newest first"""
    found = help_content.revisions(principal, slug, _lang())
    return json_response(found, headers=NO_STORE)


@editors.post("/api/v1/admin/help/preview", body=HelpPreviewIn, response=HelpPreviewOut)
def preview_markdown(body: HelpPreviewIn) -> Response:
    """Render Markdown exactly as the help centre shows it (nothing is stored)"""
    return json_response(HelpPreviewOut(html=render_html(body.body_md)), headers=NO_STORE)


@editors.post(
    "/api/v1/admin/help/reorder",
    body=ReorderIn,
    response=AdminArticleList,
    audit="help-section",
    audit_action="reorder",
)
def reorder(principal: Principal, body: ReorderIn) -> Response:
    """Order the articles published directly in one section"""
    return json_response(help_content.reorder(principal, body))


@editors.post(
    "/api/v1/admin/help/import",
    body=Article,
    text_body="application/x-ndjson",
    response=ImportResult,
    status=201,
    audit="help-article",
    audit_action="import",
)
def import_articles(principal: Principal) -> Response:
    """Bulk import, JSON Lines (one article per line): all lines or none, errors by line"""
    request = bp.current_request
    text = parse_text_body(request, JSONL_TYPES, "unsupported_import_type")
    return json_response(help_content.import_jsonl(principal, text), status=201)


@editors.get(
    "/api/v1/admin/help/export",
    text_response="application/x-ndjson",
    query={"lang": q("es or en (default: both)", enum=["es", "en"])},
)
def export_articles(principal: Principal) -> Response:
    """Bulk export, JSON Lines (the import's format), every status"""
    request = bp.current_request
    raw_lang = query_params(request).get("lang")
    lang = help_public.check_lang(raw_lang) if raw_lang else None
    text = help_content.export_jsonl(principal, lang)
    return Response(
        body=text,
        status_code=200,
        headers={
            "Content-Type": "application/x-ndjson; charset=utf-8",
            "Content-Disposition": f'attachment; filename="ayuda-{lang or "todo"}.jsonl"',
            **NO_STORE,
        },
    )


@editors.post("/api/v1/admin/help/reindex", response=ReindexOut, audit="help-index", audit_action="reindex")
def reindex(principal: Principal) -> Response:
    """Rebuild the search index from the table"""
    return json_response(help_public.reindex(principal))


@editors.get(
    "/api/v1/admin/help/stats",
    response=HelpStatsOut,
    query={**LANG_QUERY, "limit": limit(1, 100, 100), "cursor": CURSOR},
)
def stats(principal: Principal) -> Response:
    """Per article views and helpful %; per request subtype contact attempts and deflected %"""
    request = bp.current_request
    limit = query_int(request, "limit", 100, 1, 100)
    cursor = query_params(request).get("cursor")
    found = help_public.stats(principal, _lang(), limit, cursor)
    return json_response(found, headers=NO_STORE)


@editors.get(
    "/api/v1/admin/help/content-gaps",
    response=ContentGapsOut,
    query={**LANG_QUERY, "limit": limit(1, 500, 100)},
)
def content_gaps(principal: Principal) -> Response:
    """Searches that found nothing, most frequent first (no personal data)"""
    request = bp.current_request
    limit = query_int(request, "limit", 100, 1, 500)
    return json_response(help_public.content_gaps(principal, _lang(), limit), headers=NO_STORE)


@editors.get(
    "/api/v1/admin/help/searches",
    response=SearchLogOut,
    query={"day": q("YYYY-MM-DD (default today, UTC)", format="date"), "limit": limit(1, 500, 200)},
)
def searches(principal: Principal) -> Response:
    """The search log of one day: query, result count, articles opened"""
    request = bp.current_request
    limit = query_int(request, "limit", 200, 1, 500)
    day = query_params(request).get("day")
    return json_response(help_public.search_log(principal, day, limit), headers=NO_STORE)


@editors.post(
    "/api/v1/forum/topics/{topic_id}/help-draft",
    body=ForumDraftFromAnswerIn,
    response=AdminArticle,
    status=201,
    audit="help-article",
    audit_action="draft",
)
def draft_from_forum_answer(topic_id: str, principal: Principal, body: ForumDraftFromAnswerIn) -> Response:
    """Turn a forum topic's accepted answer into a draft help article (personal data removed)"""
    found = help_drafts.draft_from_forum_answer(principal, topic_id, body)
    return json_response(found, status=201)


@agent.post(
    "/api/v1/agent/tickets/{number}/help-draft",
    body=DraftFromReplyIn,
    response=AdminArticle,
    status=201,
    audit="help-article",
    audit_action="draft",
)
def draft_from_reply(number: str, principal: Principal, body: DraftFromReplyIn) -> Response:
    """Turn a public reply of a resolved request into a draft help article"""
    return json_response(help_drafts.draft_from_reply(principal, number, body), status=201)


@editors.get("/api/v1/admin/help/synonyms", response=SearchTermList)
def list_search_terms(principal: Principal) -> Response:
    """The institution's own search terms (its words for what the articles call otherwise)"""
    return json_response(help_terms.list_terms(principal), headers=NO_STORE)


@editors.post(
    "/api/v1/admin/help/synonyms", body=SearchTermIn, response=SearchTerm, status=201, audit="help-term"
)
def put_search_term(principal: Principal, body: SearchTermIn) -> Response:
    """Add or replace a search term: a word citizens use and the words the articles use"""
    return json_response(help_terms.put_term(principal, body, shared_engine()), status=201)


@editors.delete("/api/v1/admin/help/synonyms/{term_id}", status=204, audit="help-term")
def delete_search_term(term_id: str, principal: Principal) -> Response:
    """Delete a search term"""
    help_terms.delete_term(principal, term_id, shared_engine())
    return Response(body="", status_code=204)
