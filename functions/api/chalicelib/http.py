"""HTTP plumbing shared by the blueprints: body parsing, problem documents (RFC 9457), OpenAPI metadata.

Views raise :class:`ventanilla.errors.DomainError`; :func:`route` turns it into a problem response
(Chalice itself would turn any exception into a 500 before middleware sees it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from chalice import Blueprint, Response
from chalice.app import Request
from pydantic import BaseModel, ValidationError

from chalicelib.observability import tracer
from ventanilla.auth import Principal, verify
from ventanilla.errors import (
    BadRequest,
    DomainError,
    FieldError,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from ventanilla.i18n import Lang, message, pick_lang
from ventanilla.settings import get_settings
from ventanilla.storage import people as people_store

logger = Logger(service="api")
M = TypeVar("M", bound=BaseModel)
PROBLEM_JSON = "application/problem+json"


@dataclass
class RouteDoc:
    path: str
    method: str
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: bool = False
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    text_body: str | None = None
    """Media type of a body that is text rather than one JSON object (e.g. JSON Lines)."""
    text_response: str | None = None


ROUTE_DOCS: list[RouteDoc] = []


def request_path(request: Request | None) -> str | None:
    """The path as the client wrote it (Chalice's ``path`` is the route template)."""
    if request is None:
        return None
    path = str(getattr(request, "path", ""))
    for name, value in (getattr(request, "uri_params", None) or {}).items():
        path = path.replace("{" + name + "}", str(value))
    return path or None


def lang_of(request: Request | None) -> Lang:
    headers = request.headers if request is not None else {}
    return pick_lang(headers.get("accept-language"))


def problem(error: DomainError, lang: Lang, instance: str | None = None) -> Response:
    titles = (error.title_es, error.title_en)
    return problem_response(
        error.status, error.problem, titles, error.code, error.params, error.errors, lang, instance
    )


def problem_response(
    status: int,
    kind: str,
    titles: tuple[str, str],
    code: str,
    params: dict[str, Any],
    errors: list[FieldError],
    lang: Lang,
    instance: str | None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"urn:ventanilla:problem:{kind}",
        "title": titles[1] if lang == "en" else titles[0],
        "status": status,
        "detail": message(code, lang, **params),
        "code": code,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = [
            {"field": e.field, "code": e.code, "message": message(e.code, lang, **e.params)} for e in errors
        ]
    headers = {"Content-Type": PROBLEM_JSON}
    if status == 429 and "retry_after" in params:
        headers["Retry-After"] = str(params["retry_after"])
    return Response(body=body, status_code=status, headers=headers)


def field_errors(error: ValidationError, prefix: str = "") -> list[FieldError]:
    """Pydantic errors as FieldErrors: the dotted location and a message code i18n knows."""
    out = []
    for e in error.errors(include_url=False):
        loc = ".".join(str(p) for p in e["loc"] if p not in ("body",))
        params = {
            k: (", ".join(map(str, v)) if isinstance(v, list | tuple) else v)
            for k, v in (e.get("ctx") or {}).items()
        }
        if e["type"] == "value_error":
            params = {"detail": str(e.get("msg", "")).removeprefix("Value error, ")}
        out.append(FieldError(prefix + loc if loc else prefix.rstrip(".") or "body", e["type"], params))
    return out


def parse_body(request: Request, model: type[M]) -> M:
    """The request body as ``model``, or a 4xx naming the problem (type, size, JSON, fields)."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise UnsupportedMediaType("unsupported_media_type", {"content_type": content_type or "-"})
    raw = request.raw_body or b""
    limit = get_settings().max_body_bytes
    if len(raw) > limit:
        raise PayloadTooLarge("payload_too_large", {"limit": limit})
    try:
        data = json.loads(raw.decode("utf-8") if raw else "")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        detail = f"{error.msg} (pos {error.pos})" if isinstance(error, json.JSONDecodeError) else "UTF-8"
        raise BadRequest("malformed_json", {"detail": detail}) from error
    if not isinstance(data, dict):
        raise BadRequest("body_not_object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed("validation_failed", errors=field_errors(error)) from error


def parse_text_body(request: Request, media_types: tuple[str, ...], code: str) -> str:
    """A UTF-8 text body of one of ``media_types`` (JSON Lines imports), within the size limit."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type not in media_types:
        raise UnsupportedMediaType(code, {"content_type": content_type or "-"})
    raw = request.raw_body or b""
    limit = get_settings().max_body_bytes
    if len(raw) > limit:
        raise PayloadTooLarge("payload_too_large", {"limit": limit})
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest("malformed_json", {"detail": "UTF-8"}) from error


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = (request.query_params or {}).get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise BadRequest(
            "invalid_query", {"detail": f"{name} debe ser un entero / must be an integer"}
        ) from error
    if not low <= value <= high:
        raise BadRequest("invalid_query", {"detail": f"{name} ∉ [{low}, {high}]"})
    return value


def client_address(request: Request) -> str:
    """The citizen's address for rate limits: the CDN's viewer address when it is trusted, else the
    connection's (in AWS without the CDN, API Gateway's ``sourceIp``)."""
    if get_settings().trust_cdn_client_header:
        viewer = request.headers.get("cloudfront-viewer-address") or ""
        if viewer:
            return viewer.rsplit(":", 1)[0]  # "ip:port", IPv6 unbracketed
    identity = (request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


CODE_HEADER = "x-access-code"
SESSION_HEADER = "x-ticket-session"


def citizen_key(request: Request) -> str | None:
    """What opens a citizen's request: a notice link's session (X-Ticket-Session) or the access code."""
    return request.headers.get(SESSION_HEADER) or request.headers.get(CODE_HEADER)


def principal_of(request: Request) -> Principal:
    """The verified staff principal with its teams and tier from the staff profile."""
    principal = verify(request.headers.get("authorization"))
    return principal.with_profile(people_store.get_staff(principal.sub))


def json_response(
    model: BaseModel | list[Any] | dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    if isinstance(model, BaseModel):
        body: Any = model.model_dump(mode="json")
    else:
        body = model
    return Response(
        body=body, status_code=status, headers={"Content-Type": "application/json", **(headers or {})}
    )


def route(
    bp: Blueprint,
    path: str,
    method: str,
    *,
    summary: str,
    tag: str,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    auth: bool = False,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    text_body: str | None = None,
    text_response: str | None = None,
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Register a view on ``bp`` and its OpenAPI description; DomainErrors become problems."""
    ROUTE_DOCS.append(
        RouteDoc(
            path,
            method,
            summary,
            tag,
            body,
            response,
            status,
            auth,
            dict(query or {}),
            dict(headers or {}),
            text_body,
            text_response,
        )
    )

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        traced = tracer.capture_method(view, capture_response=False)  # no bodies in traces

        def wrapped(**kwargs: Any) -> Response:
            request = bp.current_request
            try:
                return traced(**kwargs)
            except DomainError as error:
                return problem(error, lang_of(request), request_path(request))

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        # Any content type reaches the view, which answers 415 as a problem document itself.
        bp.route(path, methods=[method], content_types=["*/*"])(wrapped)
        return view

    return decorate
