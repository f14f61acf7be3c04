"""The OpenAPI document is valid, generated from the models, and covers every route."""

from __future__ import annotations

from typing import Any

from openapi_spec_validator import validate


def test_openapi_is_valid_and_complete(api: Any, app: Any) -> None:
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json_body
    validate(document)
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    routes = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert documented == routes
    create = document["paths"]["/api/v1/tickets"]["post"]
    schema = document["components"]["schemas"]["CreateTicketIn"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CreateTicketIn")
    assert {"type", "subtype", "subject", "description", "requester"} <= set(schema["required"])
    assert document["paths"]["/api/v1/agent/queue"]["get"]["security"] == [{"cognito": []}]
    assert "security" not in create
