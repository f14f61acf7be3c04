"""Public help centre routes: search, sections, stages, the most consulted, articles, suggestions,
feedback, deflections."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import CODE, LANG, Area, json_response, limit, q, query_int
from ventanilla.help.articles import SLUG_PATTERN, Stage
from ventanilla.help.models import (
    DeflectionIn,
    DeflectionOut,
    FeedbackIn,
    FeedbackOut,
    HelpSearchOut,
    PopularOut,
    PublicArticle,
    SectionsOut,
    StagesOut,
    SuggestOut,
)
from ventanilla.services import help_public

bp = Blueprint(__name__)
CACHE = {"Cache-Control": "public, max-age=30"}
SECTION = q("only this section (any level) and its subsections", pattern=SLUG_PATTERN, maxLength=80)


def _params() -> dict[str, str]:
    return dict(bp.current_request.query_params or {})


public = Area(bp, "help")


@public.get(
    "/api/v1/help/search",
    response=HelpSearchOut,
    query={
        "q": q("what the citizen typed (required unless section or stage is given)"),
        "lang": LANG,
        "section": SECTION,
        "stage": q("only this process stage", enum=[s.value for s in Stage]),
        "limit": limit(1, 50, 10),
    },
)
def search() -> Response:
    """Search published help articles (typos, accents and synonyms tolerated), grouped by section"""
    p = _params()
    limit = query_int(bp.current_request, "limit", 10, 1, 50)
    result = help_public.search(p.get("q"), p.get("lang"), p.get("section"), p.get("stage"), None, limit)
    return json_response(result, headers={"Cache-Control": "no-store"})


@public.get("/api/v1/help/sections", response=SectionsOut, query={"lang": LANG, "section": SECTION})
def sections() -> Response:
    """The tree of sections and subsections with article counts; drill down with section"""
    p = _params()
    return json_response(help_public.sections(p.get("lang"), p.get("section")), headers=CACHE)


@public.get("/api/v1/help/stages", response=StagesOut, query={"lang": LANG})
def stages() -> Response:
    """The menu by process stage: each stage, its count and its articles"""
    return json_response(help_public.stages(_params().get("lang")), headers=CACHE)


@public.get("/api/v1/help/popular", response=PopularOut, query={"lang": LANG, "limit": limit(1, 20, 6)})
def popular() -> Response:
    """The most consulted published articles, most viewed first (else the editors' first ones)"""
    limit = query_int(bp.current_request, "limit", 6, 1, 20)
    return json_response(help_public.popular(_params().get("lang"), limit), headers=CACHE)


@public.get(
    "/api/v1/help/articles/{slug}",
    response=PublicArticle,
    query={"lang": LANG, "search_id": q("the search it was opened from, if any", maxLength=64)},
)
def article(slug: str) -> Response:
    """A published article as sanitised HTML (counts a view)"""
    p = _params()
    found = help_public.article(slug, p.get("lang"), p.get("search_id"))
    return json_response(found, headers={"Cache-Control": "no-store"})


@public.post("/api/v1/help/articles/{slug}/feedback", body=FeedbackIn, response=FeedbackOut, status=201)
def feedback(slug: str, body: FeedbackIn) -> Response:
    """«¿Le fue útil?»: yes or no, with an optional comment"""
    return json_response(help_public.feedback(slug, body), status=201)


@public.get(
    "/api/v1/help/suggest",
    response=SuggestOut,
    query={
        "type": q("request type code", pattern=CODE, required=True),
        "subtype": q("request subtype code", pattern=CODE, required=True),
        "text": q("what the citizen wrote so far (optional)", maxLength=2000),
        "lang": LANG,
        "limit": limit(1, 20, 5),
    },
)
def suggest() -> Response:
    """What to read before contacting: the subtype's articles plus the best text matches"""
    p = _params()
    limit = query_int(bp.current_request, "limit", 5, 1, 20)
    found = help_public.suggest(p.get("type"), p.get("subtype"), p.get("text"), p.get("lang"), limit)
    return json_response(found, headers={"Cache-Control": "no-store"})


@public.post("/api/v1/help/deflections", body=DeflectionIn, response=DeflectionOut, status=201)
def deflection(body: DeflectionIn) -> Response:
    """The outcome of a contact attempt: resolved by the articles, or went on to the form"""
    return json_response(help_public.deflection(body), status=201)
