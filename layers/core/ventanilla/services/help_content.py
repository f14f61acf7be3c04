"""Editing the help centre (A1, A5): editors create, edit, publish, archive, reorder, import and
export articles; agents propose a reply of a resolved request as a draft.

Every change is one transaction (article + revision); the table's stream then updates the search
index, so nothing here talks to the search engine.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ventanilla import i18n
from ventanilla.auth import Principal
from ventanilla.errors import Conflict, FieldError, NotFound, ValidationFailed
from ventanilla.help.articles import Article, ImportIssue, Status, parse_jsonl, to_jsonl
from ventanilla.help.models import (
    AdminArticle,
    AdminArticleList,
    AdminArticleRow,
    ArticleEditIn,
    ArticleIn,
    ImportResult,
    ReorderIn,
    Revision,
    RevisionList,
)
from ventanilla.models.base import copied
from ventanilla.models.common import utcnow
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import help_articles as store
from ventanilla.storage.help_articles import StoredArticle

EDITORS = ("editor", "admin")
DEFAULT_POSITION = 1000
MAX_IMPORT_LINES = 500
ARTICLES_PER_TRANSACTION = store.MAX_TRANSACTION // 2  # article + revision each
CONTENT_FIELDS = (
    "title",
    "summary",
    "body_md",
    "translation_of",
    "section_path",
    "section_titles",
    "stage",
    "tags",
    "request_types",
    "related",
)


def slug_of(title: str) -> str:
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:100].strip("-")
    return slug if len(slug) >= 3 else f"articulo-{uuid.uuid4().hex[:8]}"


def _snapshot(a: Article) -> dict[str, Any]:
    data: dict[str, Any] = a.model_dump(mode="json", include=set(CONTENT_FIELDS) | {"status"})
    return data


def _changed(old: Article | None, new: Article) -> list[str]:
    if old is None:
        return list(CONTENT_FIELDS)
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    return [f for f in (*CONTENT_FIELDS, "status") if before.get(f) != after.get(f)]


def new_revision(
    number: int,
    now: datetime,
    by: str,
    action: Any,
    old: Article | None,
    new: Article,
    note: str | None = None,
) -> Revision:
    return Revision(
        revision=number,
        at=now,
        by=by,
        action=action,
        changed=_changed(old, new),
        note=note,
        status=new.status,
        snapshot=_snapshot(new),
    )


def admin_view(s: StoredArticle) -> AdminArticle:
    a = s.article
    return AdminArticle(
        **a.model_dump(exclude={"body_md"}),
        body_md=a.body_md,
        html=a.html,
        translations=[a.translation_of] if a.translation_of else [],
        revision=s.revision,
        position=s.position,
        created_at=s.created_at,
        created_by=s.created_by,
        published_at=s.published_at,
    )


def _row(s: StoredArticle) -> AdminArticleRow:
    return copied(AdminArticleRow, s.article, revision=s.revision, position=s.position)


def _known_types() -> set[str]:
    codes: set[str] = set()
    for t in catalog_store.list_types():
        codes.add(t.code)
        codes.update(f"{t.code}/{s.code}" for s in t.subtypes)
    return codes


def _type_errors(types: Iterable[str], known: set[str], prefix: str = "") -> list[FieldError]:
    return [
        FieldError(f"{prefix}request_types.{i}", "unknown_request_type", {"value": code})
        for i, code in enumerate(types)
        if code not in known
    ]


def _related_errors(
    slug: str, lang: str, related: Sequence[str], prefix: str = "", existing: set[str] | None = None
) -> list[FieldError]:
    """Each related slug must name another article of the same language: one BatchGetItem, or
    ``existing`` (the slugs an import already looked up or writes itself)."""
    if existing is None:
        others = [r for r in related if r != slug]
        existing = {k[0] for k in store.get_many([(r, lang) for r in others])} if others else set()
    errors = []
    for i, r in enumerate(related):
        if r == slug:
            errors.append(FieldError(f"{prefix}related.{i}", "related_self"))
        elif r not in existing:
            errors.append(
                FieldError(f"{prefix}related.{i}", "unknown_related", {"value": r, "language": lang})
            )
    return errors


def validated_article(data: dict[str, Any]) -> Article:
    """An Article from editor input; cross-field problems (titles per section) become 422 too."""
    from pydantic import ValidationError

    try:
        return Article.model_validate(data)
    except ValidationError as error:
        errors = [
            FieldError(".".join(str(p) for p in e["loc"]) or "body", e["type"], _params(e))
            for e in error.errors(include_url=False)
        ]
        raise ValidationFailed("validation_failed", errors=errors) from error


def _params(e: Any) -> dict[str, Any]:
    if e["type"] == "value_error":
        return {"detail": str(e.get("msg", "")).removeprefix("Value error, ")}
    return {k: v for k, v in (e.get("ctx") or {}).items() if isinstance(v, str | int | float)}


def _existing(slug: str, lang: str) -> StoredArticle:
    found = store.get(slug, lang, consistent=True)
    if found is None:
        raise NotFound("article_not_found")
    return found


def _check_revision(found: StoredArticle, revision: int | None) -> None:
    if revision is not None and revision != found.revision:
        raise Conflict("stale_revision")


# ---- editors ----------------------------------------------------------------------------------


def create(principal: Principal, body: ArticleIn) -> AdminArticle:
    principal.require(*EDITORS)
    errors = _type_errors(body.request_types, _known_types())
    errors += _related_errors(body.slug, body.lang, body.related)
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
    now = utcnow()
    article = validated_article(
        {**body.model_dump(), "status": "draft", "updated_at": now, "updated_by": principal.username}
    )
    stored = StoredArticle(article, 1, DEFAULT_POSITION, now, principal.username)
    store.save(stored, None, new_revision(1, now, principal.username, "created", None, article))
    return admin_view(stored)


def get(principal: Principal, slug: str, lang: str) -> AdminArticle:
    principal.require(*EDITORS)
    return admin_view(_existing(slug, lang))


def list_articles(
    principal: Principal, lang: str, status: str | None, limit: int, cursor: str | None
) -> AdminArticleList:
    principal.require(*EDITORS)
    page, next_cursor = store.admin_page(lang, status, limit, cursor)
    return AdminArticleList(items=[_row(s) for s in page], next_cursor=next_cursor)


def edit(principal: Principal, slug: str, lang: str, body: ArticleEditIn) -> AdminArticle:
    """Replace the content; an archived article comes back as a draft, a published one stays live."""
    principal.require(*EDITORS)
    found = _existing(slug, lang)
    _check_revision(found, body.revision)
    errors = _type_errors(body.request_types, _known_types())
    errors += _related_errors(slug, lang, body.related)
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
    now = utcnow()
    status = "draft" if found.article.status == "archived" else found.article.status
    data = {
        **found.article.model_dump(),
        **body.model_dump(exclude={"revision"}),
        "status": status,
        "updated_at": now,
        "updated_by": principal.username,
    }
    article = validated_article(data)
    if not _changed(found.article, article):
        return admin_view(found)
    return _save_change(found, article, principal.username, "edited", now)


def _save_change(
    found: StoredArticle,
    article: Article,
    by: str,
    action: Any,
    now: datetime,
    position: int | None = None,
    note: str | None = None,
) -> AdminArticle:
    published_at = now if article.status == "published" and found.article.status != "published" else None
    stored = StoredArticle(
        article,
        found.revision + 1,
        found.position if position is None else position,
        found.created_at,
        found.created_by,
        published_at or found.published_at,
    )
    rev = new_revision(stored.revision, now, by, action, found.article, article, note)
    store.save(stored, found.revision, rev)
    return admin_view(stored)


def set_status(
    principal: Principal, slug: str, lang: str, status: Status, revision: int | None
) -> AdminArticle:
    """Publish or archive; doing it again changes nothing (and writes no revision)."""
    principal.require(*EDITORS)
    found = _existing(slug, lang)
    _check_revision(found, revision)
    if found.article.status == status:
        return admin_view(found)
    if status == "published" and found.article.status == "archived":
        raise Conflict("article_archived")
    now = utcnow()
    article = found.article.model_copy(
        update={"status": status, "updated_at": now, "updated_by": principal.username}
    )
    return _save_change(found, article, principal.username, status, now)


def revisions(principal: Principal, slug: str, lang: str) -> RevisionList:
    principal.require(*EDITORS)
    _existing(slug, lang)
    return RevisionList(slug=slug, lang=lang, items=store.revisions(slug, lang))


def reorder(principal: Principal, body: ReorderIn) -> AdminArticleList:
    """Set the order of the articles published directly in one section (one transaction)."""
    principal.require(*EDITORS)
    errors = [
        FieldError(f"slugs.{i}", "duplicate_in_list") for i, s in enumerate(body.slugs) if s in body.slugs[:i]
    ]
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
    found = store.get_many([(s, body.lang) for s in body.slugs])
    for i, slug in enumerate(body.slugs):
        s = found.get((slug, body.lang))
        if s is None or s.article.status != "published" or s.article.section_path[-1] != body.section:
            errors.append(FieldError(f"slugs.{i}", "not_in_section", {"section": body.section}))
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
    now = utcnow()
    items: list[dict[str, Any]] = []
    result: list[StoredArticle] = []
    for i, slug in enumerate(body.slugs):
        old = found[(slug, body.lang)]
        position = (i + 1) * 10
        if position == old.position:
            result.append(old)
            continue
        article = old.article.model_copy(update={"updated_at": now, "updated_by": principal.username})
        stored = StoredArticle(
            article, old.revision + 1, position, old.created_at, old.created_by, old.published_at
        )
        rev = new_revision(
            stored.revision,
            now,
            principal.username,
            "reordered",
            old.article,
            article,
            f"posición {position}",
        )
        items += store.change_items(stored, old.revision, rev)
        result.append(stored)
    if items:
        store.write(items)
    return AdminArticleList(items=[_row(s) for s in result])


# ---- import / export --------------------------------------------------------------------------


def _issue_error(issue: ImportIssue) -> FieldError:
    field = f"lines.{issue.line}" + (f".{issue.field}" if issue.field else "")
    if issue.code and i18n.has_message(issue.code):
        return FieldError(field, issue.code, dict(issue.params))
    return FieldError(field, "import_line", {"detail": issue.message})


def import_jsonl(principal: Principal, text: str) -> ImportResult:
    """Validate every line first (errors name the line); then write all of it or nothing."""
    principal.require(*EDITORS)
    lines = text.splitlines()
    report = parse_jsonl(lines, "import")
    if not report.ok:
        raise ValidationFailed("validation_failed", errors=[_issue_error(e) for e in report.errors])
    if not report.articles:
        raise ValidationFailed("import_empty", errors=[FieldError("body", "import_empty")])
    if len(report.articles) > MAX_IMPORT_LINES:
        raise ValidationFailed(
            "import_too_large", errors=[FieldError("body", "import_too_large", {"max": MAX_IMPORT_LINES})]
        )
    numbered = [n for n, raw in enumerate(lines, start=1) if raw.strip()]
    known = _known_types()
    errors: list[FieldError] = []
    present = {a.key for a in report.articles}
    outside = [(r, a.lang) for a in report.articles for r in a.related if (r, a.lang) not in present]
    present |= set(store.get_many(outside)) if outside else set()
    for line, article in zip(numbered, report.articles, strict=True):
        errors += _type_errors(article.request_types, known, f"lines.{line}.")
        existing = {slug for slug, lang in present if lang == article.lang}
        errors += _related_errors(article.slug, article.lang, article.related, f"lines.{line}.", existing)
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
    return write_import(report.articles, principal.username)


def write_import(articles: Sequence[Article], by: str, now: datetime | None = None) -> ImportResult:
    """Upsert validated articles (the status each line gives), in transactions of 50; if one
    fails, the ones already written are put back as they were, so nothing is half applied."""
    now = now or utcnow()
    previous = store.get_many([a.key for a in articles])
    changes: list[tuple[StoredArticle, int | None, Revision]] = []
    created = updated = 0
    for a in articles:
        old = previous.get(a.key)
        article = a.model_copy(update={"updated_by": by})
        if old is None:
            created += 1
            stored = StoredArticle(
                article, 1, DEFAULT_POSITION, now, by, now if article.status == "published" else None
            )
            changes.append((stored, None, new_revision(1, now, by, "imported", None, article)))
        else:
            updated += 1
            published_at = old.published_at or (now if article.status == "published" else None)
            stored = StoredArticle(
                article, old.revision + 1, old.position, old.created_at, old.created_by, published_at
            )
            changes.append(
                (
                    stored,
                    old.revision,
                    new_revision(stored.revision, now, by, "imported", old.article, article),
                )
            )
    done: dict[tuple[str, str], StoredArticle | None] = {}
    revisions_written: list[tuple[str, str, int]] = []
    for start in range(0, len(changes), ARTICLES_PER_TRANSACTION):
        chunk = changes[start : start + ARTICLES_PER_TRANSACTION]
        items = [i for stored, prev, rev in chunk for i in store.change_items(stored, prev, rev)]
        try:
            store.write(items, conflict="stale_revision")
        except Exception:
            store.restore(done, revisions_written)
            raise
        for stored, _prev, rev in chunk:
            done[stored.article.key] = previous.get(stored.article.key)
            revisions_written.append((stored.article.slug, stored.article.lang, rev.revision))
    return ImportResult(
        imported=len(changes),
        created=created,
        updated=updated,
        slugs=[a.slug for a in articles][:MAX_IMPORT_LINES],
    )


def all_articles(lang: str | None = None) -> list[Article]:
    """Every article (any status) of one or both languages: an export job, page by page."""
    out: list[Article] = []
    for code in (lang,) if lang else ("es", "en"):
        cursor: str | None = None
        while True:
            page, cursor = store.admin_page(code, None, store.MAX_PAGE, cursor)
            out += [s.article for s in page]
            if not cursor:
                break
    return sorted(out, key=lambda a: (a.lang, a.section_path, a.slug))


def export_jsonl(principal: Principal, lang: str | None) -> str:
    principal.require(*EDITORS)
    return to_jsonl(all_articles(lang))
