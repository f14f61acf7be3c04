"""Open311 GeoReport v2 at /open311/v2: civic apps (FixMyStreet and other GeoReport clients) list
the services, file requests with an API key and follow them. Formats by suffix (``.json``,
``.xml``); errors in the spec's format (``<errors>`` or an array of ``{code, description}``), never
problem documents, since these clients parse only the spec's shapes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from chalice import Blueprint, Response

from chalicelib import loader
from chalicelib.http import ROUTE_DOCS, RouteDoc, lang_of, logger, q, query_params, raw_body
from chalicelib.observability import tracer
from ventanilla.errors import DomainError
from ventanilla.i18n import Lang, message
from ventanilla.open311 import intake, listing, services
from ventanilla.open311.wire import (
    CONTENT_TYPES,
    Format,
    Open311Error,
    render_errors,
    render_list,
    render_object,
    split_resource,
)
from ventanilla.services import api_keys
from ventanilla.settings import get_settings

bp = Blueprint(__name__)
ROOT = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00Z"
"""When this endpoint last changed in a way clients see (discovery's changeset: sortable, past)."""
FORM = "application/x-www-form-urlencoded"
BAD_EXTENSION = ("Extensión desconocida: use .xml o .json", "Bad extension. We support .xml and .json")
JURISDICTION = q("optional; when the institution sets one, another value answers 404")
FILTERS = {
    "jurisdiction_id": JURISDICTION,
    "service_request_id": q("comma-separated ids; overrides every other filter", maxLength=2000),
    "service_code": q("comma-separated service codes", maxLength=2000),
    "start_date": q("W3C datetime, e.g. 2026-01-01T00:00:00Z (default: end_date - 90 days)"),
    "end_date": q("W3C datetime (default: now, or start_date + 90 days); at most 90 days apart"),
    "status": q("open, closed or both comma-separated"),
}


def _suffix_of(name: str) -> Format:
    return "xml" if name.endswith(".xml") else "json"


def _answer(fmt: Format, body: Any, status: int = 200, cache: str | None = None) -> Response:
    headers: dict[str, str | list[str]] = {"Content-Type": CONTENT_TYPES[fmt]}
    if cache:
        headers["Cache-Control"] = cache
    return Response(body=body, status_code=status, headers=headers)


def _errors(fmt: Format, error: Open311Error, lang: Lang) -> Response:
    headers: dict[str, str | list[str]] = {"Content-Type": CONTENT_TYPES[fmt]}
    if error.status == 429:
        headers["Retry-After"] = "60"
    return Response(body=render_errors(fmt, error.errors(lang)), status_code=error.status, headers=headers)


def open311_route(
    path: str, method: str, summary: str, query: dict[str, Any] | None = None, form: bool = False
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Register an Open311 view and its OpenAPI description; errors in the spec's format."""
    ROUTE_DOCS.append(
        RouteDoc(
            path,
            method,
            summary,
            "open311",
            query=dict(query or {}),
            text_body=FORM if form else None,
            text_response="text/xml",
        )
    )

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        traced = tracer.capture_method(view, capture_response=False)

        def wrapped(**kwargs: Any) -> Response:
            request = bp.current_request
            last = str(list(kwargs.values())[-1]) if kwargs else ""
            fmt = _suffix_of(last)
            try:
                _check_jurisdiction(request)
                return traced(**kwargs)
            except Open311Error as error:
                return _errors(fmt, error, lang_of(request))
            except DomainError as error:  # anything the domain refuses is a general 400
                lang = lang_of(request)
                return _errors(fmt, Open311Error(400, message(error.code, lang, **error.params)), lang)

        loader.add_view(path, method, view, wrapped)
        return view

    return decorate


def _params(request: Any) -> dict[str, str]:
    """Query parameters; an empty one is the same as an absent one (spec, Optional Arguments)."""
    return {k: v for k, v in query_params(request).items() if v and v.strip()}


def _check_jurisdiction(request: Any, form: dict[str, list[str]] | None = None) -> None:
    """The query's jurisdiction_id, else (a POST) the form's, must be this institution's."""
    wanted = get_settings().open311_jurisdiction
    given = _params(request).get("jurisdiction_id")
    if given is None and form:
        given = intake.one(form, "jurisdiction_id")
    if wanted and given and given != wanted:
        raise Open311Error(
            404, (f"jurisdiction_id {given[:80]} no existe", f"jurisdiction_id {given[:80]} not found")
        )


def _resource(name: str, *allowed: str) -> tuple[str, Format]:
    """``name`` split into its stem and format; 404 for another extension or, when ``allowed`` is
    given, another stem."""
    parsed = split_resource(name)
    if parsed is None:
        raise Open311Error(404, BAD_EXTENSION)
    if allowed and parsed[0] not in allowed:
        raise Open311Error(404, (f"{parsed[0][:40]} no existe", f"{parsed[0][:40]} not found"))
    return parsed


def base_url(request: Any) -> str:
    """This endpoint's root as the client reached it (the stage prefix on API Gateway's own host)."""
    headers = request.headers
    host = headers.get("host") or urlsplit(get_settings().public_base_url).netloc or "localhost"
    proto = headers.get("x-forwarded-proto") or (
        "http" if host.startswith(("localhost", "127.")) else "https"
    )
    stage = (request.context or {}).get("stage") if host.endswith(".amazonaws.com") else None
    return f"{proto}://{host}{'/' + stage if stage else ''}{ROOT}"


@open311_route(
    f"{ROOT}/{{resource}}",
    "GET",
    "Open311: discovery.{json,xml}, services.{json,xml} or requests.{json,xml} (filters, 90 days, 1,000)",
    query=FILTERS,
)
def read(resource: str) -> Response:
    request = bp.current_request
    lang = lang_of(request)
    name, fmt = _resource(resource, "discovery", "services", "requests")
    if name == "discovery":
        return _answer(fmt, render_object(fmt, "discovery", _discovery(request)), cache="public, max-age=300")
    if name == "services":
        entries = [services.service_entry(s, lang) for s in services.open_services().values()]
        return _answer(fmt, render_list(fmt, "services", "service", entries), cache="public, max-age=60")
    found = listing.search(_params(request), lang)
    return _answer(fmt, render_list(fmt, "service_requests", "request", found))


def _discovery(request: Any) -> dict[str, Any]:
    settings = get_settings()
    portal = settings.public_base_url or base_url(request).removesuffix(ROOT)
    return {
        "changeset": CHANGESET,
        "contact": f"{settings.institution_name}: {portal}",
        "key_service": f"{settings.institution_name} issues one API key per client app (ask its admins)",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url(request),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


@open311_route(
    f"{ROOT}/{{resource}}",
    "POST",
    "Open311: file a request (requests.{json,xml}, form-encoded, api_key in the body or X-Api-Key)",
    form=True,
)
def create(resource: str) -> Response:
    request = bp.current_request
    _, fmt = _resource(resource, "requests")
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != FORM:
        raise Open311Error(400, (f"el cuerpo debe ser {FORM}", f"the body must be {FORM}"))
    raw = raw_body(request)
    if len(raw) > get_settings().max_body_bytes:
        raise Open311Error(400, ("el cuerpo es demasiado grande", "the body is too large"))
    form = intake.parse_form(raw)
    _check_jurisdiction(request, form)
    key = intake.one(form, "api_key") or request.headers.get("x-api-key")
    try:
        client = api_keys.authenticate(key, "open311:write")
    except DomainError as error:  # over the key's limit
        raise Open311Error(429, message(error.code, lang_of(request), **error.params)) from error
    if client is None:
        raise Open311Error(
            403,
            (
                "api_key no válida: no se puede crear la solicitud (create_request).",
                "Invalid api_key received -- can't proceed with create_request.",
            ),
        )
    created = intake.file_request(form, client, lang_of(request))
    logger.info("open311 request filed", extra={"client": client.id, "number": created["service_request_id"]})
    return _answer(fmt, render_list(fmt, "service_requests", "request", [created]))


@open311_route(
    f"{ROOT}/services/{{service_code}}",
    "GET",
    "Open311: a service's definition ({service_code}.json or .xml): its attributes",
    query={"jurisdiction_id": JURISDICTION},
)
def definition(service_code: str) -> Response:
    request = bp.current_request
    code, fmt = _resource(service_code)
    service = services.find(code)
    body = render_object(fmt, "service_definition", services.definition(service, lang_of(request)))
    return _answer(fmt, body, cache="public, max-age=60")


@open311_route(
    f"{ROOT}/requests/{{service_request_id}}",
    "GET",
    "Open311: one request ({id}.json or .xml), a one-element list, without personal data",
    query={"jurisdiction_id": JURISDICTION},
)
def one(service_request_id: str) -> Response:
    request = bp.current_request
    number, fmt = _resource(service_request_id)
    found = listing.one_request(number, lang_of(request))
    return _answer(fmt, render_list(fmt, "service_requests", "request", [found]))
