"""HTTP plumbing shared by the blueprints: body parsing, problem documents (RFC 9457), OpenAPI metadata.

Views raise :class:`ventanilla.errors.DomainError`; :func:`route` turns it into a problem response
(Chalice itself would turn any exception into a 500 before middleware sees it).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from chalice import Blueprint, Response
from chalice.app import Request
from pydantic import BaseModel, ValidationError

from chalicelib import loader
from chalicelib.observability import logger as logger  # the areas' logger, re-exported
from chalicelib.observability import tracer
from chalicelib.problems import lang_of as lang_of  # re-exported for the areas
from chalicelib.problems import problem, request_path
from chalicelib.problems import problem_response as problem_response
from ventanilla import safe_json
from ventanilla.auth import CitizenPrincipal, Principal, verify_citizen
from ventanilla.errors import (
    BadRequest,
    DomainError,
    FieldError,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from ventanilla.services import staff
from ventanilla.settings import get_settings

M = TypeVar("M", bound=BaseModel)
View = Callable[..., Response]


@dataclass(frozen=True)
class Param:
    """A query parameter: its description and the JSON schema of what the route accepts."""

    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string", "maxLength": 200})
    required: bool = False


def q(description: str, required: bool = False, **schema: Any) -> Param:
    """A query parameter; ``schema`` as JSON Schema keywords (``type`` defaults to string)."""
    if "enum" not in schema:
        schema.setdefault("type", "string")
        if schema["type"] == "string":
            schema.setdefault("maxLength", 200)
    return Param(description, schema, required)


LANG = q("es (default) or en", enum=["es", "en"])
CURSOR = q("next_cursor of the previous page", pattern=r"^[A-Za-z0-9_=-]+$", maxLength=4096)
CODE = r"^[a-z0-9][a-z0-9-]{0,62}$"
ACCESS_CODE = q(
    "the request's access code (a wrong one answers 404)", required=True, pattern=r"^[0-9A-Za-z -]{4,32}$"
)
BEARER = q("Bearer <access token> (staff)", pattern=r"^Bearer [A-Za-z0-9._~+/=-]{1,8192}$")
CITIZEN_BEARER = q(
    "Bearer <ID token of the citizens' pool>", required=True, pattern=r"^Bearer [A-Za-z0-9._~+/=-]{1,8192}$"
)
FILER_BEARER = q(
    "Bearer <staff access token> (files for the requester) or <citizen ID token> (files for themself)",
    pattern=r"^Bearer [A-Za-z0-9._~+/=-]{1,8192}$",
)
KEY_HEADERS = {
    "X-Access-Code": q(
        "the request's access code, or send X-Ticket-Session (a wrong one answers 404)",
        pattern=r"^[0-9A-Za-z -]{4,32}$",
    ),
    "X-Ticket-Session": q(
        "instead of the code: a session opened by a notice's link", pattern=r"^[!-~]{1,200}$"
    ),
}
"""What opens a citizen's request: the access code or a notice link's session."""
SAFE_ID = re.compile(r"[!-.0-~]{1,400}")
"""Path parameters are visible ASCII without "/" (numbers, slugs, ids, signed tokens): anything
else names nothing here (404) and never reaches a key or a model."""


def limit(low: int, high: int, default: int) -> Param:
    return q(f"{low}-{high}, default {default}", type="integer", minimum=low, maximum=high)


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
    query: dict[str, Param] = field(default_factory=dict)
    headers: dict[str, str | Param] = field(default_factory=dict)
    text_body: str | None = None
    """Media type of a body that is text rather than one JSON object (e.g. JSON Lines)."""
    text_response: str | None = None
    roles: tuple[str, ...] = ()
    """Staff roles allowed; checked before the body is read (authorise, then validate)."""
    audit: str | None = None
    """The kind of thing the route changes: a 2xx answer appends an audit record (F4)."""


ROUTE_DOCS: list[RouteDoc] = []
"""The routes of the areas imported so far (they load on first request): see :func:`route_docs`."""


def route_docs() -> list[RouteDoc]:
    """Every route's description, each area imported first."""
    loader.load_all()
    return ROUTE_DOCS


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


def parse_body(
    request: Request, model: type[M], also: Callable[[dict[str, Any]], list[FieldError]] | None = None
) -> M:
    """The request body as ``model``, or a 4xx naming the problem (type, size, JSON, fields).

    ``also``: the service's own checks (unknown team, unknown key...) run on the body as sent when
    its shape is refused, so one answer lists every error a person has to fix.
    """
    _, data = json_object(request)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = field_errors(error) + (also(data) if also is not None else [])
        raise ValidationFailed("validation_failed", errors=errors) from error


def json_object(request: Request) -> tuple[bytes, dict[str, Any]]:
    """The raw body (what a signature covers) and the JSON object it holds, or a 4xx (type, size,
    encoding, JSON, not an object)."""
    raw = _sized_body(request, ("application/json",), "unsupported_media_type")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest("malformed_json", {"detail": "UTF-8"}) from error
    data = safe_json.loads(text)  # depth, number, string and size limits before the model
    if not isinstance(data, dict):
        raise BadRequest("body_not_object")
    return raw, data


def parse_text_body(request: Request, media_types: tuple[str, ...], code: str) -> str:
    """A UTF-8 text body of one of ``media_types`` (JSON Lines imports), within the size limit."""
    raw = _sized_body(request, media_types, code)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest("malformed_json", {"detail": "UTF-8"}) from error


def _sized_body(request: Request, media_types: tuple[str, ...], code: str) -> bytes:
    """The body when its media type is one of ``media_types`` (else 415 ``code``) and it is within
    the size limit (else 413)."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type not in media_types:
        raise UnsupportedMediaType(code, {"content_type": content_type or "-"})
    raw = raw_body(request)
    limit = get_settings().max_body_bytes
    if len(raw) > limit:
        raise PayloadTooLarge("payload_too_large", {"limit": limit})
    return raw


def raw_body(request: Request) -> bytes:
    """The body as bytes (chalice hands bytes; its type also allows the text it was built from)."""
    body = request.raw_body or b""
    return body.encode("utf-8") if isinstance(body, str) else body


def query_params(request: Request) -> Mapping[str, str]:
    """The query string's parameters (a repeated one: its last value), empty when there are none."""
    return request.query_params or {}


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = query_params(request).get(name)
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
    """The verified staff principal with its teams and tier from the staff profile (once a request)."""
    cached: Principal | None = getattr(request, "_principal", None)
    if cached is not None:
        return cached
    principal = staff.signed_in(request.headers.get("authorization"))
    request._principal = principal  # type: ignore[attr-defined]
    return principal


def citizen_of(request: Request) -> CitizenPrincipal:
    """The verified citizen of the citizens' pool (a staff token answers 401 here)."""
    cached: CitizenPrincipal | None = getattr(request, "_citizen", None)
    if cached is None:
        cached = verify_citizen(request.headers.get("authorization"))
        request._citizen = cached  # type: ignore[attr-defined]
    return cached


def is_citizen_token(request: Request) -> bool:
    """Whether the bearer token names the citizens' pool as issuer. Only picks the verifier: the
    token is then verified in full against that pool's keys (a forged issuer fails there)."""
    import jwt

    header = request.headers.get("authorization") or ""
    pool = get_settings().citizen_pool_id
    if not pool or not header.lower().startswith("bearer "):
        return False
    try:
        issuer = jwt.decode(header[7:].strip(), options={"verify_signature": False}).get("iss")
    except jwt.InvalidTokenError:
        return False
    return bool(issuer == get_settings().issuer_of(pool))


def json_response(
    model: BaseModel | list[Any] | dict[str, Any],
    status: int = 200,
    headers: Mapping[str, str | list[str]] | None = None,
) -> Response:
    if isinstance(model, BaseModel):
        body: Any = model.model_dump(mode="json")
    else:
        body = model
    return Response(
        body=body, status_code=status, headers={"Content-Type": "application/json", **(headers or {})}
    )


def csv_response(body: str, filename: str) -> Response:
    """A CSV download named ``filename``."""
    return Response(
        body=body,
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


def export_response(content_type: str, body: Any, next_cursor: str | None, filename: str) -> Response:
    """One page of an export: CSV text (a download named ``filename``) or JSON, and the next page's
    cursor in ``X-Next-Cursor``."""
    headers: dict[str, str | list[str]] = {"Content-Type": content_type}
    if next_cursor:
        headers["X-Next-Cursor"] = next_cursor
    if isinstance(body, str):
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return Response(body=body, status_code=200, headers=headers)
    return json_response(body, headers=headers)


TARGET_KEYS = ("id", "slug", "code", "username")


def _snapshot(before: Callable[..., Any] | None, kwargs: dict[str, Any]) -> Any:
    """The changed thing's state, None when it does not exist (yet, or any more)."""
    if before is None:
        return None
    try:
        return before(**kwargs)
    except DomainError:
        return None


def _action(method: str, path: str) -> str:
    parts = path.rstrip("/").split("/")
    if method == "POST" and parts[-2].startswith("{") and not parts[-1].startswith("{"):
        return parts[-1]  # /articles/{slug}/publish, /staff/{username}/disable...
    return {"POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}.get(method, method)


def _audit(
    request: Request,
    kind: str,
    action: str,
    kwargs: dict[str, Any],
    old: Any,
    before: Callable[..., Any] | None,
    response: Response,
) -> None:
    """Append the audit record of a change just answered 2xx (see ventanilla.services.audit)."""
    from ventanilla.services import audit as audit_service

    if before is not None:
        new = _snapshot(before, kwargs)
    elif isinstance(response.body, dict | list):
        new = response.body
    else:
        new = None
    target = "/".join(str(v) for v in kwargs.values())
    if not target and isinstance(response.body, dict):  # a create: the new thing's id
        target = next((str(response.body[k]) for k in TARGET_KEYS if response.body.get(k)), "")
    audit_service.record(
        principal_of(request),
        kind,
        action,
        target,
        old,
        new,
        source_ip=client_address(request),
        method=str(request.method),
        path=request_path(request) or "",
    )


@dataclass(frozen=True)
class Area:
    """Routes of one blueprint that share their OpenAPI tag and who may call them (staff roles, a
    staff token, or the headers a citizen sends): each declaration then names only what is its own.

    ``@editors.put("/api/v1/admin/help/articles/{slug}", body=ArticleEditIn)`` is
    ``@route(bp, path, "PUT", tag=..., auth=True, roles=..., body=...)``; a keyword given to the
    method wins over the area's."""

    bp: Blueprint
    tag: str
    roles: tuple[str, ...] = ()
    auth: bool = False
    """A staff token is required (implied by ``roles``)."""
    headers: Mapping[str, str | Param] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    """Any other keywords of :func:`route` its routes share (see :meth:`sharing`)."""

    def sharing(self, **options: Any) -> Area:
        """This area, its routes also sharing ``options`` (routes that change one thing alike)."""
        return replace(self, options={**self.options, **options})

    def route(self, path: str, method: str, **options: Any) -> Callable[[View], View]:
        shared: dict[str, Any] = {"tag": self.tag, "auth": self.auth or bool(self.roles)}
        if self.roles:
            shared["roles"] = self.roles
        if self.headers is not None:
            shared["headers"] = self.headers
        return route(self.bp, path, method, **{**shared, **self.options, **options})

    def get(self, path: str, **options: Any) -> Callable[[View], View]:
        return self.route(path, "GET", **options)

    def post(self, path: str, **options: Any) -> Callable[[View], View]:
        return self.route(path, "POST", **options)

    def put(self, path: str, **options: Any) -> Callable[[View], View]:
        return self.route(path, "PUT", **options)

    def patch(self, path: str, **options: Any) -> Callable[[View], View]:
        return self.route(path, "PATCH", **options)

    def delete(self, path: str, **options: Any) -> Callable[[View], View]:
        return self.route(path, "DELETE", **options)


def summary_of(view: Callable[..., Any]) -> str:
    """A view's docstring as its route's one-line OpenAPI summary."""
    if not view.__doc__:
        raise TypeError(f"{view.__name__}: a route needs a summary (the view's docstring)")
    return " ".join(line.strip() for line in view.__doc__.strip().splitlines())


def route(
    bp: Blueprint,
    path: str,
    method: str,
    *,
    summary: str | None = None,
    tag: str,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    auth: bool = False,
    query: dict[str, Param] | None = None,
    headers: Mapping[str, str | Param] | None = None,
    text_body: str | None = None,
    text_response: str | None = None,
    roles: tuple[str, ...] = (),
    audit: str | None = None,
    audit_action: str | None = None,
    before: Callable[..., Any] | None = None,
    also: Callable[[dict[str, Any]], list[FieldError]] | None = None,
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Register a view on ``bp`` and its OpenAPI description; DomainErrors become problems.

    The route's summary is the view's docstring (its lines joined by one space) unless ``summary``
    is given.

    A view with a ``principal`` parameter is given the verified staff member (staff routes), one
    with a ``body`` parameter the body parsed as ``body`` (``also``: see :func:`parse_body`), after
    authorisation and before the view runs, so the view is only the call to its service.

    ``audit`` names the kind of thing a changing route changes: each 2xx answer appends an audit
    record (who, what, the path's ids as target, and the diff between ``before(**path params)``
    called before and after the view; without ``before``, the answer's body is the "after")."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        ROUTE_DOCS.append(
            RouteDoc(
                path,
                method,
                summary if summary is not None else summary_of(view),
                tag,
                body,
                response,
                status,
                auth,
                dict(query or {}),
                dict(headers or {}),
                text_body,
                text_response,
                tuple(roles),
                audit,
            )
        )
        traced = tracer.capture_method(view, capture_response=False)  # no bodies in traces
        wants = inspect.signature(view).parameters
        if "principal" in wants and not (auth or roles):
            raise TypeError(f"{view.__name__}: a principal is given to staff routes only (auth=True)")
        if "body" in wants and body is None:
            raise TypeError(f"{view.__name__}: a body is given to routes that declare its model")

        def call(request: Request, kwargs: dict[str, Any]) -> Response:
            """The view, given the verified staff member and the parsed body when it asks for them."""
            given = dict(kwargs)
            if "principal" in wants:
                given["principal"] = principal_of(request)
            if "body" in wants and body is not None:
                given["body"] = parse_body(request, body, also)
            return traced(**given)

        def wrapped(**kwargs: Any) -> Response:
            request = bp.current_request
            try:
                if not all(SAFE_ID.fullmatch(str(v)) for v in kwargs.values()):
                    raise NotFound("route_not_found")  # no id of this API has other characters
                if roles:
                    principal_of(request).require(*roles)
                elif auth:
                    principal_of(request)  # a staff token, verified before any body is read
                if audit is None:
                    return call(request, kwargs)
                old = _snapshot(before, kwargs)
                response = call(request, kwargs)
                if 200 <= response.status_code < 300:
                    _audit(
                        request, audit, audit_action or _action(method, path), kwargs, old, before, response
                    )
                return response
            except DomainError as error:
                return problem(error, lang_of(request), request_path(request))

        loader.add_view(path, method, view, wrapped)
        return view

    return decorate
