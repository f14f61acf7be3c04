"""Help articles: the model, safe HTML rendering and bulk import/export (JSON Lines, Markdown folders).

Editors write Markdown; citizens get sanitised HTML. Imports are all-or-nothing so a half-valid
file never reaches the help centre, and every bad line is reported at once so editors fix them
in one pass.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, TextIO

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from ventanilla import safe_json
from ventanilla.errors import BadRequest
from ventanilla.i18n import message
from ventanilla.models.base import Model

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
REQUEST_TYPE_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)?$"

MAX_TITLE = 200
MAX_SUMMARY = 500
MAX_BODY = 50_000
MAX_RELATED = 5

Lang = Literal["es", "en"]
Status = Literal["draft", "published", "archived"]
Slug = Annotated[str, StringConstraints(min_length=3, max_length=120, pattern=SLUG_PATTERN)]
SectionSlug = Annotated[str, StringConstraints(min_length=2, max_length=80, pattern=SLUG_PATTERN)]
RequestType = Annotated[str, StringConstraints(min_length=3, max_length=120, pattern=REQUEST_TYPE_PATTERN)]


class Stage(StrEnum):
    """Stage of a citizen's process; the help menu lists articles by stage (requirement A1)."""

    INFORMACION = "informacion"
    REGISTRO = "registro"
    EVALUACION = "evaluacion"
    PAGO = "pago"
    ENTREGA = "entrega"
    SEGUIMIENTO = "seguimiento"

    def label(self, lang: str = "es") -> str:
        return STAGE_LABELS[self][lang if lang in ("es", "en") else "es"]


STAGE_LABELS: dict[Stage, dict[str, str]] = {
    Stage.INFORMACION: {"es": "Información", "en": "Information"},
    Stage.REGISTRO: {"es": "Registro y postulación", "en": "Registration and application"},
    Stage.EVALUACION: {"es": "Evaluación", "en": "Review"},
    Stage.PAGO: {"es": "Pago", "en": "Payment"},
    Stage.ENTREGA: {"es": "Entrega", "en": "Delivery"},
    Stage.SEGUIMIENTO: {"es": "Seguimiento", "en": "Follow-up"},
}


class Article(Model):
    """One help article in one language; ``(slug, lang)`` identifies it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: Slug
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    summary: str = Field(min_length=1, max_length=MAX_SUMMARY)
    body_md: str = Field(min_length=1, max_length=MAX_BODY)
    lang: Lang = "es"
    translation_of: Slug | None = None
    section_path: list[SectionSlug] = Field(min_length=1, max_length=6)
    section_titles: list[Annotated[str, StringConstraints(min_length=1, max_length=120)]] = Field(
        min_length=1, max_length=6
    )
    stage: Stage
    tags: list[Annotated[str, StringConstraints(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=20
    )
    request_types: list[RequestType] = Field(default_factory=list, max_length=20)
    related: list[Slug] = Field(default_factory=list, max_length=MAX_RELATED)
    """Editors' choice of articles to read next (same language); checked against the table on save."""
    status: Status = "draft"
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    updated_by: str = Field(default="sistema", min_length=1, max_length=120)

    @field_validator("tags")
    @classmethod
    def _normalise_tags(cls, tags: list[str]) -> list[str]:
        # Tags are matched case-insensitively; keep one copy of each.
        return list(dict.fromkeys(t.strip().lower() for t in tags))

    @field_validator("request_types", "related")
    @classmethod
    def _dedupe(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(values))

    @field_validator("updated_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        # Naive timestamps from spreadsheets are taken as UTC so comparisons never fail.
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @model_validator(mode="after")
    def _consistent(self) -> Article:
        if len(self.section_titles) != len(self.section_path):
            raise ValueError("section_titles must have one title per entry of section_path")
        if self.translation_of is not None and self.translation_of == self.slug:
            raise ValueError("translation_of must name a different article")
        if self.slug in self.related:
            raise ValueError("related must not name the article itself")
        return self

    @property
    def key(self) -> tuple[str, str]:
        return (self.slug, self.lang)

    @property
    def html(self) -> str:
        return render_html(self.body_md)


# --- rendering ------------------------------------------------------------------------------

_MD: Any = None


def _markdown() -> Any:
    """The Markdown parser, made on first use (markdown-it loads only for routes that render)."""
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt

        _MD = MarkdownIt("commonmark", {"linkify": False, "typographer": False}).enable("table")
    return _MD


_ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "del", "sub", "sup", "code", "pre", "kbd",
    "blockquote", "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}


def render_html(body_md: str) -> str:
    """Markdown (CommonMark + tables) to HTML that is safe to embed in the portal.

    Raw HTML in the Markdown is allowed through the parser and then cleaned by nh3, so scripts,
    event handlers, styles and ``javascript:`` URLs never survive; links get ``rel="noopener
    noreferrer"``.
    """
    import nh3  # lazy: only routes that render an article

    raw = _markdown().render(body_md)
    return nh3.clean(
        raw,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def plain_text(body_md: str) -> str:
    """The readable text of Markdown (no markup, no URLs), for indexing and snippets."""
    parts: list[str] = []
    for token in _markdown().parse(body_md):
        if token.type == "inline" and token.children:
            text = "".join(c.content for c in token.children if c.type in ("text", "code_inline"))
            parts.append(text)
        elif token.type in ("code_block", "fence"):
            parts.append(token.content.strip())
    return "\n".join(p for p in parts if p)


# --- import / export ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportIssue:
    """One problem in an import: where (file and line), which field, and what is wrong."""

    source: str
    line: int
    field: str
    message: str
    code: str = ""
    """pydantic's error type (or our own), so an API can word the message in the reader's language."""
    params: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.field or '(line)'}: {self.message}"


@dataclass
class ImportReport:
    """Result of validating an import. ``articles`` is empty unless every entry was valid."""

    articles: list[Article] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})


class ArticleImportError(ValueError):
    """Raised by the ``load_*`` helpers when any entry is invalid; ``report.errors`` lists them all."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        lines = "\n".join(str(e) for e in report.errors[:50])
        more = f"\n... and {len(report.errors) - 50} more" if len(report.errors) > 50 else ""
        super().__init__(f"{len(report.errors)} problem(s) in the import:\n{lines}{more}")


def _issues(source: str, line: int, exc: ValidationError) -> list[ImportIssue]:
    return [
        ImportIssue(
            source,
            line,
            ".".join(str(p) for p in err["loc"]),
            err["msg"],
            err["type"],
            {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, str | int | float)},
        )
        for err in exc.errors()
    ]


def _finish(report: ImportReport) -> ImportReport:
    if report.errors:
        report.articles = []
        report.errors.sort(key=lambda e: (e.source, e.line))
    return report


def _check_duplicate(
    article: Article, seen: dict[tuple[str, str], int], source: str, line: int, report: ImportReport
) -> None:
    if article.key in seen:
        msg = f"duplicate slug '{article.slug}' for lang '{article.lang}' (first at line {seen[article.key]})"
        report.errors.append(
            ImportIssue(source, line, "slug", msg, "import_duplicate", {"first": seen[article.key]})
        )
    else:
        seen[article.key] = line
        report.articles.append(article)


def parse_jsonl(lines: Iterable[str], source: str = "<jsonl>") -> ImportReport:
    """Validate JSON Lines (one article per line; blank lines skipped); never raises on content."""
    report = ImportReport()
    seen: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            data = safe_json.loads(raw)  # the API's limits: depth, numbers, string lengths
        except BadRequest as exc:
            detail = message(exc.code, "en", **exc.params).rstrip(".")
            report.errors.append(
                ImportIssue(
                    source, number, "", f"invalid JSON: {detail}", "import_bad_json", {"detail": detail}
                )
            )
            continue
        if not isinstance(data, dict):
            report.errors.append(
                ImportIssue(source, number, "", "each line must be a JSON object", "import_not_object")
            )
            continue
        try:
            article = Article.model_validate(data)
        except ValidationError as exc:
            report.errors.extend(_issues(source, number, exc))
            continue
        _check_duplicate(article, seen, source, number, report)
    return _finish(report)


def load_jsonl(src: str | Path | TextIO) -> list[Article]:
    """Read articles from a JSON Lines file (path or open text file); raise :class:`ArticleImportError`."""
    if isinstance(src, str | Path):
        with Path(src).open(encoding="utf-8") as fh:
            report = parse_jsonl(fh, str(src))
    else:
        report = parse_jsonl(src, getattr(src, "name", "<jsonl>"))
    if not report.ok:
        raise ArticleImportError(report)
    return report.articles


def to_jsonl(articles: Iterable[Article]) -> str:
    """One compact JSON object per line, UTF-8 text kept readable (no \\u escapes)."""
    return "".join(json.dumps(a.model_dump(mode="json"), ensure_ascii=False) + "\n" for a in articles)


def dump_jsonl(articles: Iterable[Article], dest: str | Path | TextIO) -> None:
    text = to_jsonl(articles)
    if isinstance(dest, str | Path):
        Path(dest).write_text(text, encoding="utf-8")
    else:
        dest.write(text)


def _front_matter_of(article: Article) -> dict[str, Any]:
    data = article.model_dump(mode="json", exclude={"body_md"})
    return {k: v for k, v in data.items() if v is not None}


def export_markdown_dir(articles: Iterable[Article], folder: str | Path) -> list[Path]:
    """Write ``<folder>/<lang>/<slug>.md``: YAML front matter with every field, then the body."""
    import frontmatter  # lazy: only the editors' export and import use it (and YAML with it)

    root = Path(folder)
    written: list[Path] = []
    for article in articles:
        path = root / article.lang / f"{article.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        post = frontmatter.Post(article.body_md, **_front_matter_of(article))
        path.write_text(frontmatter.dumps(post, sort_keys=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def parse_markdown_dir(folder: str | Path) -> ImportReport:
    """Validate every ``*.md`` under ``folder`` (recursively). Issues name the file; line is 0."""
    import frontmatter

    root = Path(folder)
    report = ImportReport()
    seen: dict[tuple[str, str], int] = {}
    names: dict[int, str] = {}
    for number, path in enumerate(sorted(root.rglob("*.md")), start=1):
        source = str(path.relative_to(root))
        names[number] = source
        try:
            post = frontmatter.loads(path.read_text(encoding="utf-8"))
        except Exception as exc:  # YAML errors come in many classes; all mean "fix the header".
            report.errors.append(ImportIssue(source, 0, "", f"invalid front matter: {exc}"))
            continue
        data = dict(post.metadata)
        data["body_md"] = post.content
        data.setdefault("slug", path.stem)
        try:
            article = Article.model_validate(data)
        except ValidationError as exc:
            report.errors.extend(_issues(source, 0, exc))
            continue
        if article.key in seen:
            first = names[seen[article.key]]
            msg = f"duplicate slug '{article.slug}' for lang '{article.lang}' (also in {first})"
            report.errors.append(ImportIssue(source, 0, "slug", msg))
        else:
            seen[article.key] = number
            report.articles.append(article)
    return _finish(report)


def import_markdown_dir(folder: str | Path) -> list[Article]:
    """Read a folder written by :func:`export_markdown_dir` or by hand; raise :class:`ArticleImportError`."""
    report = parse_markdown_dir(folder)
    if not report.ok:
        raise ArticleImportError(report)
    return report.articles
