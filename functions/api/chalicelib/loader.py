"""Every route of the API is registered at cold start from a route table; its area's module
(``chalicelib.<area>``, with the services it uses) is imported on the route's first request.

Importing every area and every service at cold start cost several times ``import boto3, chalice``;
a container now imports only what the routes it serves need. :mod:`chalicelib.route_table` is
generated from the areas by ``python -m infra.api.generate`` (``make lint`` checks it is current),
so a route is still declared once, by ``chalicelib.http.route`` in its area.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from types import ModuleType
from typing import Any

from chalice import Chalice, Response

from chalicelib.route_table import AREAS, ROUTES

View = Callable[..., Response]

VIEWS: dict[tuple[str, str], View] = {}
"""(path, method) -> the view as its area registered it (authorisation, problems, audit...)."""
NAMES: dict[tuple[str, str], tuple[str, str]] = {}
"""(path, method) -> (area, function name), what the route table is generated from."""
AFTER_REQUEST: list[Callable[[], object]] = []
"""Called by app.py's middleware after each answer (the metrics' flush, once they are loaded)."""


def add_view(path: str, method: str, view: View, wrapped: View) -> None:
    """Record an area's route: ``view`` as written, ``wrapped`` as it answers requests."""
    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    VIEWS[(path, method)] = wrapped
    NAMES[(path, method)] = (view.__module__.rpartition(".")[2], view.__name__)


def load(area: str, app: Chalice | None = None) -> ModuleType:
    """Import an area (once; later calls find it in ``sys.modules``) and bind its blueprint to
    ``app``, which gives its views ``bp.current_request`` (the blueprint registers no routes)."""
    module = import_module(f"{__package__}.{area}")
    if app is not None:
        app.register_blueprint(module.bp)
    return module


def load_all() -> None:
    """Import every area, in the table's order (the OpenAPI document lists routes in that order)."""
    for area in AREAS:
        load(area)


def register(app: Chalice) -> None:
    """Register every route of the table on ``app``; any content type reaches the view, which
    answers 415 as a problem document itself."""
    for path, method, area, name in ROUTES:
        app.route(path, methods=[method], content_types=["*/*"], name=name)(_view(app, path, method, area))


def _view(app: Chalice, path: str, method: str, area: str) -> View:
    def view(**kwargs: Any) -> Response:
        load(area, app)  # binding on every call keeps the blueprint on the app that is answering
        return VIEWS[(path, method)](**kwargs)

    return view
