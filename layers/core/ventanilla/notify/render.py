"""Render notices from the packaged Jinja2 templates or from admin-edited overrides.

Packaged templates are trusted and rendered by a normal Environment. Overrides come from the
database and are rendered by an ImmutableSandboxedEnvironment, so an admin-edited template cannot
reach Python internals (``''.__class__.__mro__``) nor mutate the context. Both use StrictUndefined.
HTML is autoescaped; every other part is plain text with control characters stripped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    meta,
    pass_context,
)
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from ventanilla.notify import sms as sms_rules
from ventanilla.notify.context import (
    LEGAL_FIELDS,
    SMS_EXTRAS,
    NotificationContext,
    build_context,
    sample_context,
    template_variables,
    variables_for,
)
from ventanilla.notify.errors import NotifyError
from ventanilla.notify.events import Channel, Kind

Lang = Literal["es", "en"]
Part = Literal["subject", "text", "html", "title", "body"]

TEMPLATES_DIR = Path(__file__).parent / "templates"
LANGS: tuple[Lang, ...] = ("es", "en")
PARTS: dict[Channel, tuple[Part, ...]] = {
    Channel.EMAIL: ("subject", "text", "html"),
    Channel.SMS: ("text",),
    Channel.PUSH: ("title", "body"),
}
MAX_OVERRIDE_CHARS = 20_000
PUSH_TITLE_MAX = 65
PUSH_BODY_MAX = 180

_FILES: dict[tuple[Channel, Part], str] = {
    (Channel.EMAIL, "subject"): "email.subject.j2",
    (Channel.EMAIL, "text"): "email.txt.j2",
    (Channel.EMAIL, "html"): "email.html.j2",
    (Channel.SMS, "text"): "sms.j2",
    (Channel.PUSH, "title"): "push.j2",
    (Channel.PUSH, "body"): "push.j2",
}
_MONTHS = {
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
_DAYS = {
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
_OPT_OUT = {
    "es": {
        "ask": "¿No quiere recibir más avisos por correo?",
        "link": "Dejar de recibir estos correos",
        "sms": "No recibir más SMS",
    },
    "en": {
        "ask": "Don't want these emails any more?",
        "link": "Unsubscribe from these emails",
        "sms": "Stop SMS",
    },
}
_KEEP_FORMAT = frozenset("\n\u200d")  # newline; zero-width joiner (emoji sequences)
_BLANK_LINES = re.compile(r"\n{3,}")


def normalize_lang(lang: str | None) -> Lang:
    """``es`` or ``en`` from a tag such as ``en-US``; anything else falls back to Spanish."""
    primary = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    return "en" if primary == "en" else "es"


def strip_controls(text: str, keep_marks: bool = False) -> str:
    """``text`` without control and format characters (bidi overrides, NUL, ESC...), newlines kept.

    Also removes the SMS body marks unless ``keep_marks``, so untrusted input cannot forge them.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.replace("\t", " ")
    marks = () if keep_marks else (sms_rules.BODY_START, sms_rules.BODY_END)
    return "".join(
        c
        for c in text
        if c in _KEEP_FORMAT or (unicodedata.category(c) not in ("Cc", "Cf") and c not in marks)
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def excerpt(text: str, length: int = 150) -> str:
    """``text`` on one line, cut at a word boundary to at most ``length`` characters with an ellipsis."""
    flat = _one_line(str(text))
    if len(flat) <= length:
        return flat
    head = flat[: max(length - 1, 0)]
    space = head.rfind(" ")
    if space > length // 2:
        head = head[:space]
    return head.rstrip(" ,;:.-") + "…"


class _SmsBody(str):
    """A value marked by the ``sms_body`` filter; survives the finalize step with its marks."""

    __slots__ = ()


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    if isinstance(value, _SmsBody):
        return sms_rules.mark_body(strip_controls(str(value)))
    if isinstance(value, str):
        return strip_controls(value)
    return value


def format_date(value: date, style: str, lang: Lang) -> str:
    """``long`` (lunes 15 de diciembre de 2026), ``short`` (15/12/2026, 15 Dec 2026) or
    ``day_month`` for SMS (15/12, Dec 15: the year is this one or the next, plain from context)."""
    if style == "day_month":
        return (
            f"{value.day:02d}/{value.month:02d}"
            if lang == "es"
            else f"{_MONTHS['en'][value.month - 1][:3]} {value.day}"
        )
    if style == "short":
        return (
            value.strftime("%d/%m/%Y")
            if lang == "es"
            else f"{value.day} {_MONTHS['en'][value.month - 1][:3]} {value.year}"
        )
    day, month = _DAYS[lang][value.weekday()], _MONTHS[lang][value.month - 1]
    if lang == "es":
        return f"{day} {value.day} de {month} de {value.year}"
    return f"{day}, {month} {value.day}, {value.year}"


@pass_context
def _fdate(ctx: Context, value: date, style: str = "long") -> str:
    return format_date(value, style, normalize_lang(ctx.get("lang")))


@pass_context
def _fdatetime(ctx: Context, value: datetime, style: str = "long") -> str:
    lang = normalize_lang(ctx.get("lang"))
    clock = value.strftime("%H:%M")
    day = _fdate(ctx, value.date(), style)
    if style == "short":
        return f"{day} {clock}"
    return f"{day}, a las {clock} h" if lang == "es" else f"{day} at {clock}"


def _nl2br(value: str) -> Markup:
    lines = strip_controls(str(value)).split("\n")
    return Markup("<br>\n").join(escape(line) for line in lines)


def _quote(value: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in strip_controls(str(value)).split("\n"))


def _sms_body(value: str) -> _SmsBody:
    return _SmsBody(_one_line(str(value)))


_FILTERS: dict[str, Callable[..., Any]] = {
    "fdate": _fdate,
    "fdatetime": _fdatetime,
    "excerpt": excerpt,
    "nl2br": _nl2br,
    "quote": _quote,
    "sms_body": _sms_body,
}


def _configure(env: Environment) -> Environment:
    env.filters.update(_FILTERS)
    return env


def _env_options(html: bool) -> dict[str, Any]:
    return {
        "loader": FileSystemLoader(str(TEMPLATES_DIR)),
        "undefined": StrictUndefined,
        "autoescape": html,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": False,
        "finalize": _finalize,
        "auto_reload": False,
    }


def template_name(kind: Kind, channel: Channel, lang: str, part: Part) -> str:
    """The packaged file for one part, e.g. ``es/ticket_received.email.subject.j2``."""
    key = (Channel(channel), part)
    if key not in _FILES:
        raise NotifyError(
            "unknown_part",
            f"El canal {channel} no tiene la parte «{part}».",
            f"Channel {channel} has no part '{part}'.",
        )
    return f"{normalize_lang(lang)}/{Kind(kind).value}.{_FILES[key]}"


@dataclass(frozen=True)
class RenderedMessage:
    """A rendered notice. Email: subject, text, html. SMS: text. Push: title, text (the body)."""

    kind: Kind
    channel: Channel
    lang: Lang
    text: str
    subject: str | None = None
    html: str | None = None
    title: str | None = None
    sms_segments: int | None = None
    warnings: tuple[str, ...] = field(default=())
    """Overrides that failed at render time and were replaced by the packaged template."""

    @property
    def body(self) -> str:
        """The push body (same as ``text``)."""
        return self.text


class TemplateRenderer:
    """Renders notices; one instance per process (compiled templates are cached)."""

    def __init__(
        self,
        *,
        sms_gsm7: bool = True,
        sms_max_segments: int = 2,
        override_fallback: bool = True,
    ) -> None:
        """``sms_gsm7`` transliterates SMS text (á -> a...) to stay in the cheaper GSM-7 alphabet.

        ``override_fallback``: when an admin override fails at render time, use the packaged
        template and report it in ``warnings`` rather than losing the notice.
        """
        self.sms_gsm7 = sms_gsm7
        self.sms_max_segments = sms_max_segments
        self.override_fallback = override_fallback
        self._envs = {html: _configure(Environment(**_env_options(html))) for html in (False, True)}  # noqa: S701
        self._sandboxes = {
            html: _configure(ImmutableSandboxedEnvironment(**_env_options(html))) for html in (False, True)
        }
        self._override_cache: dict[tuple[str, bool], Template] = {}

    # -- templates -------------------------------------------------------------------------
    def _packaged(self, name: str) -> Template:
        return self._envs[name.endswith(".html.j2")].get_template(name)

    def _override(self, source: str, html: bool) -> Template:
        if len(source) > MAX_OVERRIDE_CHARS:
            raise NotifyError(
                "template_too_long",
                f"La plantilla supera {MAX_OVERRIDE_CHARS} caracteres.",
                f"The template exceeds {MAX_OVERRIDE_CHARS} characters.",
            )
        key = (source, html)
        template = self._override_cache.get(key)
        if template is None:
            if len(self._override_cache) >= 512:
                self._override_cache.clear()
            template = self._sandboxes[html].from_string(source)
            self._override_cache[key] = template
        return template

    def _render_part(
        self,
        kind: Kind,
        channel: Channel,
        lang: Lang,
        part: Part,
        variables: dict[str, Any],
        override: str | None,
        warnings: list[str],
    ) -> str:
        name = template_name(kind, channel, lang, part)
        if override is not None:
            try:
                return self._override(override, part == "html").render(variables)
            except Exception as exc:  # admin-written code: any failure, never a lost notice
                if not self.override_fallback:
                    raise NotifyError(
                        "override_failed",
                        f"La plantilla editada ({name}) falló: {exc}",
                        f"The edited template ({name}) failed: {exc}",
                    ) from exc
                warnings.append(f"{name}: {type(exc).__name__}: {exc}")
        template = self._packaged(name)
        if channel is Channel.PUSH:
            block = template.blocks[part]
            return "".join(block(template.new_context(variables)))
        return template.render(variables)

    # -- public --------------------------------------------------------------------------
    def render(
        self,
        kind: Kind | str,
        channel: Channel | str,
        lang: str | None,
        context: NotificationContext | Mapping[str, Any],
        overrides: Mapping[str, str] | None = None,
    ) -> RenderedMessage:
        """Render ``kind`` for ``channel`` in ``lang`` (Spanish when unknown).

        ``overrides`` maps a part name (email: subject/text/html, SMS: text, push: title/body) to
        an admin-edited template source for this kind, channel and language.
        """
        kind, channel, language = Kind(kind), Channel(channel), normalize_lang(lang)
        if channel not in PARTS:
            raise NotifyError(
                "no_template",
                "El canal web (historial de la solicitud) no usa plantillas.",
                "The web channel (the request timeline) uses no template.",
            )
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(PARTS[channel]))
        if unknown:
            raise NotifyError(
                "unknown_part",
                f"Partes desconocidas para {channel}: {', '.join(unknown)}.",
                f"Unknown parts for {channel}: {', '.join(unknown)}.",
            )
        ctx = build_context(kind, context)
        variables = template_variables(kind, ctx, language)
        warnings: list[str] = []
        parts = {
            part: self._render_part(kind, channel, language, part, variables, overrides.get(part), warnings)
            for part in PARTS[channel]
        }
        if channel is Channel.EMAIL:
            return RenderedMessage(
                kind=kind,
                channel=channel,
                lang=language,
                subject=_one_line(strip_controls(parts["subject"])),
                text=_ensure_text_opt_out(_tidy(parts["text"]), ctx.opt_out_url, language),
                html=_ensure_html_opt_out(parts["html"].strip(), ctx.opt_out_url, language),
                warnings=tuple(warnings),
            )
        for dropped in (LEGAL_FIELDS, SMS_EXTRAS):
            if channel is not Channel.SMS or not dropped & variables.keys() or self._sms_fits(parts["text"]):
                break
            # The legal term, then the known outage, go in the receipt SMS only when they fit whole;
            # the email has them.
            variables = {k: v for k, v in variables.items() if k not in dropped}
            parts["text"] = self._render_part(
                kind, channel, language, "text", variables, overrides.get("text"), warnings
            )
        if channel is Channel.SMS:
            # What a citizen needs from the SMS is never cut: the number, the links, and on the
            # receipt the access code and the expected date (the wording around them goes first).
            keep = [ctx.ticket_number, variables["sms_opt_out_url"]]
            if ctx.access_code:
                keep.append(ctx.access_code)
            if ctx.due_date and kind is Kind.TICKET_RECEIVED:
                keep.append(format_date(ctx.due_date, "day_month", language))
            text = self._finish_sms(parts["text"], variables["sms_opt_out_url"], language, keep)
            return RenderedMessage(
                kind=kind,
                channel=channel,
                lang=language,
                text=text,
                sms_segments=sms_rules.segments(text),
                warnings=tuple(warnings),
            )
        return RenderedMessage(
            kind=kind,
            channel=channel,
            lang=language,
            title=excerpt(strip_controls(parts["title"]), PUSH_TITLE_MAX),
            text=excerpt(strip_controls(parts["body"]), PUSH_BODY_MAX),
            warnings=tuple(warnings),
        )

    def _sms_fits(self, raw: str) -> bool:
        text = _one_line(strip_controls(raw))
        text = text.replace(sms_rules.BODY_START, "").replace(sms_rules.BODY_END, "")
        text = sms_rules.to_gsm7(text) if self.sms_gsm7 else text
        return sms_rules.segments(text) <= self.sms_max_segments

    def _finish_sms(self, raw: str, opt_out: str, lang: Lang, keep: list[str]) -> str:
        # Values were cleaned (marks included) by finalize; the marks left come from sms_body.
        text = _one_line(strip_controls(raw, keep_marks=True))
        if opt_out not in text:
            text = f"{text} {_OPT_OUT[lang]['sms']}: {opt_out}"
        if self.sms_gsm7:
            text = sms_rules.to_gsm7(text)
        return sms_rules.fit_sms(text, self.sms_max_segments, protect=keep)

    # -- validation ----------------------------------------------------------------------
    def validate_template(
        self,
        source: str,
        kind: Kind | str | None = None,
        part: Part | None = None,
        lang: str = "es",
    ) -> list[str]:
        """Problems with an admin-edited template, worded in ``lang``; empty when it is usable.

        Checks syntax and unknown filters, variables the kind does not provide (every kind's
        variables when ``kind`` is None), that the request number is used, and, given a kind, a
        trial render in the sandbox with sample data (which catches unsafe attribute access).
        """
        language = normalize_lang(lang)

        def msg(es: str, en: str) -> str:
            return en if language == "en" else es

        if len(source) > MAX_OVERRIDE_CHARS:
            return [
                msg(
                    f"La plantilla supera {MAX_OVERRIDE_CHARS} caracteres.",
                    f"The template exceeds {MAX_OVERRIDE_CHARS} characters.",
                )
            ]
        env = self._sandboxes[part == "html"]
        try:
            parsed = env.parse(source)
            env.from_string(source)  # compiling also catches unknown filters and tests
        except TemplateSyntaxError as exc:
            return [
                msg(
                    f"Línea {exc.lineno}: error de sintaxis: {exc.message}",
                    f"Line {exc.lineno}: syntax error: {exc.message}",
                )
            ]
        except TemplateError as exc:
            return [msg(f"Error en la plantilla: {exc}", f"Template error: {exc}")]
        problems: list[str] = []
        known_kind = Kind(kind) if kind is not None else None
        allowed = variables_for(known_kind) | set(env.globals)
        for name in sorted(meta.find_undeclared_variables(parsed) - allowed):
            problems.append(msg(f"Variable desconocida: «{name}».", f"Unknown variable: '{name}'."))
        number_missing = msg(
            "La plantilla debe mostrar el número de solicitud ({{ ticket_number }}).",
            "The template must show the request number ({{ ticket_number }}).",
        )
        needs_number = part != "body"  # a push body may leave the number to its title
        static_check = known_kind is None and not list(meta.find_referenced_templates(parsed))
        if needs_number and static_check and "ticket_number" not in meta.find_undeclared_variables(parsed):
            problems.append(number_missing)
        if known_kind is not None and not problems:
            sample = sample_context(known_kind, language)
            try:
                output = env.from_string(source).render(template_variables(known_kind, sample, language))
            except SecurityError as exc:
                problems.append(
                    msg(
                        f"Acceso no permitido en la plantilla: {exc}",
                        f"Access not allowed in the template: {exc}",
                    )
                )
            except Exception as exc:  # admin-written code can fail in any way; report, never raise
                problems.append(
                    msg(
                        f"Error al generar el aviso de prueba: {exc}", f"Error rendering a test notice: {exc}"
                    )
                )
            else:
                if needs_number and sample.ticket_number not in output:
                    problems.append(number_missing)
        return problems


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in strip_controls(text).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() + "\n"


def _ensure_text_opt_out(text: str, url: str, lang: Lang) -> str:
    """Opt-out is mandatory: an edited template that dropped it gets the standard line back."""
    return text if url in text else f"{text}\n--\n{_OPT_OUT[lang]['ask']} {_OPT_OUT[lang]['link']}: {url}\n"


def _ensure_html_opt_out(html: str, url: str, lang: Lang) -> str:
    if str(escape(url)) in html:
        return html
    line = Markup('<p style="font-size:13px;color:#4b5563;">{} <a href="{}">{}</a>.</p>').format(
        _OPT_OUT[lang]["ask"], url, _OPT_OUT[lang]["link"]
    )
    if "</body>" in html:
        return html.replace("</body>", f"{line}\n</body>", 1)
    return f"{html}\n{line}"


_default: TemplateRenderer | None = None


def default_renderer() -> TemplateRenderer:
    """A shared renderer with default settings (compiled templates are reused across calls)."""
    global _default
    if _default is None:
        _default = TemplateRenderer()
    return _default


def validate_template(
    source: str, kind: Kind | str | None = None, part: Part | None = None, lang: str = "es"
) -> list[str]:
    """See :meth:`TemplateRenderer.validate_template`."""
    return default_renderer().validate_template(source, kind, part, lang)
