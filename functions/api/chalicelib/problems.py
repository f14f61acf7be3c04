"""Problem documents (RFC 9457) and what they need from a request: the one part of the HTTP
plumbing app.py's middleware uses on every answer, kept free of the domain so the app module
imports without it (chalicelib.http re-exports these for the areas)."""

from __future__ import annotations

from typing import Any

from chalice import Response
from chalice.app import Request

from ventanilla.errors import DomainError, FieldError
from ventanilla.i18n import Lang, message, pick_lang

PROBLEM_JSON = "application/problem+json"


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
    headers: dict[str, str | list[str]] = {"Content-Type": PROBLEM_JSON}
    if status == 429 and "retry_after" in params:
        headers["Retry-After"] = str(params["retry_after"])
    return Response(body=body, status_code=status, headers=headers)
