"""Every template, every kind x channel x language: complete, escaped, within limits, bilingual."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, StrictUndefined, meta
from pydantic import ValidationError

from ventanilla.notify.context import (
    COMMON_FIELDS,
    REQUIRED,
    NotificationContext,
    build_context,
    sample_context,
    variables_for,
)
from ventanilla.notify.errors import NotifyError
from ventanilla.notify.events import Channel, Kind
from ventanilla.notify.render import (
    PUSH_BODY_MAX,
    PUSH_TITLE_MAX,
    TEMPLATES_DIR,
    Part,
    RenderedMessage,
    TemplateRenderer,
    normalize_lang,
    strip_controls,
    validate_template,
)
from ventanilla.notify.sms import BODY_END, BODY_START, is_gsm7, segments

CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.PUSH)
LANGS = ("es", "en")
CASES = list(itertools.product(Kind, CHANNELS, LANGS))
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def renderer() -> TemplateRenderer:
    return TemplateRenderer()


def sample(kind: Kind, lang: str, **changes: Any) -> NotificationContext:
    return sample_context(kind, lang).model_copy(update=changes)


def parts(msg: RenderedMessage) -> list[str]:
    return [p for p in (msg.subject, msg.title, msg.text, msg.html) if p is not None]


# -- files -----------------------------------------------------------------------------------
def test_one_file_per_kind_channel_language_and_nothing_else() -> None:
    suffixes = ("email.html.j2", "email.txt.j2", "email.subject.j2", "sms.j2", "push.j2")
    expected = {f"{lang}/{k.value}.{s}" for lang in LANGS for k in Kind for s in suffixes}
    shared = {
        f"{lang}/{name}" for lang in LANGS for name in ("_layout.email.html.j2", "_footer.email.txt.j2")
    }
    found = {str(p.relative_to(TEMPLATES_DIR)) for p in TEMPLATES_DIR.rglob("*.j2")}
    assert found == expected | shared
    assert len(expected) == 140


@pytest.mark.parametrize("path", sorted(TEMPLATES_DIR.rglob("*.j2")), ids=lambda p: p.name)
def test_templates_use_only_the_variables_their_kind_declares(path: Path) -> None:
    env = Environment(undefined=StrictUndefined)
    env.filters.update({n: str for n in ("fdate", "fdatetime", "excerpt", "nl2br", "quote", "sms_body")})
    used = meta.find_undeclared_variables(env.parse(path.read_text()))
    kind_name = path.name.split(".")[0]
    allowed = variables_for(None if kind_name.startswith("_") else Kind(kind_name))
    if kind_name.startswith("_"):  # the shared layout and footer only see common data
        allowed = COMMON_FIELDS | {"audience"}
    assert used <= allowed, used - allowed


# -- every template renders with its sample -----------------------------------------------------
@pytest.mark.parametrize(("kind", "channel", "lang"), CASES, ids=lambda v: str(v))
def test_every_template_renders_completely(
    renderer: TemplateRenderer, kind: Kind, channel: Channel, lang: str
) -> None:
    ctx = sample_context(kind, lang)
    msg = renderer.render(kind, channel, lang, ctx)
    assert (msg.kind, msg.channel, msg.lang) == (kind, channel, lang)
    assert msg.warnings == ()
    for part in parts(msg):
        assert part.strip()
        assert BODY_START not in part and BODY_END not in part
        assert "None" not in part and "{{" not in part and "{%" not in part
    if channel is Channel.EMAIL:
        assert msg.subject and msg.text and msg.html
        assert "\n" not in msg.subject
        for part in (msg.subject, msg.text, msg.html):
            assert "2026-000123" in part
        assert ctx.opt_out_url in msg.text
        assert f'href="{ctx.opt_out_url}"' in msg.html
        assert ctx.institution_name in msg.text and ctx.institution_name in msg.html
        assert msg.html.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in msg.html
        assert "<link" not in msg.html and "<script" not in msg.html and "src=" not in msg.html
    elif channel is Channel.SMS:
        assert "2026-000123" in msg.text
        assert msg.text.endswith(str(ctx.opt_out_short_url))
        assert msg.sms_segments == segments(msg.text) and 1 <= segments(msg.text) <= 2
        assert is_gsm7(msg.text)
        assert "\n" not in msg.text
    else:
        assert msg.title and "2026-000123" in msg.title
        assert len(msg.title) <= PUSH_TITLE_MAX and len(msg.body) <= PUSH_BODY_MAX
        assert msg.body == msg.text


@pytest.mark.parametrize(("kind", "channel"), list(itertools.product(Kind, CHANNELS)), ids=str)
def test_english_differs_from_spanish(renderer: TemplateRenderer, kind: Kind, channel: Channel) -> None:
    es = renderer.render(kind, channel, "es", sample_context(kind, "es"))
    # Same data in both languages, so only the wording differs.
    en = renderer.render(kind, channel, "en", sample_context(kind, "es"))
    # Every part has its own wording, except a push body that is only the reply excerpt.
    checked = parts(es) if channel is not Channel.PUSH else [es.title]
    for a, b in zip(checked, parts(en), strict=False):
        assert a != b
    assert "solicit" in " ".join(parts(es)).lower()
    assert "request" in " ".join(parts(en)).lower()


def test_citizen_and_staff_footers_differ(renderer: TemplateRenderer) -> None:
    citizen = renderer.render(Kind.PUBLIC_REPLY, "email", "es", sample_context(Kind.PUBLIC_REPLY))
    staff = renderer.render(Kind.CITIZEN_REPLIED, "email", "es", sample_context(Kind.CITIZEN_REPLIED))
    assert "sobre su solicitud" in citizen.text and "integrante del equipo" not in citizen.text
    assert "integrante del equipo" in staff.text


def test_received_notice_tells_number_code_date_and_link(renderer: TemplateRenderer) -> None:
    ctx = sample_context(Kind.TICKET_RECEIVED)
    email = renderer.render(Kind.TICKET_RECEIVED, "email", "es", ctx)
    assert email.html is not None
    for part in (email.text, email.html):
        assert "K7P4-9XQ2" in part
        assert "miércoles 15 de abril de 2026" in part
        assert "https://ventanilla.example.gob.cl/#/solicitud/2026-000123?t=Qm9Fx2Lr7TsVb3NkW8yZ" in part
    text = renderer.render(Kind.TICKET_RECEIVED, "sms", "es", ctx).text
    assert text == (
        "Municipalidad de Peñalolén: solicitud 2026-000123 recibida. Codigo K7P4-9XQ2. "
        "Respuesta estimada: 15/04. Plazo legal: 13/05 (Ley 20.285). Siga en https://vt.example.cl/s/Ab3dE9 "
        "No mas SMS: https://vt.example.cl/b/Xy12Zk"
    )
    en = renderer.render(Kind.TICKET_RECEIVED, "email", "en", sample_context(Kind.TICKET_RECEIVED, "en"))
    assert "Wednesday, April 15, 2026" in en.text
    push = renderer.render(Kind.TICKET_RECEIVED, "push", "es", ctx)
    assert "K7P4-9XQ2" not in f"{push.title} {push.body}"  # the access code is not shown on a lock screen


def test_deadline_extension_shows_reason_days_and_new_date(renderer: TemplateRenderer) -> None:
    ctx = sample(Kind.DEADLINE_EXTENDED, "es", extension_days=1)
    msg = renderer.render(Kind.DEADLINE_EXTENDED, "email", "es", ctx)
    assert "1 día hábil" in msg.text and "Ley 20.285" in msg.text
    assert "miércoles 29 de abril de 2026" in msg.text
    many = renderer.render(Kind.DEADLINE_EXTENDED, "email", "en", sample(Kind.DEADLINE_EXTENDED, "en"))
    assert "10 working days" in many.text and "Wednesday, April 29, 2026" in many.text


def test_sla_target_is_worded(renderer: TemplateRenderer) -> None:
    first = renderer.render(Kind.SLA_WARNING, "email", "es", sample_context(Kind.SLA_WARNING))
    assert "primera respuesta" in str(first.subject) and "14:30" in first.text
    resolution = sample(Kind.SLA_BREACHED, "en", sla_target="resolution")
    msg = renderer.render(Kind.SLA_BREACHED, "email", "en", resolution)
    assert msg.subject == "Overdue: resolution for request 2026-000123"


def test_resolved_notice_links_the_survey(renderer: TemplateRenderer) -> None:
    ctx = sample_context(Kind.TICKET_RESOLVED)
    for channel in ("email", "sms"):
        msg = renderer.render(Kind.TICKET_RESOLVED, channel, "es", ctx)
        assert str(ctx.survey_url) in msg.text


# -- languages -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "used"),
    [("es", "es"), ("en", "en"), ("en-US", "en"), ("EN_gb", "en"), ("fr", "es"), ("", "es"), (None, "es")],
)
def test_language_fallback(renderer: TemplateRenderer, given: str | None, used: str) -> None:
    assert normalize_lang(given) == used
    msg = renderer.render(Kind.TICKET_ASSIGNED, "email", given, sample_context(Kind.TICKET_ASSIGNED))
    reference = renderer.render(Kind.TICKET_ASSIGNED, "email", used, sample_context(Kind.TICKET_ASSIGNED))
    assert msg.lang == used and msg.text == reference.text


# -- context ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(Kind), ids=str)
def test_missing_kind_data_fails_loudly_naming_the_fields(renderer: TemplateRenderer, kind: Kind) -> None:
    base = sample_context(kind).model_dump(include=set(COMMON_FIELDS))
    if not REQUIRED[kind]:
        assert renderer.render(kind, "email", "es", base).subject
        return
    with pytest.raises(NotifyError) as err:
        renderer.render(kind, "email", "es", base)
    assert err.value.code == "context_missing"
    for name in REQUIRED[kind]:
        assert name in err.value.es and name in err.value.en


def test_missing_common_data_and_unknown_fields_are_rejected() -> None:
    data = sample_context(Kind.TICKET_IN_PROGRESS).model_dump()
    del data["ticket_number"]
    with pytest.raises(ValidationError):
        build_context(Kind.TICKET_IN_PROGRESS, data)
    with pytest.raises(ValidationError):
        build_context(
            Kind.TICKET_IN_PROGRESS, {**sample_context(Kind.TICKET_IN_PROGRESS).model_dump(), "x": 1}
        )


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<b>",
        "//evil.example",
        'https://x.cl/"onmouseover=',
        "ftp://x.cl",
    ],
)
def test_only_http_links_are_accepted(url: str) -> None:
    with pytest.raises(ValidationError):
        sample(Kind.TICKET_RECEIVED, "es").model_validate(
            {**sample_context(Kind.TICKET_RECEIVED).model_dump(), "ticket_url": url}
        )


def test_fields_outside_the_kind_are_not_visible_to_its_templates(renderer: TemplateRenderer) -> None:
    # A template using a field its kind does not declare fails even if the caller passed it.
    ctx = sample(Kind.TICKET_IN_PROGRESS, "es", access_code="SECRET-1")
    strict = TemplateRenderer(override_fallback=False)
    with pytest.raises(NotifyError) as err:
        strict.render(
            Kind.TICKET_IN_PROGRESS, "sms", "es", ctx, {"text": "{{ ticket_number }} {{ access_code }}"}
        )
    assert "access_code" in str(err.value)
    assert "SECRET-1" not in renderer.render(Kind.TICKET_IN_PROGRESS, "email", "es", ctx).text


def test_short_links_fall_back_to_the_long_ones(renderer: TemplateRenderer) -> None:
    ctx = sample(Kind.TICKET_ASSIGNED, "es", ticket_short_url=None, opt_out_short_url=None)
    msg = renderer.render(Kind.TICKET_ASSIGNED, "sms", "es", ctx)
    assert ctx.ticket_url in msg.text and msg.text.endswith(ctx.opt_out_url)
    assert segments(msg.text) <= 2


# -- hostile input ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(Kind), ids=str)
def test_hostile_names_are_escaped_in_html_and_kept_plain_elsewhere(
    renderer: TemplateRenderer, kind: Kind
) -> None:
    ctx = sample(kind, "es", recipient_name=HOSTILE, ticket_subject='"><img src=x onerror=alert(1)>')
    email = renderer.render(kind, "email", "es", ctx)
    assert email.html is not None
    assert "<script>" not in email.html and "<img" not in email.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in email.html
    assert HOSTILE in email.text  # plain text is not HTML-escaped


@pytest.mark.parametrize("kind", [Kind.PUBLIC_REPLY, Kind.CITIZEN_REPLIED], ids=str)
def test_multiline_hostile_reply_is_escaped_with_line_breaks(renderer: TemplateRenderer, kind: Kind) -> None:
    ctx = sample(kind, "es", reply_text="Línea 1 <b>negrita</b>\nLínea 2 & más")
    msg = renderer.render(kind, "email", "es", ctx)
    assert msg.html is not None
    assert "Línea 1 &lt;b&gt;negrita&lt;/b&gt;<br>\nLínea 2 &amp; más" in msg.html
    assert "> Línea 1 <b>negrita</b>\n> Línea 2 & más" in msg.text


def test_control_characters_are_stripped_everywhere(renderer: TemplateRenderer) -> None:
    nasty = "Ana\x1b[31m\u202eanA\x00\x07 Pérez"
    ctx = sample(Kind.PUBLIC_REPLY, "es", recipient_name=nasty, reply_text="Hola\x08\x0b" + BODY_END + " fin")
    for channel in CHANNELS:
        msg = renderer.render(Kind.PUBLIC_REPLY, channel, "es", ctx)
        for part in parts(msg):
            assert not any(c in part for c in "\x1b\u202e\x00\x07\x08\x0b\r")
            assert BODY_START not in part and BODY_END not in part
    email = renderer.render(Kind.PUBLIC_REPLY, "email", "es", ctx)
    assert "Ana[31manA Pérez" in email.text


def test_subject_cannot_smuggle_headers(renderer: TemplateRenderer) -> None:
    ctx = sample(Kind.TICKET_ASSIGNED, "es", team_name="Equipo\r\nBcc: spam@example.com")
    msg = renderer.render(
        Kind.TICKET_ASSIGNED, "email", "es", ctx, {"subject": "{{ team_name }} {{ ticket_number }}"}
    )
    assert msg.subject == "Equipo Bcc: spam@example.com 2026-000123"
    push = renderer.render(Kind.TICKET_ASSIGNED, "push", "es", ctx)
    assert "\n" not in (push.title or "") and "\n" not in push.body


def test_strip_controls_keeps_text_and_newlines() -> None:
    assert strip_controls("a\r\nb\rc\u2028d\te\u200df") == "a\nb\nc\nd e\u200df"


# -- SMS -------------------------------------------------------------------------------------
LONG_REPLY = (
    "Estimada vecina: revisamos su caso con el equipo técnico y la cuadrilla de alumbrado público "
    "visitará el pasaje Los Aromos el próximo jueves entre las 9:00 y las 13:00 horas para reemplazar "
    "la luminaria. Si después de esa fecha sigue apagada, por favor respóndanos por este medio "
    "indicando el número del poste. "
) * 5


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("kind", "field"),
    [
        (Kind.PUBLIC_REPLY, "reply_text"),
        (Kind.CITIZEN_REPLIED, "reply_text"),
        (Kind.WAITING_FOR_CITIZEN, "requested_info"),
        (Kind.DEADLINE_EXTENDED, "extension_reason"),
        (Kind.TICKET_ESCALATED, "escalation_reason"),
    ],
    ids=str,
)
def test_long_texts_are_trimmed_to_two_segments(
    renderer: TemplateRenderer, kind: Kind, field: str, lang: str
) -> None:
    ctx = sample(kind, lang, **{field: LONG_REPLY})
    msg = renderer.render(kind, "sms", lang, ctx)
    assert segments(msg.text) == 2 and is_gsm7(msg.text)
    assert "2026-000123" in msg.text and "..." in msg.text
    assert "https://vt.example.cl/s/Ab3dE9" in msg.text
    assert msg.text.endswith("https://vt.example.cl/b/Xy12Zk")
    assert "Estimada vecina: revisamos su caso" in msg.text


def kept_reply(text: str) -> int:
    start = text.index("Estimada vecina")
    return min(i for i in (text.find("…", start), text.find("...", start)) if i >= 0) - start


def test_sms_can_stay_in_ucs2_when_asked(renderer: TemplateRenderer) -> None:
    ucs2 = TemplateRenderer(sms_gsm7=False, sms_max_segments=3)
    ctx = sample(Kind.PUBLIC_REPLY, "es", reply_text=LONG_REPLY)
    msg = ucs2.render(Kind.PUBLIC_REPLY, "sms", "es", ctx)
    assert not is_gsm7(msg.text) and "No recibir más SMS" in msg.text and "…" in msg.text
    assert segments(msg.text) == 3
    gsm = renderer.render(Kind.PUBLIC_REPLY, "sms", "es", ctx)
    # Transliterated to GSM-7, two segments carry more of the reply than three in UCS-2.
    assert segments(gsm.text) == 2 and kept_reply(gsm.text) > kept_reply(msg.text)


def test_sms_multiline_reply_goes_on_one_line(renderer: TemplateRenderer) -> None:
    ctx = sample(Kind.PUBLIC_REPLY, "es", reply_text="Uno\n\nDos\tTres")
    assert "Uno Dos Tres" in renderer.render(Kind.PUBLIC_REPLY, "sms", "es", ctx).text


# -- overrides and the sandbox ---------------------------------------------------------------
def test_override_is_used_for_its_part_only(renderer: TemplateRenderer) -> None:
    ctx = sample_context(Kind.TICKET_RESOLVED)
    default = renderer.render(Kind.TICKET_RESOLVED, "email", "es", ctx)
    msg = renderer.render(
        Kind.TICKET_RESOLVED,
        "email",
        "es",
        ctx,
        {"subject": "¡Listo! {{ ticket_number }} – {{ recipient_name }}"},
    )
    assert msg.subject == "¡Listo! 2026-000123 – María José Pérez Núñez"
    assert (msg.text, msg.html) == (default.text, default.html)


def test_html_override_is_autoescaped_and_gets_the_opt_out_back(renderer: TemplateRenderer) -> None:
    ctx = sample(Kind.TICKET_ASSIGNED, "es", recipient_name=HOSTILE)
    source = "<html><body><p>Hola {{ recipient_name }}, solicitud {{ ticket_number }}</p></body></html>"
    msg = renderer.render(
        Kind.TICKET_ASSIGNED, "email", "es", ctx, {"html": source, "text": "{{ ticket_number }}"}
    )
    assert msg.html is not None and "<script>" not in msg.html and "&lt;script&gt;" in msg.html
    assert f'<a href="{ctx.opt_out_url}">Dejar de recibir estos correos</a>.</p>\n</body>' in msg.html
    assert msg.text.startswith("2026-000123\n\n--\n") and msg.text.rstrip().endswith(ctx.opt_out_url)


def test_sms_override_without_opt_out_gets_it_appended(renderer: TemplateRenderer) -> None:
    ctx = sample_context(Kind.TICKET_IN_PROGRESS, "en")
    msg = renderer.render(
        Kind.TICKET_IN_PROGRESS, "sms", "en", ctx, {"text": "Working on {{ ticket_number }}"}
    )
    assert msg.text == "Working on 2026-000123 Stop SMS: https://vt.example.cl/b/Xy12Zk"


def test_push_overrides_per_part(renderer: TemplateRenderer) -> None:
    ctx = sample_context(Kind.TICKET_IN_PROGRESS)
    msg = renderer.render(Kind.TICKET_IN_PROGRESS, "push", "es", ctx, {"body": "Cuerpo {{ ticket_number }}"})
    assert msg.title == "Solicitud 2026-000123 en proceso" and msg.body == "Cuerpo 2026-000123"


def test_override_can_extend_the_packaged_layout(renderer: TemplateRenderer) -> None:
    source = (
        '{% extends "es/_layout.email.html.j2" %}{% block heading %}Aviso{% endblock %}'
        "{% block content %}<p>{{ recipient_name }}</p>{% endblock %}"
    )
    msg = renderer.render(
        Kind.TICKET_IN_PROGRESS, "email", "es", sample_context(Kind.TICKET_IN_PROGRESS), {"html": source}
    )
    assert msg.html is not None and "<h1" in msg.html and "María José" in msg.html and msg.warnings == ()


SANDBOX_ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ticket_number.__class__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ self._TemplateReference__context }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ [1].append(2) }}",
    "{{ {}.update(a=1) }}",
    "{{ (1).__class__.__base__ }}",
    "{{ namespace.__init__ }}",
    "{{ range.__self__ }}",
]


@pytest.mark.parametrize("source", SANDBOX_ESCAPES)
def test_sandbox_blocks_python_internals(source: str) -> None:
    ctx = sample_context(Kind.TICKET_IN_PROGRESS)
    strict = TemplateRenderer(override_fallback=False)
    with pytest.raises(NotifyError) as err:
        strict.render(Kind.TICKET_IN_PROGRESS, "sms", "es", ctx, {"text": source + " {{ ticket_number }}"})
    assert err.value.code == "override_failed"
    # With the default fallback, the notice still goes out with the packaged wording.
    lenient = TemplateRenderer()
    msg = lenient.render(Kind.TICKET_IN_PROGRESS, "sms", "es", ctx, {"text": source + " {{ ticket_number }}"})
    default = lenient.render(Kind.TICKET_IN_PROGRESS, "sms", "es", ctx)
    assert msg.text == default.text and len(msg.warnings) == 1
    assert "es/ticket_in_progress.sms.j2" in msg.warnings[0]
    assert "class" not in msg.text and "object" not in msg.text
    assert validate_template(source + " {{ ticket_number }}", Kind.TICKET_IN_PROGRESS)


def test_format_string_attacks_are_sandboxed() -> None:
    strict = TemplateRenderer(override_fallback=False)
    ctx = sample_context(Kind.TICKET_IN_PROGRESS)
    with pytest.raises(NotifyError):
        strict.render(
            Kind.TICKET_IN_PROGRESS, "sms", "es", ctx, {"text": "{{ '{0.__class__}'.format(ticket_number) }}"}
        )


def test_unknown_part_and_web_channel_are_errors(renderer: TemplateRenderer) -> None:
    ctx = sample_context(Kind.TICKET_IN_PROGRESS)
    with pytest.raises(NotifyError) as err:
        renderer.render(Kind.TICKET_IN_PROGRESS, "sms", "es", ctx, {"subject": "x"})
    assert err.value.code == "unknown_part"
    with pytest.raises(NotifyError) as err:
        renderer.render(Kind.TICKET_IN_PROGRESS, "web", "es", ctx)
    assert err.value.code == "no_template"
    with pytest.raises(ValueError):
        renderer.render("no_such_kind", "sms", "es", ctx)


def test_too_long_override_is_refused() -> None:
    strict = TemplateRenderer(override_fallback=False)
    with pytest.raises(NotifyError):
        strict.render(
            Kind.TICKET_IN_PROGRESS,
            "sms",
            "es",
            sample_context(Kind.TICKET_IN_PROGRESS),
            {"text": "x" * 20_001},
        )


# -- validate_template -----------------------------------------------------------------------
def test_valid_override_has_no_problems() -> None:
    assert (
        validate_template("Hola {{ recipient_name }}, solicitud {{ ticket_number }}", Kind.PUBLIC_REPLY) == []
    )
    assert (
        validate_template("{{ reply_text|excerpt(20) }} {{ ticket_number }}", Kind.PUBLIC_REPLY, lang="en")
        == []
    )


def test_syntax_errors_are_reported_with_line_in_both_languages() -> None:
    source = "Hola\n{% if recipient_name %}\n{{ ticket_number }}"
    [es] = validate_template(source)
    [en] = validate_template(source, lang="en")
    assert es.startswith("Línea 3: error de sintaxis") and en.startswith("Line 3: syntax error")


def test_unknown_filter_is_reported() -> None:
    [problem] = validate_template("{{ ticket_number|nope }}")
    assert "nope" in problem


def test_unknown_variables_are_reported_per_kind() -> None:
    problems = validate_template("{{ ticket_number }} {{ reply_text }} {{ banana }}", Kind.TICKET_RECEIVED)
    assert problems == ["Variable desconocida: «banana».", "Variable desconocida: «reply_text»."]
    # Without a kind, any kind's variable is known.
    assert validate_template("{{ ticket_number }} {{ reply_text }} {{ banana }}", lang="en") == [
        "Unknown variable: 'banana'."
    ]


def test_request_number_is_required() -> None:
    [problem] = validate_template("Hola {{ recipient_name }}", Kind.TICKET_RESOLVED)
    assert "ticket_number" in problem and "número de solicitud" in problem
    assert validate_template("Hola", part="subject")
    assert validate_template("Cuerpo", Kind.TICKET_RESOLVED, part="body") == []
    [problem] = validate_template("Título", Kind.TICKET_RESOLVED, part="title", lang="en")
    assert "request number" in problem
    # Through the layout it counts: the number is shown by the extended template.
    assert (
        validate_template('{% extends "es/_layout.email.html.j2" %}', Kind.TICKET_RESOLVED, part="html") == []
    )


def test_runtime_errors_are_found_by_a_trial_render() -> None:
    [problem] = validate_template(
        "{{ ticket_number }} {{ due_date.year + 'x' }}", Kind.TICKET_RECEIVED, lang="en"
    )
    assert problem.startswith("Error rendering a test notice")
    [problem] = validate_template("{{ ticket_number }} {{ 1 // 0 }}", Kind.TICKET_RECEIVED)
    assert problem.startswith("Error al generar el aviso de prueba")


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES_DIR.glob("*/*.j2")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_every_packaged_template_is_a_valid_override(path: Path) -> None:
    if path.name.startswith("_"):
        return
    kind = Kind(path.name.split(".")[0])
    part: Part | None = "html" if path.name.endswith(".html.j2") else None
    if ".subject." in path.name:
        part = "subject"
    assert validate_template(path.read_text(), kind, part=part, lang=path.parent.name) == []


@pytest.mark.parametrize(("kind", "lang"), list(itertools.product(Kind, LANGS)), ids=str)
def test_packaged_templates_render_the_same_in_the_sandbox(kind: Kind, lang: str) -> None:
    renderer = TemplateRenderer(override_fallback=False)
    ctx = sample_context(kind, lang)
    for channel, names in {Channel.EMAIL: ("subject", "text", "html"), Channel.SMS: ("text",)}.items():
        files = {
            "subject": "email.subject.j2",
            "text": "email.txt.j2" if channel is Channel.EMAIL else "sms.j2",
            "html": "email.html.j2",
        }
        overrides = {n: (TEMPLATES_DIR / lang / f"{kind.value}.{files[n]}").read_text() for n in names}
        assert renderer.render(kind, channel, lang, ctx, overrides) == renderer.render(
            kind, channel, lang, ctx
        )


# -- formatting ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "es", "en"),
    [
        (date(2026, 1, 1), "jueves 1 de enero de 2026", "Thursday, January 1, 2026"),
        (date(2026, 12, 31), "jueves 31 de diciembre de 2026", "Thursday, December 31, 2026"),
        (date(2026, 3, 1), "domingo 1 de marzo de 2026", "Sunday, March 1, 2026"),
    ],
)
def test_dates_are_written_in_words(renderer: TemplateRenderer, day: date, es: str, en: str) -> None:
    ctx = sample(Kind.TICKET_REOPENED, "es", due_date=day)
    assert es in renderer.render(Kind.TICKET_REOPENED, "email", "es", ctx).text
    assert en in renderer.render(Kind.TICKET_REOPENED, "email", "en", ctx).text
