"""API Gateway as the local stack and the tests run it: Chalice's local gateway, except that a path
no route has answers what the deployed API answers (its gateway responses): a 404 problem document,
not a 403 "Missing Authentication Token" that echoes the Authorization header."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import ForbiddenError, LocalGateway, RouteMatcher

from ventanilla.i18n import message, pick_lang

PROBLEM_JSON = "application/problem+json"
TITLES = {"es": "No encontrado", "en": "Not found"}


def route_not_found(path: str, headers: dict[str, Any]) -> dict[str, Any]:
    """The 404 problem document of an unknown route, in the language the client asked for."""
    lowered = {k.lower(): v for k, v in headers.items()}
    lang = pick_lang(lowered.get("accept-language"))
    body = {
        "type": "urn:ventanilla:problem:not-found",
        "title": TITLES[lang],
        "status": 404,
        "detail": message("route_not_found", lang),
        "code": "route_not_found",
        "instance": path.split("?", 1)[0],
    }
    return {
        "statusCode": 404,
        "headers": {"Content-Type": PROBLEM_JSON},
        "multiValueHeaders": {},
        "body": json.dumps(body, ensure_ascii=False),
        "isBase64Encoded": False,
    }


class ProblemGateway(LocalGateway):
    def __init__(self, app_object: Chalice, config: Config) -> None:
        super().__init__(app_object, config)
        self._matcher = RouteMatcher(list(app_object.routes))

    def handle_request(
        self, method: str, path: str, headers: dict[str, Any], body: bytes | None
    ) -> dict[str, Any]:
        try:
            return dict(super().handle_request(method, path, headers, body))
        except ForbiddenError:
            try:
                self._matcher.match_route(path)
            except ValueError:
                return route_not_found(path, headers)
            raise
