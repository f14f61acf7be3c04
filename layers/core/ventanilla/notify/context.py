"""What each notification kind needs to be rendered, and realistic samples for previews.

One model with optional fields plus a required set per kind: templates only see the fields that
were given (others are undefined and StrictUndefined raises), so a template that uses a field its
kind does not declare fails in the tests, not in a citizen's inbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints

from ventanilla.models.base import Model
from ventanilla.notify.errors import NotifyError
from ventanilla.notify.events import Audience, Kind

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
# Only http(s): a ``javascript:`` link would survive HTML escaping inside href.
Url = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^https?://[^\s<>\"']+$")
]


class NotificationContext(Model):
    """Every variable a notice template may use; which ones are required depends on the kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Common to every kind.
    institution_name: Line
    recipient_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
    """Empty while the citizen's address is unconfirmed: the greeting then names nobody."""
    ticket_number: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{6,}$")]
    ticket_subject: Line
    ticket_url: Url
    """Citizens: the page to follow the request; staff: the ticket in the console."""
    opt_out_url: Url
    ticket_short_url: Url | None = None
    """Short form of ``ticket_url`` for SMS; the long one is used when absent."""
    opt_out_short_url: Url | None = None
    reply_by_email: bool = False
    """Email intake is on: answering a citizen's email notice reaches the request."""
    # Per kind (see REQUIRED).
    access_code: Line | None = None
    due_date: date | None = None
    team_name: Line | None = None
    reply_text: LongText | None = None
    requested_info: LongText | None = None
    survey_url: Url | None = None
    extension_days: int | None = Field(default=None, ge=1, le=365)
    extension_reason: LongText | None = None
    new_due_date: date | None = None
    priority: Line | None = None
    """A display label in the recipient's language (e.g. "Alta" / "High")."""
    sla_target: Literal["first_response", "resolution"] | None = None
    due_at: datetime | None = None
    """Aware datetime in the institution's time zone; shown as given."""
    to_tier: Line | None = None
    escalation_reason: LongText | None = None
    legal_due_date: date | None = None
    """Receipt of a regulated request: the last day of the legal term, and the law that sets it."""
    legal_law: Line | None = None
    legal_article: Line | None = None
    survivor_number: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{6,}$")] | None = None
    """A merge: the request the citizen's request was merged into."""
    service_alert_title: Line | None = None
    """Receipt of a request linked to an open service alert (a known outage): the alert's title."""


COMMON_FIELDS = frozenset(
    {
        "institution_name",
        "recipient_name",
        "ticket_number",
        "ticket_subject",
        "ticket_url",
        "opt_out_url",
        "reply_by_email",
    }
)

REQUIRED: dict[Kind, frozenset[str]] = {
    Kind.TICKET_RECEIVED: frozenset({"access_code", "due_date"}),
    Kind.TICKET_ASSIGNED: frozenset({"team_name"}),
    Kind.TICKET_IN_PROGRESS: frozenset(),
    Kind.PUBLIC_REPLY: frozenset({"reply_text"}),
    Kind.WAITING_FOR_CITIZEN: frozenset({"requested_info"}),
    Kind.TICKET_RESOLVED: frozenset({"survey_url"}),
    Kind.TICKET_REOPENED: frozenset({"due_date"}),
    Kind.DEADLINE_EXTENDED: frozenset({"extension_days", "extension_reason", "new_due_date"}),
    Kind.TICKET_MERGED: frozenset({"survivor_number"}),
    Kind.TICKET_ASSIGNED_TO_YOU: frozenset({"priority", "due_at"}),
    Kind.SLA_WARNING: frozenset({"sla_target", "due_at"}),
    Kind.SLA_BREACHED: frozenset({"sla_target", "due_at"}),
    Kind.TICKET_ESCALATED: frozenset({"to_tier", "escalation_reason"}),
    Kind.CITIZEN_REPLIED: frozenset({"reply_text"}),
}
"""Fields each kind needs besides COMMON_FIELDS."""

OPTIONAL_FIELDS = frozenset({"ticket_short_url", "opt_out_short_url"})
OPTIONAL_BY_KIND: dict[Kind, frozenset[str]] = {
    Kind.TICKET_RECEIVED: frozenset({"legal_due_date", "legal_law", "legal_article", "service_alert_title"}),
    Kind.TICKET_RESOLVED: frozenset({"reply_text"}),
}
"""Fields a kind may have (a template tests them with ``is defined``): the legal term of a receipt,
the answer in a resolved notice."""
LEGAL_FIELDS = frozenset({"legal_due_date", "legal_law", "legal_article"})
SMS_EXTRAS = OPTIONAL_BY_KIND[Kind.TICKET_RECEIVED]
"""What a receipt SMS carries only when it fits whole (the legal term, the known outage): the email
always has them."""
DERIVED_VARIABLES = frozenset({"lang", "kind", "audience", "sms_ticket_url", "sms_opt_out_url"})
"""Variables the renderer adds to every template."""


def variables_for(kind: Kind | None = None) -> frozenset[str]:
    """Names a template for ``kind`` may use (every kind's when ``kind`` is None)."""
    if kind is None:
        extra = frozenset().union(*REQUIRED.values(), *OPTIONAL_BY_KIND.values())
    else:
        extra = REQUIRED[kind] | OPTIONAL_BY_KIND.get(kind, frozenset())
    return COMMON_FIELDS | OPTIONAL_FIELDS | DERIVED_VARIABLES | extra


def build_context(kind: Kind, data: NotificationContext | Mapping[str, Any]) -> NotificationContext:
    """``data`` validated for ``kind``; raises NotifyError naming the missing fields.

    Pydantic's ValidationError (also a ValueError) reports malformed values.
    """
    ctx = data if isinstance(data, NotificationContext) else NotificationContext.model_validate(dict(data))
    missing = sorted(f for f in REQUIRED[kind] if getattr(ctx, f) is None)
    if missing:
        names = ", ".join(missing)
        raise NotifyError(
            "context_missing",
            f"Faltan datos para el aviso «{kind.value}»: {names}.",
            f"Missing data for the '{kind.value}' notice: {names}.",
        )
    return ctx


def template_variables(kind: Kind, ctx: NotificationContext, lang: str) -> dict[str, Any]:
    """The variables a template sees: only fields given for this kind, plus derived ones."""
    allowed = COMMON_FIELDS | OPTIONAL_FIELDS | REQUIRED[kind] | OPTIONAL_BY_KIND.get(kind, frozenset())
    values = {k: v for k, v in ctx.model_dump(include=set(allowed)).items() if v is not None}
    values.update(
        lang=lang,
        kind=kind.value,
        audience=kind.audience.value,
        sms_ticket_url=ctx.ticket_short_url or ctx.ticket_url,
        sms_opt_out_url=ctx.opt_out_short_url or ctx.opt_out_url,
    )
    return values


_SAMPLES: dict[str, dict[str, Any]] = {
    "es": {
        "institution_name": "Municipalidad de Peñalolén",
        "citizen": "María José Pérez Núñez",
        "staff": "Andrés Muñoz",
        "ticket_subject": "Luminaria apagada en pasaje Los Aromos",
        "team_name": "Alumbrado público",
        "reply_text": "Estimada María José: revisamos su caso y la cuadrilla de alumbrado visitará el "
        "pasaje Los Aromos el jueves entre 9:00 y 13:00 h. Si la luminaria sigue apagada después de "
        "esa fecha, por favor respóndanos por este medio.",
        "requested_info": "Una fotografía de la luminaria y el número del poste (placa metálica "
        "en el poste, por ejemplo «P-1234»).",
        "extension_reason": "La información solicitada está en el archivo central y su búsqueda "
        "requiere más tiempo del previsto, según el artículo 14 de la Ley 20.285.",
        "escalation_reason": "Requiere revisión técnica de la red eléctrica (nivel 2).",
        "priority": "Alta",
    },
    "en": {
        "institution_name": "City of Springfield",
        "citizen": "Mary Johnson",
        "staff": "Andrew Miller",
        "ticket_subject": "Street light out on Elm Street",
        "team_name": "Street lighting",
        "reply_text": "Dear Mary, we looked into your report and the street lighting crew will visit "
        "Elm Street on Thursday between 9:00 and 13:00. If the light is still out after that date, "
        "please reply here.",
        "requested_info": "A photo of the street light and the pole number (metal tag on the pole, "
        "for example 'P-1234').",
        "extension_reason": "The information you asked for is in the central archive and finding "
        "it takes longer than planned, as allowed by law.",
        "escalation_reason": "Needs a technical review of the power network (tier 2).",
        "priority": "High",
    },
}


SAMPLE_BASE_URL = "https://ventanilla.example.gob.cl"


def sample_context(
    kind: Kind, lang: str = "es", institution_name: str | None = None, base_url: str = SAMPLE_BASE_URL
) -> NotificationContext:
    """A realistic context for previewing ``kind`` in ``lang``: common fields plus the kind's own;
    a preview passes the institution's own name and address."""
    s = _SAMPLES["en" if lang == "en" else "es"]
    santiago = timezone(timedelta(hours=-4))
    full: dict[str, Any] = {
        "institution_name": institution_name or s["institution_name"],
        "recipient_name": s["staff"] if kind.audience is Audience.STAFF else s["citizen"],
        "ticket_number": "2026-000123",
        "ticket_subject": s["ticket_subject"],
        # The receipt's link carries a one-time sign-in token, never the access code.
        "ticket_url": f"{base_url}/#/agente/solicitud/2026-000123"
        if kind.audience is Audience.STAFF
        else f"{base_url}/#/solicitud/2026-000123?t=Qm9Fx2Lr7TsVb3NkW8yZ",
        "opt_out_url": f"{base_url}/#/baja/AQBn3c8AZW0xMjM0NTY3ODkw",
        "ticket_short_url": "https://vt.example.cl/s/Ab3dE9",
        "opt_out_short_url": "https://vt.example.cl/b/Xy12Zk",
        "access_code": "K7P4-9XQ2",
        "due_date": date(2026, 4, 15),
        "team_name": s["team_name"],
        "reply_text": s["reply_text"],
        "requested_info": s["requested_info"],
        "survey_url": f"{base_url}/#/solicitud/2026-000123/encuesta",
        "extension_days": 10,
        "extension_reason": s["extension_reason"],
        "new_due_date": date(2026, 4, 29),
        "priority": s["priority"],
        "sla_target": "first_response",
        "due_at": datetime(2026, 4, 15, 14, 30, tzinfo=santiago),
        "to_tier": "L2",
        "escalation_reason": s["escalation_reason"],
        "legal_due_date": date(2026, 5, 13),
        "legal_law": "Ley 20.285",
        "legal_article": "art. 14",
        "survivor_number": "2026-000120",
    }
    keep = COMMON_FIELDS | OPTIONAL_FIELDS | REQUIRED[kind] | OPTIONAL_BY_KIND.get(kind, frozenset())
    return NotificationContext(**{k: v for k, v in full.items() if k in keep})


__all__ = [
    "COMMON_FIELDS",
    "LEGAL_FIELDS",
    "OPTIONAL_BY_KIND",
    "REQUIRED",
    "NotificationContext",
    "build_context",
    "sample_context",
    "template_variables",
    "variables_for",
]
