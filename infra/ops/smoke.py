"""Black-box check of a running Ventanilla over HTTP only (after ``make deploy``, or against ``make dev``).

    python -m infra.ops.smoke https://ventanilla.municipio.gob.cl
    SMOKE_USER=ana.l1 SMOKE_PASSWORD=... python -m infra.ops.smoke https://...

Checks the portal, health, config, catalog, help search, that an unknown API path is answered by
the API (not the web's HTML), files a request and follows it with its access code, and logs a
staff member in when SMOKE_USER and SMOKE_PASSWORD are set. Filing creates one real request
(subject "Prueba de humo", no notice channels, SES's simulator address): close it from the
console. The last line is ``N passed, M failed``; the exit code is 1 when anything failed.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

TIMEOUT = 30.0
SIMULATOR = "success+smoke-{stamp}@simulator.amazonses.com"
"""The requester's contact: SES's mailbox simulator, so a notice sent anyway harms no reputation;
a new label each run, so repeated runs stay under the filing limit per address."""


class CheckFailed(Exception):
    """What was expected and what came back."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        if "json" not in self.headers.get("content-type", ""):
            raise CheckFailed(f"expected JSON, got {self.headers.get('content-type', 'no content type')!r}")
        try:
            return json.loads(self.body)
        except ValueError as error:
            raise CheckFailed(f"invalid JSON: {error}") from error


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> Answer:
    """One request; HTTP errors are answers too (the checks judge the status)."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    sent = {"Accept": "application/json", "Accept-Language": "es", **(headers or {})}
    if body is not None and "Content-Type" not in sent:
        sent["Content-Type"] = "application/json"
    if not url.startswith(("http://", "https://")):
        raise CheckFailed(f"not an http(s) URL: {url}")
    request = urllib.request.Request(url, data=data, headers=sent, method=method)  # noqa: S310 - checked above
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
            return Answer(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())
    except (urllib.error.URLError, OSError) as error:
        raise CheckFailed(f"{method} {url}: {getattr(error, 'reason', error)}") from error


def expect(answer: Answer, status: int, what: str) -> None:
    if answer.status != status:
        raise CheckFailed(f"{what}: HTTP {answer.status}, expected {status}: {answer.body[:200]!r}")


@dataclass
class Smoke:
    base: str
    results: list[tuple[str, str | None]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)

    def api(self, path: str) -> str:
        return f"{self.base}/api/v1{path}"

    def run(self, name: str, check: Callable[[], str]) -> None:
        try:
            detail = check()
        except CheckFailed as error:
            self.results.append((name, str(error)))
            print(f"FAIL {name}: {error}", flush=True)
        else:
            self.results.append((name, None))
            print(f"ok   {name}{': ' + detail if detail else ''}", flush=True)

    # ---- the checks --------------------------------------------------------------------------

    def portal(self) -> str:
        answer = http("GET", self.base + "/", headers={"Accept": "text/html"})
        expect(answer, 200, "portal")
        if "text/html" not in answer.headers.get("content-type", "") or b'type="module"' not in answer.body:
            raise CheckFailed("the portal is not the web's index.html")
        https = self.base.startswith("https://")
        missing = missing_security_headers(answer.headers, https=https)
        if missing and https:
            raise CheckFailed(f"security headers missing: {', '.join(missing)}")
        return f"over http, without {', '.join(missing)}" if missing else "security headers in place"

    def health(self) -> str:
        answer = http("GET", self.api("/health"))
        expect(answer, 200, "health")
        body = answer.json()
        if body.get("status") != "ok":
            raise CheckFailed(f"health says {body!r}")
        return f"version {body.get('version')}"

    def config(self) -> str:
        answer = http("GET", self.api("/config"))
        expect(answer, 200, "config")
        body = answer.json()
        if not isinstance(body, dict) or "api_base" not in body:
            raise CheckFailed("config has no api_base")
        self.state["config"] = body
        return str(body.get("institution", ""))

    def catalog(self) -> str:
        answer = http("GET", self.api("/catalog"))
        expect(answer, 200, "catalog")
        types = answer.json().get("types") or []
        if not types:
            raise CheckFailed("the catalog is empty (run the bootstrap)")
        self.state["types"] = types
        return f"{len(types)} request types"

    def help_search(self) -> str:
        answer = http("GET", self.api("/help/search?q=certificado&lang=es"))
        expect(answer, 200, "help search")
        body = answer.json()
        if not isinstance(body.get("hits"), list) or not isinstance(body.get("total"), int):
            raise CheckFailed(f"not a search answer: {str(body)[:200]}")
        return f"{body['total']} results for 'certificado'"

    def unknown_api_path(self) -> str:
        # API Gateway answers 403 for a path it does not know, the local server 404: JSON either way,
        # never the web's index.html (which a distribution-wide error page would send).
        answer = http("GET", self.api("/no-existe-prueba-de-humo"))
        if answer.status not in (403, 404):
            raise CheckFailed(f"HTTP {answer.status} for an unknown API path, expected 403 or 404")
        answer.json()
        return f"HTTP {answer.status}, JSON"

    def file_request(self) -> str:
        chosen = pick_subtype(self.state.get("types") or [])
        if chosen is None:
            raise CheckFailed("no public request type without an identity-number field to file")
        type_code, subtype = chosen
        body = {
            "type": type_code,
            "subtype": subtype["code"],
            "subject": "Prueba de humo",
            "description": "Solicitud creada por la prueba automática posterior al despliegue.",
            "form": fill_form(subtype.get("fields") or []),
            "requester": {
                "name": "Prueba de humo",
                "email": SIMULATOR.format(stamp=time.time_ns()),
                "channels": [],
                "consent": True,
            },
        }
        answer = http("POST", self.api("/tickets"), body)
        expect(answer, 201, "file a request")
        created = answer.json()
        if not created.get("number") or not created.get("access_code"):
            raise CheckFailed(f"no number or access code: {created!r}")
        self.state["ticket"] = created
        return f"{created['number']} ({type_code}/{subtype['code']})"

    def follow_request(self) -> str:
        ticket = self.state.get("ticket")
        if not ticket:
            raise CheckFailed("no request was filed")
        path = self.api(f"/tickets/{ticket['number']}")
        answer = http("GET", path, headers={"X-Access-Code": ticket["access_code"]})
        expect(answer, 200, "follow with the code")
        view = answer.json()
        if view.get("number") != ticket["number"]:
            raise CheckFailed(f"followed {view.get('number')!r}, filed {ticket['number']!r}")
        wrong = http("GET", path, headers={"X-Access-Code": "ZZZZ-ZZZZ"})
        expect(wrong, 404, "follow with a wrong code")
        return f"status {view.get('status')}; a wrong code is 404"

    def staff_login(self) -> str:
        user, password = os.environ.get("SMOKE_USER"), os.environ.get("SMOKE_PASSWORD")
        config = self.state.get("config") or {}
        client = config.get("user_pool_client_id")
        if config.get("cognito_endpoint"):  # the local stack: the web's own forward to moto
            url = f"{self.base}/dev/cognito"
        else:
            url = f"https://cognito-idp.{config.get('region', 'us-east-1')}.amazonaws.com/"
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
        }
        body = {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": client,
            "AuthParameters": {"USERNAME": user, "PASSWORD": password},
        }
        answer = http("POST", url, json.dumps(body).encode(), headers)
        expect(answer, 200, "Cognito login")
        result = json.loads(answer.body)
        if "AuthenticationResult" not in result:
            raise CheckFailed(
                f"login needs {result.get('ChallengeName', 'a step')} first (log in once in the console)"
            )
        token = result["AuthenticationResult"]["AccessToken"]
        me = http("GET", self.api("/agent/me"), headers={"Authorization": f"Bearer {token}"})
        expect(me, 200, "the console's /agent/me")
        return f"{me.json().get('username', user)} logged in"


def missing_security_headers(headers: dict[str, str], https: bool) -> list[str]:
    """What the CDN's response headers policy sends and ``headers`` (lower-case names) lack."""
    missing = []
    if "frame-ancestors 'none'" not in headers.get("content-security-policy", ""):
        missing.append("CSP frame-ancestors 'none'")
    if headers.get("x-content-type-options") != "nosniff":
        missing.append("X-Content-Type-Options")
    if "referrer-policy" not in headers:
        missing.append("Referrer-Policy")
    if https and "max-age=" not in headers.get("strict-transport-security", ""):
        missing.append("Strict-Transport-Security")
    return missing


def pick_subtype(types: list[dict[str, Any]]) -> tuple[str, dict[str, Any]] | None:
    """The public subtype with the fewest required fields, none of them an identity number."""
    candidates = [
        (sum(1 for f in s.get("fields") or [] if f.get("required")), t["code"], s)
        for t in types
        if "external" in (t.get("audiences") or ["external"])
        for s in t.get("subtypes") or []
        if not any(f.get("required") and f.get("kind") == "rut" for f in s.get("fields") or [])
    ]
    if not candidates:
        return None
    _, type_code, subtype = min(candidates, key=lambda c: c[0])
    return type_code, subtype


def fill_form(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """A value for every required field, by kind."""
    values: dict[str, Any] = {}
    for f in fields:
        if not f.get("required"):
            continue
        kind = f.get("kind", "text")
        if kind == "select":
            values[f["name"]] = f["options"][0]["value"]
        elif kind == "checkbox":
            values[f["name"]] = True
        elif kind == "number":
            values[f["name"]] = 1
        elif kind == "date":
            values[f["name"]] = date.today().isoformat()
        elif kind == "email":
            values[f["name"]] = "prueba@example.org"
        else:
            values[f["name"]] = "Prueba de humo"
    return values


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m infra.ops.smoke URL", file=sys.stderr)
        return 2
    smoke = Smoke(args[0].rstrip("/"))
    for name, check in [
        ("portal", smoke.portal),
        ("health", smoke.health),
        ("config", smoke.config),
        ("catalog", smoke.catalog),
        ("help search", smoke.help_search),
        ("unknown API path", smoke.unknown_api_path),
        ("file a request", smoke.file_request),
        ("follow it with its code", smoke.follow_request),
    ]:
        smoke.run(name, check)
    if not (os.environ.get("SMOKE_USER") and os.environ.get("SMOKE_PASSWORD")):
        print("skip staff login: set SMOKE_USER and SMOKE_PASSWORD to check it")
    elif not (smoke.state.get("config") or {}).get("user_pool_client_id"):
        print("skip staff login: GET /api/v1/config publishes no user_pool_client_id")
    else:
        smoke.run("staff login", smoke.staff_login)
    failed = sum(1 for _, error in smoke.results if error)
    print(f"{len(smoke.results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
