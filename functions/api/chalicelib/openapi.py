"""The OpenAPI 3.1 document, generated from the routes' pydantic models (never written by hand)."""

from __future__ import annotations

import re
from typing import Any

from chalice import Blueprint, Response
from pydantic import BaseModel

from chalicelib import loader
from chalicelib.http import ROUTE_DOCS, SAFE_ID, Area, Param, json_response
from chalicelib.route_table import ROUTES
from ventanilla.help.articles import SLUG_PATTERN
from ventanilla.models.common import CODE_PATTERN

bp = Blueprint(__name__)

_PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem document",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}


_OPEN311_ERRORS = {
    "type": "array",
    "description": "Open311 errors (XML: <errors><error><code/><description/></error></errors>)",
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "required": ["code", "description"],
    },
}
_ID = {"type": "string", "pattern": "^" + SAFE_ID.pattern + "$"}
PATH_PARAMS: dict[str, dict[str, Any]] = {
    "number": {"type": "string", "pattern": r"^\d{4}-\d{6}$", "description": "request number, YYYY-NNNNNN"},
    "slug": {"type": "string", "pattern": SLUG_PATTERN, "minLength": 3, "maxLength": 120},
    "goal_id": {"type": "string", "pattern": CODE_PATTERN},
    "canned_id": {"type": "string", "pattern": CODE_PATTERN},
    "other": {"type": "string", "pattern": r"^\d{4}-\d{6}$", "description": "the other request's number"},
    "source": {"type": "string", "pattern": CODE_PATTERN, "description": "monitoring source code"},
    "attachment_id": {"type": "string", "pattern": r"^[0-9a-f]{32}$"},
    "event_id": {"type": "string", "pattern": r"^[0-9a-z]{1,40}$", "description": "a history event's id"},
}
"""Path parameters: an unknown value answers 404; these patterns keep generated clients in range."""


def _ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        schemas[name] = sub
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def document() -> dict[str, Any]:
    loader.load_all()  # every area's routes, not only those requested so far
    schemas: dict[str, Any] = {"Problem": _PROBLEM}
    paths: dict[str, Any] = {}
    rank = {(path, method): i for i, (path, method, _, _) in enumerate(ROUTES)}  # areas load lazily
    for doc in sorted(ROUTE_DOCS, key=lambda d: rank.get((d.path, d.method), len(rank))):
        op: dict[str, Any] = {
            "summary": doc.summary,
            "tags": [doc.tag],
            "operationId": _op_id(doc.method, doc.path),
        }
        params = [
            {"name": n, "in": "path", "required": True, "schema": PATH_PARAMS.get(n, _ID)}
            for n in re.findall(r"{(\w+)}", doc.path)
        ]
        params += [
            {
                "name": n,
                "in": "query",
                "required": p.required,
                "description": p.description,
                "schema": p.schema,
            }
            for n, p in doc.query.items()
        ]
        params += [
            {
                "name": n,
                "in": "header",
                "description": d.description,
                "required": d.required,
                "schema": d.schema,
            }
            if isinstance(d, Param)
            else {"name": n, "in": "header", "description": d, "schema": {"type": "string"}}
            for n, d in doc.headers.items()
        ]
        if params:
            op["parameters"] = params
        if doc.body and not doc.text_body:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _ref(doc.body, schemas)}},
            }
        if doc.text_body:
            op["requestBody"] = {
                "required": True,
                "content": {
                    doc.text_body: {
                        "schema": {
                            "type": "string",
                            "description": f"one JSON object per line, each a {doc.body.__name__}"
                            if doc.body
                            else "text",
                        }
                    }
                },
            }
            if doc.body:
                _ref(doc.body, schemas)
        ok: dict[str, Any] = {"description": "OK"}
        content: dict[str, Any] = {}
        if doc.response:
            content["application/json"] = {"schema": _ref(doc.response, schemas)}
        if doc.text_response:
            content[doc.text_response] = {"schema": {"type": "string"}}
        if content:
            ok["content"] = content
        problem: dict[str, Any] = {
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        }
        if doc.tag == "open311":  # GeoReport clients parse only the spec's errors
            ok["content"] = {"application/json": {"schema": {}}, "text/xml": {"schema": {"type": "string"}}}
            problem = {"content": {"application/json": {"schema": _OPEN311_ERRORS}, "text/xml": {}}}
        op["responses"] = {str(doc.status): ok, "4XX": {"description": "Client error", **problem}}
        if doc.auth:
            op["security"] = [{"cognito": []}]
            op["responses"]["401"] = {"description": "No valid token", **problem}
        if doc.roles:
            op["x-roles"] = list(doc.roles)
            op["description"] = "Roles: " + ", ".join(doc.roles)
            op["responses"]["403"] = {"description": "Not one of the roles", **problem}
        paths.setdefault(doc.path, {})[doc.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Ventanilla API",
            "version": "1",
            "description": "Mesa de ayuda y atención ciudadana",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _op_id(method: str, path: str) -> str:
    words = [w for w in re.sub(r"[{}]", "", path.removeprefix("/api/v1/")).replace("-", "/").split("/") if w]
    return method.lower() + "".join(w.capitalize() for w in words)


public = Area(bp, "public")


@public.get("/api/v1/openapi.json")
def openapi() -> Response:
    """This OpenAPI document"""
    return json_response(document())
