"""How an API route is declared: an area's shared tag and roles, the view's docstring as its summary,
and the principal and body given only where the route can give them (chalicelib.http)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalice import Blueprint, Response

from chalicelib import loader
from chalicelib.http import ROUTE_DOCS, Area, RouteDoc, json_response
from ventanilla.auth import Principal
from ventanilla.models.base import Model

PATH = "/api/v1/test-only/things/{thing}"


class ThingIn(Model):
    name: str


@pytest.fixture
def declared() -> Iterator[list[RouteDoc]]:
    """The route descriptions the test declares; removed after it (the registries are global)."""
    before = len(ROUTE_DOCS)
    added: list[RouteDoc] = []
    yield added
    added.extend(ROUTE_DOCS[before:])
    del ROUTE_DOCS[before:]
    for doc in added:
        loader.VIEWS.pop((doc.path, doc.method), None)
        loader.NAMES.pop((doc.path, doc.method), None)


def test_an_area_gives_its_routes_tag_roles_and_the_docstring_summary(declared: list[RouteDoc]) -> None:
    things = Area(Blueprint(__name__), "things", roles=("admin",))

    @things.put(PATH, body=ThingIn, status=201, audit="thing")
    def put_thing(thing: str, principal: Principal, body: ThingIn) -> Response:
        """Replace a thing,
        its name and nothing else"""
        return json_response(body, status=201)

    doc = ROUTE_DOCS[-1]
    assert (doc.path, doc.method, doc.tag, doc.roles, doc.auth) == (PATH, "PUT", "things", ("admin",), True)
    assert (doc.summary, doc.body, doc.status, doc.audit) == (
        "Replace a thing, its name and nothing else",
        ThingIn,
        201,
        "thing",
    )


def test_a_keyword_of_the_route_wins_over_the_area_and_sharing_adds_keywords(
    declared: list[RouteDoc],
) -> None:
    things = Area(Blueprint(__name__), "things", auth=True).sharing(status=202, audit="thing")

    @things.post(PATH, tag="other", summary="Said here")
    def post_thing(thing: str) -> Response:
        """Not the summary"""
        return Response(body="", status_code=202)

    doc = ROUTE_DOCS[-1]
    assert (doc.tag, doc.summary, doc.status, doc.audit, doc.auth, doc.roles) == (
        "other",
        "Said here",
        202,
        "thing",
        True,
        (),
    )


def test_a_route_without_a_summary_is_refused(declared: list[RouteDoc]) -> None:
    with pytest.raises(TypeError, match="summary"):

        @Area(Blueprint(__name__), "things").get(PATH)
        def undocumented(thing: str) -> Response:
            return Response(body="")


def test_a_principal_is_given_to_staff_routes_only(declared: list[RouteDoc]) -> None:
    with pytest.raises(TypeError, match="staff routes only"):

        @Area(Blueprint(__name__), "things").get(PATH)
        def public(thing: str, principal: Principal) -> Response:
            """Public, yet asks for a staff member"""
            return Response(body="")


def test_a_body_is_given_to_routes_that_declare_its_model(declared: list[RouteDoc]) -> None:
    with pytest.raises(TypeError, match="declare its model"):

        @Area(Blueprint(__name__), "things", auth=True).post(PATH)
        def no_model(thing: str, body: ThingIn) -> Response:
            """A body without a declared model"""
            return Response(body="")


def test_a_view_copies_the_fields_it_shares_by_name_and_rest_wins() -> None:
    from ventanilla.models.base import copied

    class Stored(Model):
        id: str
        name: str
        secret: str
        count: int

    class View(Model):
        id: str
        name: str
        count: int
        label: str

    view = copied(View, Stored(id="a", name="Ana", secret="s", count=1), count=2, label="x")
    assert view.model_dump() == {"id": "a", "name": "Ana", "count": 2, "label": "x"}
