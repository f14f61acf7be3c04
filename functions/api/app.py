"""The HTTP API: one Chalice app, one blueprint per area, each area imported on the first request
of one of its routes (chalicelib.loader). Every route is also an operation of the REST API body
generated from these routes, infra/api/rest-api.yaml (Chalice routes on
``requestContext.resourcePath``); a test keeps the two in step."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chalice import Chalice, Response

from chalicelib import loader
from chalicelib.observability import logger
from chalicelib.problems import lang_of, problem_response, request_path
from ventanilla.settings import get_settings

get_settings()  # validate the environment at cold start

app = Chalice(app_name="ventanilla-api")
app.log.disabled = True  # Powertools Logger logs instead, without bodies or personal data
loader.register(app)  # each area (and the services it uses) is imported on its first request

# Chalice answers some errors itself with {"Code", "Message"}; they become problem documents too.
_CHALICE_ERRORS: dict[int, tuple[str, str, tuple[str, str]]] = {
    405: ("method-not-allowed", "method_not_allowed", ("Método no permitido", "Method not allowed")),
    415: (
        "unsupported-media-type",
        "unsupported_media_type",
        ("Tipo de contenido no admitido", "Unsupported media type"),
    ),
    500: ("internal", "internal", ("Error interno", "Internal error")),
}


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
# The API answers data; the one HTML answer (the printable report) carries its own <style>.
CSP_DATA = "default-src 'none'; frame-ancestors 'none'"
CSP_HTML = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def secure_headers(response: Response, event: Any) -> None:
    """Headers every answer carries; anything answered to a signed-in person or to an access code
    is never stored by a cache (shared or the browser's)."""
    headers = response.headers
    headers.update(SECURITY_HEADERS)
    content_type = next(
        (v for k, v in headers.items() if k.lower() == "content-type" and isinstance(v, str)), ""
    )
    headers["Content-Security-Policy"] = CSP_HTML if content_type.startswith("text/html") else CSP_DATA
    request_headers = getattr(event, "headers", None) or {}
    personal = "authorization" in request_headers or "x-access-code" in request_headers
    cache = next((k for k in headers if k.lower() == "cache-control"), None)
    if personal or response.status_code >= 400 or cache is None:
        headers.pop(cache or "Cache-Control", None)
        headers["Cache-Control"] = "no-store"


@app.middleware("http")
def problems_and_logging(event: Any, get_response: Callable[[Any], Response]) -> Response:
    started = time.perf_counter()
    number = (getattr(event, "uri_params", None) or {}).get("number")
    if number:
        logger.set_correlation_id(number)
    response = get_response(event)
    if isinstance(response.body, dict) and set(response.body) == {"Code", "Message"}:
        kind, code, titles = _CHALICE_ERRORS.get(response.status_code, _CHALICE_ERRORS[500])
        response = problem_response(
            response.status_code,
            kind,
            titles,
            code,
            {"content_type": "-"},
            [],
            lang_of(event),
            request_path(event),
        )
    secure_headers(response, event)
    logger.info(
        "request",
        extra={
            "method": getattr(event, "method", None),
            "route": (getattr(event, "context", None) or {}).get("resourcePath"),
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    for after in loader.AFTER_REQUEST:
        after()
    logger.set_correlation_id(None)
    return response
