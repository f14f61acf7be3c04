"""Editors' search terms: an institution's own words for what its articles call otherwise.

They join the packaged Latin American lexicon as one-way expansions of Spanish searches (below
the word as typed). The engine of each process reloads them at most once a minute, so an edit in
the console shows in searches within that time, on every function, without a deploy.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from ventanilla.auth import Principal
from ventanilla.errors import FieldError, NotFound, ValidationFailed
from ventanilla.help.models import SearchTerm, SearchTermIn, SearchTermList
from ventanilla.help.search.base import HelpSearchEngine
from ventanilla.help.search.text import Rule, default_lexicon, words
from ventanilla.models.common import utcnow
from ventanilla.services.help_content import EDITORS
from ventanilla.storage import help_terms as store

REFRESH_SECONDS = 60.0
TERM_WEIGHT = 0.6  # as the packaged lexicon: below the word as typed


_lock = threading.Lock()
_loaded: dict[int, float] = {}  # id(engine) -> when its terms were last loaded


def term_id(term: str) -> str:
    return "-".join(words(term))


def _out(item: dict[str, object]) -> SearchTerm:
    return SearchTerm(
        id=str(item["id"]),
        term=str(item["term"]),
        means=str(item["means"]),
        countries=[str(c) for c in item.get("countries") or []],  # type: ignore[attr-defined]
        note=str(item.get("note") or ""),
        updated_at=datetime.fromisoformat(str(item["updated_at"]).replace("Z", "+00:00")),
        updated_by=str(item.get("updated_by") or ""),
    )


def list_terms(principal: Principal) -> SearchTermList:
    principal.require(*EDITORS)
    items = sorted((_out(i) for i in store.list_terms()), key=lambda t: t.id)
    return SearchTermList(items=items, lexicon_entries=len(default_lexicon().rules))


def put_term(principal: Principal, body: SearchTermIn, engine: HelpSearchEngine | None = None) -> SearchTerm:
    """Create or replace the term (its folded words are its id)."""
    principal.require(*EDITORS)
    tid = term_id(body.term)
    errors = []
    if not tid:
        errors.append(FieldError("term", "term_no_words"))
    if not words(body.means):
        errors.append(FieldError("means", "term_no_words"))
    elif tid and words(body.means) == words(body.term):
        errors.append(FieldError("means", "term_same"))
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
    existing = {str(i["id"]) for i in store.list_terms()}
    if tid not in existing and len(existing) >= store.MAX_TERMS:
        raise ValidationFailed(
            "validation_failed", errors=[FieldError("term", "terms_full", {"max": store.MAX_TERMS})]
        )
    item = store.put_term(
        tid, body.term, body.means, list(body.countries), body.note, principal.username, utcnow()
    )
    if engine is not None:
        refresh(engine, force=True)
    return _out(item)


def delete_term(principal: Principal, tid: str, engine: HelpSearchEngine | None = None) -> None:
    principal.require(*EDITORS)
    if not store.delete_term(tid):
        raise NotFound("term_not_found")
    if engine is not None:
        refresh(engine, force=True)


def rules() -> list[Rule]:
    out = []
    for item in store.list_terms():
        phrase, means = tuple(words(str(item["term"]))), tuple(words(str(item["means"])))
        if phrase and means and phrase != means:
            countries = tuple(str(c) for c in item.get("countries") or [])
            out.append(
                Rule(phrase, (means,), TERM_WEIGHT, countries, f"institution: {item.get('note') or ''}")
            )
    return out


def refresh(engine: HelpSearchEngine, force: bool = False) -> None:
    """Give ``engine`` the current terms if it has none yet, if forced, or once a minute."""
    setter = getattr(engine, "set_rules", None)
    if not callable(setter):
        return
    now = time.monotonic()
    with _lock:
        last = _loaded.get(id(engine))
        if not force and last is not None and now - last < REFRESH_SECONDS:
            return
        _loaded[id(engine)] = now
    setter(rules())
