"""Writes infra/api/rest-api.yaml, the body of the REST API, from the Chalice routes, and the API's
route table (functions/api/chalicelib/route_table.py, see chalicelib.loader) from its areas.

    python -m infra.api.generate            # rewrite the files after adding or changing a route
    python -m infra.api.generate --check    # exit 1 if a committed file is stale

template.yaml includes the file with ``AWS::Include`` (``sam build``/``sam deploy`` upload it), so the
``Fn::Sub`` in each integration resolves at deploy time. Every operation is a Lambda proxy integration
to the one API function, behind one ``AWS::Lambda::Permission`` for the whole API: one permission per
route would outgrow Lambda's 20 KB resource policy. Chalice routes on ``requestContext.resourcePath``,
so each API Gateway path is exactly a Chalice route; a request matching none is answered by API
Gateway itself, with the gateway responses below (problem documents, not its 403).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import yaml

from infra.local.template import ROOT
from ventanilla.errors import NotFound, PayloadTooLarge
from ventanilla.i18n import message

OUTPUT = ROOT / "infra" / "api" / "rest-api.yaml"
AREAS_DIR = ROOT / "functions" / "api" / "chalicelib"
TABLE = AREAS_DIR / "route_table.py"
FUNCTION = "ApiFunction"
INTEGRATION_URI = (
    "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31"
    "/functions/${" + FUNCTION + ".Arn}/invocations"
)
GATEWAY_MAX_BODY = 10 * 1024 * 1024
"""API Gateway refuses larger payloads itself (REQUEST_TOO_LARGE) before the app's own limit."""

_HEADERS = {
    "gatewayresponse.header.Content-Type": "'application/problem+json'",
    "gatewayresponse.header.X-Content-Type-Options": "'nosniff'",
    "gatewayresponse.header.Cache-Control": "'no-store'",
}
# (response type, status or None for the whole class, problem kind, title, message code, params)
_GATEWAY_PROBLEMS: list[tuple[str, int | None, str, str, str, dict[str, Any]]] = [
    ("MISSING_AUTHENTICATION_TOKEN", 404, NotFound.problem, NotFound.title_es, "route_not_found", {}),
    ("RESOURCE_NOT_FOUND", 404, NotFound.problem, NotFound.title_es, "route_not_found", {}),
    # No route uses IAM auth, so API Gateway reads an Authorization header as a signature only on
    # a route it does not have (the staff console's bearer token on a mistyped path).
    ("INVALID_SIGNATURE", 404, NotFound.problem, NotFound.title_es, "route_not_found", {}),
    ("THROTTLED", 429, "too-many-requests", "Demasiadas solicitudes", "throttled", {}),
    (
        "REQUEST_TOO_LARGE",
        413,
        PayloadTooLarge.problem,
        PayloadTooLarge.title_es,
        "payload_too_large",
        {"limit": GATEWAY_MAX_BODY},
    ),
    ("INTEGRATION_TIMEOUT", 504, "gateway-timeout", "Tiempo de espera agotado", "gateway_timeout", {}),
    ("INTEGRATION_FAILURE", 502, "bad-gateway", "Servicio no disponible", "gateway_error", {}),
    ("DEFAULT_4XX", None, "gateway-rejected", "Solicitud rechazada", "gateway_rejected", {}),
    ("DEFAULT_5XX", None, "gateway-error", "Servicio no disponible", "gateway_error", {}),
]


def gateway_responses() -> dict[str, Any]:
    """RFC 9457 problem documents for what API Gateway answers without calling the function."""
    out: dict[str, Any] = {}
    for response_type, status, kind, title, code, params in _GATEWAY_PROBLEMS:
        problem: dict[str, Any] = {"type": f"urn:ventanilla:problem:{kind}", "title": title}
        if status is not None:  # DEFAULT_4XX/5XX cover several statuses: the HTTP status says which
            problem["status"] = status
        problem |= {"detail": message(code, "es", **params), "code": code, "requestId": "$context.requestId"}
        headers = dict(_HEADERS)
        if response_type == "THROTTLED":
            headers["gatewayresponse.header.Retry-After"] = "'1'"
        response: dict[str, Any] = {
            "responseParameters": headers,
            "responseTemplates": {"application/json": json.dumps(problem, ensure_ascii=False)},
        }
        if status is not None:
            response = {"statusCode": str(status), **response}
        out[response_type] = response
    return out


def _integration() -> dict[str, Any]:
    return {
        "type": "aws_proxy",
        "httpMethod": "POST",
        "uri": {"Fn::Sub": INTEGRATION_URI},
        "passthroughBehavior": "when_no_match",
    }


def body(app: Any) -> dict[str, Any]:
    """The OpenAPI 3.0 body API Gateway imports: every Chalice route, each a proxy integration."""
    # The app's own folder is on sys.path once the app is loaded (Lambda's layout).
    from chalicelib.openapi import document

    documented = document()
    routes = {(path, method) for path, methods in app.routes.items() for method in methods}
    described = {(path, m.upper()) for path, ops in documented["paths"].items() for m in ops}
    if routes != described:
        raise ValueError(f"routes without OpenAPI docs or back: {sorted(routes ^ described)}")
    paths: dict[str, Any] = {}
    for path in sorted(app.routes):
        for method in sorted(app.routes[path]):
            doc = documented["paths"][path][method.lower()]
            op: dict[str, Any] = {
                "operationId": doc["operationId"],
                "summary": doc["summary"],
                "tags": doc["tags"],
            }
            # Only path parameters: validation of queries, headers and bodies is the app's job.
            params = [p for p in doc.get("parameters", []) if p["in"] == "path"]
            if params:
                op["parameters"] = params
            status = next(iter(doc["responses"]))
            op["responses"] = {status: {"description": doc["responses"][status]["description"]}}
            op["x-amazon-apigateway-integration"] = _integration()
            paths.setdefault(path, {})[method.lower()] = op
    info = documented["info"]
    return {
        "openapi": "3.0.1",
        "info": {"title": info["title"], "version": info["version"], "description": info["description"]},
        "paths": paths,
        # As Chalice deploys its apps: bodies of these types reach the function base64-encoded.
        "x-amazon-apigateway-binary-media-types": list(app.api.binary_types),
        "x-amazon-apigateway-gateway-responses": gateway_responses(),
    }


class _Dumper(yaml.SafeDumper):
    """Plain YAML for AWS::Include: no anchors or aliases, whatever objects repeat."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render(app: Any) -> str:
    text = yaml.dump(body(app), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)
    return (
        "# Generated by `python -m infra.api.generate` from the Chalice routes: do not edit by hand.\n" + text
    )


def load_app() -> Any:
    """The API function's Chalice app, loaded from its CodeUri and Handler as Lambda would."""
    from infra.local import template as tpl
    from infra.local.functions import LocalFunction

    props = tpl.load()["Resources"][FUNCTION]["Properties"]
    # Settings are validated at import; the route table itself touches no table.
    os.environ.setdefault("TABLE_NAME", "route-table-only")
    fn = LocalFunction(FUNCTION, ROOT / props["CodeUri"], props["Handler"], events={}, environment={})
    return fn.load()


def route_table() -> str:
    """The route table's source: every route each area module registers when imported, areas in
    name order (the order the OpenAPI document lists them in)."""
    for path in sorted(AREAS_DIR.glob("*.py")):
        if path.stem not in ("__init__", TABLE.stem):
            importlib.import_module(f"chalicelib.{path.stem}")
    from chalicelib.loader import NAMES

    routes = [(path, method, area, name) for (path, method), (area, name) in NAMES.items()]
    areas = list(dict.fromkeys(area for _, _, area, _ in routes))
    text = (
        '"""The API\'s routes: (path, method, area module, view). Generated by\n'
        "`python -m infra.api.generate` from the areas' ``route`` declarations: do not edit by hand.\n"
        '"""\n\n'
        f"AREAS = {tuple(areas)!r}\n"
        "# fmt: off\n"  # one route a line, however long: the table is read (and diffed) by route
        "ROUTES: tuple[tuple[str, str, str, str], ...] = (\n"
        + "".join(f"    ({', '.join(json.dumps(part) for part in route)}),\n" for route in routes)
        + ")\n"
        "# fmt: on\n"
    )
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(TABLE), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return formatted.stdout


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.api.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if a committed file is stale")
    args = parser.parse_args(argv)
    app = load_app()
    table = route_table()
    if not TABLE.exists() or TABLE.read_text(encoding="utf-8") != table:
        if args.check:
            print(f"{TABLE.relative_to(ROOT)} is stale: run python -m infra.api.generate", file=sys.stderr)
            return 1
        TABLE.write_text(table, encoding="utf-8")
        print(f"wrote {TABLE.relative_to(ROOT)}")
        # This process registered the routes from the old table: the body comes from a fresh one.
        return subprocess.call([sys.executable, "-m", "infra.api.generate"], cwd=ROOT)
    text = render(app)
    if args.check:
        stale = not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != text
        if stale:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run python -m infra.api.generate", file=sys.stderr)
        return 1 if stale else 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
