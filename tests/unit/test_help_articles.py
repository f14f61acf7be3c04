"""Help articles: validation, safe rendering, import/export and the demo content's promises."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ventanilla.help.articles import (
    MAX_BODY,
    STAGE_LABELS,
    Article,
    ArticleImportError,
    Stage,
    dump_jsonl,
    export_markdown_dir,
    import_markdown_dir,
    load_jsonl,
    parse_jsonl,
    parse_markdown_dir,
    plain_text,
    render_html,
    to_jsonl,
)

SEED = Path(__file__).resolve().parents[2] / "infra" / "seed" / "help_articles.jsonl"
CATALOG = {
    "consulta/general",
    "consulta/tramite",
    "reclamo/atencion",
    "reclamo/servicio",
    "solicitud-informacion/ley-20285",
    "sugerencia/general",
    "tramite/patente-comercial",
    "tramite/permiso-edificacion",
    "tramite/licencia-conducir",
    "cuenta/acceso-portal",
    "emergencia/corte-servicio",
}


def make(**over: object) -> Article:
    data: dict[str, object] = {
        "slug": "certificado-de-residencia",
        "title": "Certificado de residencia",
        "summary": "Cómo obtenerlo.",
        "body_md": "Texto **útil**.",
        "section_path": ["certificados", "residencia"],
        "section_titles": ["Certificados", "Residencia"],
        "stage": "registro",
    }
    data.update(over)
    return Article.model_validate(data)


def errors_of(**over: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as exc:
        make(**over)
    return {".".join(str(p) for p in e["loc"]): e["type"] for e in exc.value.errors()}


# --- model ----------------------------------------------------------------------------------


def test_valid_article_defaults() -> None:
    a = make()
    assert a.lang == "es" and a.status == "draft" and a.stage is Stage.REGISTRO
    assert a.updated_at.tzinfo is not None
    assert a.key == ("certificado-de-residencia", "es")


@pytest.mark.parametrize(
    "slug", ["ab", "Con-Mayus", "con espacio", "-inicio", "fin-", "doble--guion", "ñandu", "a" * 121]
)
def test_bad_slugs_are_rejected(slug: str) -> None:
    assert "slug" in errors_of(slug=slug)


@pytest.mark.parametrize("slug", ["abc", "ley-20285", "a" * 120])
def test_good_slugs(slug: str) -> None:
    assert make(slug=slug).slug == slug


@pytest.mark.parametrize(("field", "limit"), [("title", 200), ("summary", 500), ("body_md", MAX_BODY)])
def test_length_limits_name_the_field(field: str, limit: int) -> None:
    assert make(**{field: "x" * limit})
    assert errors_of(**{field: "x" * (limit + 1)}) == {field: "string_too_long"}


def test_blank_title_is_rejected_after_stripping() -> None:
    assert errors_of(title="   ") == {"title": "string_too_short"}


def test_unknown_stage_lang_status_and_extra_fields() -> None:
    errs = errors_of(stage="pagado", lang="pt", status="borrador", color="verde")
    assert set(errs) == {"stage", "lang", "status", "color"}


def test_section_titles_must_match_path() -> None:
    with pytest.raises(ValidationError, match="one title per entry"):
        make(section_titles=["Certificados"])


def test_translation_of_cannot_point_to_itself() -> None:
    with pytest.raises(ValidationError, match="different article"):
        make(translation_of="certificado-de-residencia")


def test_request_type_codes_are_validated_and_deduplicated() -> None:
    a = make(request_types=["consulta/tramite", "consulta/tramite", "reclamo"])
    assert a.request_types == ["consulta/tramite", "reclamo"]
    assert "request_types.0" in errors_of(request_types=["Consulta/Trámite"])
    assert "request_types.0" in errors_of(request_types=["a/b/c"])


def test_related_slugs_are_checked_deduplicated_and_capped() -> None:
    assert make(related=["horario-oirs", "horario-oirs", "pagar-en-linea"]).related == [
        "horario-oirs",
        "pagar-en-linea",
    ]
    assert make().related == []
    assert errors_of(related=[f"articulo-{i}" for i in range(6)]) == {"related": "too_long"}
    assert errors_of(related=["../etc"]) == {"related.0": "string_pattern_mismatch"}
    with pytest.raises(ValidationError, match="itself"):
        make(related=["certificado-de-residencia"])


def test_tags_are_normalised() -> None:
    assert make(tags=["Patente", "patente ", "ClaveÚnica"]).tags == ["patente", "claveúnica"]


def test_naive_timestamp_is_utc() -> None:
    assert make(updated_at="2026-01-02T10:00:00").updated_at == datetime(2026, 1, 2, 10, tzinfo=UTC)


def test_stage_labels_in_both_languages() -> None:
    assert set(STAGE_LABELS) == set(Stage)
    assert Stage.PAGO.label() == "Pago" and Stage.PAGO.label("en") == "Payment"
    assert Stage.EVALUACION.label("fr") == "Evaluación"


# --- rendering ------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>hola",
    '<img src=x onerror="alert(1)">',
    "[clic](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<div onclick="robar()">x</div>',
    "<iframe src=https://malo.example></iframe>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<svg><script>alert(1)</script></svg>",
    "<style>body{display:none}</style>",
    '<form action="https://malo.example"><input name=rut></form>',
    "![x](javascript:alert(1))",
    '<object data="x.swf"></object>',
    "<!-- <script>alert(1)</script> -->",
]


class _Audit(HTMLParser):
    """Collects what a browser would treat as active content in rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SAFE_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            v = (value or "").strip().lower()
            if name.startswith("on") or name == "style":
                self.problems.append(f"attribute {name}")
            head = v.split("/", 1)[0]
            scheme = head.split(":", 1)[0] if ":" in head else ""
            if name in ("href", "src") and scheme not in ("", "http", "https", "mailto", "tel"):
                self.problems.append(f"url {v}")
        if tag == "a" and ("rel", "noopener noreferrer") not in attrs:
            self.problems.append("link without rel")


_SAFE = (
    "p br hr strong em b i u s del sub sup code pre kbd blockquote ul ol li a img table thead tbody tr th td"
)
SAFE_TAGS = set(_SAFE.split())
SAFE_TAGS |= {f"h{i}" for i in range(1, 7)}


def audit(html_text: str) -> list[str]:
    parser = _Audit()
    parser.feed(html_text)
    return parser.problems


@pytest.mark.parametrize("md", HOSTILE)
def test_hostile_markdown_comes_out_safe(md: str) -> None:
    out = render_html(md)
    assert audit(out) == [], out
    assert "<script" not in out.lower() and "alert(1)</script" not in out


PIECES = [*"<>\"'=/ :()[]!&#;x", "script", "onerror", "javascript", "href", "a ", "img", "src", "style"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_fuzzed_html_never_yields_active_content(md: str) -> None:
    assert audit(render_html(md)) == []


def test_formatting_lists_tables_and_links_survive() -> None:
    md = "## Pasos\n\n1. **Uno**\n2. *Dos*\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n[Portal](https://valleverde.cl)"
    out = render_html(md)
    assert "<h2>Pasos</h2>" in out and "<ol>" in out and "<strong>Uno</strong>" in out
    assert "<table>" in out and "<td>1</td>" in out
    assert '<a href="https://valleverde.cl" rel="noopener noreferrer">Portal</a>' in out


def test_plain_text_drops_markup_and_urls() -> None:
    text = plain_text(
        "# Título\n\nVea [el portal](https://x.cl) y `código`.\n\n- uno\n\n| a | b |\n|---|---|\n| c | d |"
    )
    assert "Título" in text and "el portal" in text and "código" in text and "uno" in text and "c" in text
    assert "https" not in text and "#" not in text and "**" not in text


# --- JSON Lines -----------------------------------------------------------------------------


def test_jsonl_round_trip() -> None:
    arts = [make(), make(slug="otro-articulo", lang="en", status="published")]
    assert load_jsonl(io.StringIO(to_jsonl(arts))) == arts


def test_jsonl_reports_every_bad_line_and_returns_nothing(tmp_path: Path) -> None:
    good = json.dumps(make().model_dump(mode="json"), ensure_ascii=False)
    long_title = json.dumps({**make(slug="largo").model_dump(mode="json"), "title": "x" * 201})
    lines = [good, "", "{no es json", "[1, 2]", long_title, good]
    report = parse_jsonl(lines)
    assert not report.ok and report.articles == []
    assert report.bad_lines == [3, 4, 5, 6]
    by_line = {e.line: e for e in report.errors}
    assert "invalid JSON" in by_line[3].message
    assert "JSON object" in by_line[4].message
    assert by_line[5].field == "title" and "200" in by_line[5].message
    assert by_line[6].field == "slug" and "duplicate" in by_line[6].message and "line 1" in by_line[6].message
    path = tmp_path / "malo.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ArticleImportError) as exc:
        load_jsonl(path)
    assert exc.value.report.bad_lines == [3, 4, 5, 6]
    assert "malo.jsonl:5: title:" in str(exc.value)


def test_dump_jsonl_to_path_keeps_accents_readable(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    dump_jsonl([make(title="Contraseña y clave")], path)
    assert "Contraseña" in path.read_text(encoding="utf-8")


# --- Markdown folders -----------------------------------------------------------------------


def test_markdown_folder_round_trip(tmp_path: Path) -> None:
    arts = [
        make(tags=["uno"], request_types=["consulta/tramite"]),
        make(slug="other", lang="en", translation_of="abc"),
    ]
    paths = export_markdown_dir(arts, tmp_path)
    assert {p.relative_to(tmp_path).as_posix() for p in paths} == {
        "es/certificado-de-residencia.md",
        "en/other.md",
    }
    assert paths[0].read_text(encoding="utf-8").startswith("---\nslug: certificado-de-residencia")
    back = sorted(import_markdown_dir(tmp_path), key=lambda a: a.slug)
    assert back == sorted(arts, key=lambda a: a.slug)


def test_markdown_folder_errors_name_the_file(tmp_path: Path) -> None:
    export_markdown_dir([make()], tmp_path)
    (tmp_path / "es" / "roto.md").write_text("---\ntitle: [sin cerrar\n---\ncuerpo", encoding="utf-8")
    (tmp_path / "es" / "sin-etapa.md").write_text(
        "---\ntitle: T\nsummary: S\nsection_path: [a1]\nsection_titles: [A]\n---\ncuerpo", encoding="utf-8"
    )
    report = parse_markdown_dir(tmp_path)
    assert report.articles == []
    sources = {e.source: e for e in report.errors}
    assert "front matter" in sources["es/roto.md"].message
    assert sources["es/sin-etapa.md"].field == "stage"
    with pytest.raises(ArticleImportError):
        import_markdown_dir(tmp_path)


# --- demo content ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> list[Article]:
    return load_jsonl(SEED)


def test_seed_is_valid_and_large_enough(seed: list[Article]) -> None:
    es = [a for a in seed if a.lang == "es"]
    en = [a for a in seed if a.lang == "en"]
    assert len(es) >= 45 and len(en) >= 5
    assert all(a.status == "published" for a in seed)


def test_seed_translations_are_linked_both_ways(seed: list[Article]) -> None:
    by_key = {a.key: a for a in seed}
    for a in seed:
        if a.lang == "en":
            assert a.translation_of is not None
            original = by_key[(a.translation_of, "es")]
            assert original.translation_of == a.slug
            assert original.section_path == a.section_path and original.stage == a.stage


def test_seed_related_articles_exist_in_the_same_language(seed: list[Article]) -> None:
    keys = {a.key for a in seed}
    picks = [(r, a.lang) for a in seed for r in a.related]
    assert picks and all(k in keys for k in picks)


def test_seed_structure_covers_sections_and_stages(seed: list[Article]) -> None:
    assert len({a.section_path[0] for a in seed}) >= 6
    assert all(len(a.section_path) == 2 for a in seed)
    assert {a.stage for a in seed} == set(Stage)
    types = {t for a in seed for t in a.request_types}
    assert types <= CATALOG and types == CATALOG


def test_seed_bodies_are_80_to_300_words(seed: list[Article]) -> None:
    counts = {a.slug: len(plain_text(a.body_md).split()) for a in seed}
    assert all(80 <= n <= 300 for n in counts.values()), {
        s: n for s, n in counts.items() if not 80 <= n <= 300
    }
