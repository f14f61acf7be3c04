"""One port for everything: the API through Chalice's local gateway, the static web from web/,
and development pages registered by the local stack (e.g. an outbox of sent notifications)."""

from __future__ import annotations

import mimetypes
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    LocalGatewayException,
    ThreadedHTTPServer,
)

from infra.local import citizen_codes, reset_codes
from infra.local.gateway import ProblemGateway
from infra.local.iam_guard import running
from infra.local.template import ROOT

WEB_DIR = ROOT / "web"
DevPage = Callable[[str], tuple[int, str, bytes]]
"""Takes the query string; returns (status, content type, body)."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
WEB_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}
"""Every page and file of the web. In AWS, CloudFront's response headers policy (template.yaml,
WebHeadersPolicy) sends the same, plus HSTS and connect-src for Cognito's public endpoint (locally
the login goes through /dev/cognito)."""

DEV_PAGES: dict[str, DevPage] = {}
DEV_ACTIONS: dict[str, DevPage] = {}
"""Development-only POST endpoints (e.g. ``/dev/clock?advance=2h``), same signature as DEV_PAGES."""

COGNITO_PROXY = "/dev/cognito"
API_PREFIXES = ("/api/", "/open311/")
"""Paths the API answers (Open311 GeoReport v2 lives outside /api/v1, as its clients expect)."""
"""Development only: the browser's Cognito calls (staff login), forwarded to moto's server. The
page's CSP allows only its own origin, and moto listens on another port; in AWS the web calls
Cognito's public endpoint directly (Cognito answers CORS)."""
COGNITO_TARGETS = frozenset(
    f"AWSCognitoIdentityProviderService.{action}"
    for action in (
        "InitiateAuth",
        "RespondToAuthChallenge",
        "GlobalSignOut",
        "GetUser",
        "SignUp",
        "ConfirmSignUp",
        "ResendConfirmationCode",
        "ForgotPassword",
        "ConfirmForgotPassword",
    )
)


def forward_cognito(target: str, body: bytes) -> tuple[int, str, bytes]:
    """POST ``body`` to moto's Cognito with ``X-Amz-Target: target``; only login-related targets."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    if target not in COGNITO_TARGETS or not endpoint.startswith("http://127.0.0.1:"):
        return 403, "application/json", b'{"__type":"NotAuthorizedException","message":"not forwarded"}'
    action = target.rsplit(".", 1)[-1]
    if action == "ConfirmSignUp" and not citizen_codes.check_confirmation(body):
        return (
            400,
            "application/x-amz-json-1.1",
            b'{"__type":"CodeMismatchException","message":"Invalid code"}',
        )
    if action == "ConfirmForgotPassword":
        checked = reset_codes.check_confirm(body)
        if isinstance(checked, tuple):
            return checked
        body = checked
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}
    request = urllib.request.Request(endpoint + "/", data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - moto on localhost
            status, payload = answer.status, answer.read()
            moto_code = answer.headers.get("x-moto-forgot-password-confirmation-code") or ""
    except urllib.error.HTTPError as error:
        return error.code, "application/x-amz-json-1.1", error.read()
    if action == "ForgotPassword":
        reset_codes.after_forgot(body, moto_code)
    # moto sends no code and marks nothing verified: the local stack plays Cognito's part.
    if action in ("SignUp", "ResendConfirmationCode"):
        citizen_codes.after_sign_up(body)
    elif action == "ConfirmSignUp":
        citizen_codes.verified(body)
    return status, "application/x-amz-json-1.1", payload


UPLOAD_PROXY = "/dev/s3"
"""Development only: the browser's presigned POST of an attachment, forwarded to moto's S3 (the
page's CSP allows only its own origin). The form's policy, not the address, is what S3 checks, so
the same fields work through here; in AWS the browser posts to the bucket (its CORS allows it)."""
MAX_UPLOAD_BODY = 11 * 1024 * 1024


def forward_upload(content_type: str, body: bytes) -> tuple[int, str, bytes]:
    """POST a multipart upload to moto's attachments bucket; nothing else is forwarded."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    bucket = os.environ.get("ATTACHMENTS_BUCKET", "")
    if (
        not bucket
        or not endpoint.startswith("http://127.0.0.1:")
        or not content_type.startswith("multipart/form-data")
    ):
        return 403, "text/plain; charset=utf-8", b"not forwarded"
    request = urllib.request.Request(  # noqa: S310 - moto on localhost
        f"{endpoint}/{bucket}", data=body, headers={"Content-Type": content_type}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return answer.status, answer.headers.get("Content-Type", "application/xml"), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, "application/xml", error.read()


class WebServer(ThreadedHTTPServer):
    """Requests are served by a fixed pool of threads, not a new thread each: a thread keeps its
    boto3 clients (storage makes one Table per thread, which costs tens of milliseconds), as a
    Lambda container keeps them between invocations."""

    request_queue_size = 128  # the stdlib's 5 resets connections when a page loads many assets at once
    daemon_threads = True
    pool_size = 64  # idle keep-alive connections hold a thread until WebHandler.timeout

    def process_request(self, request: Any, client_address: Any) -> None:
        pool = self.__dict__.get("_pool")
        if pool is None:
            from concurrent.futures import ThreadPoolExecutor

            pool = self._pool = ThreadPoolExecutor(self.pool_size, thread_name_prefix="web")
        pool.submit(self.process_request_thread, request, client_address)

    def server_close(self) -> None:
        super().server_close()
        pool = self.__dict__.get("_pool")
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


class WebHandler(ChaliceRequestHandler):
    timeout = 10  # seconds an idle keep-alive connection may hold one of the server's threads
    server_version = "Ventanilla"

    def version_string(self) -> str:
        return self.server_version  # the stdlib adds "Python/3.x.y" otherwise

    def __init__(
        self, request: Any, client_address: Any, server: Any, app_object: Any, config: Config
    ) -> None:
        # As ChaliceRequestHandler does, with a gateway that answers unknown routes like the deployed one.
        self.local_gateway = ProblemGateway(app_object, config)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the API logs through Powertools; static files need no log

    def _generic_handle(self) -> None:
        with running("ApiFunction"):  # the API's AWS calls checked against its role
            super()._generic_handle()

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith(API_PREFIXES):
            self._generic_handle()
        elif path in DEV_PAGES:
            status, content_type, body = DEV_PAGES[path](urlsplit(self.path).query)
            self._send(status, content_type, body)
        else:
            self._static(path)

    def do_HEAD(self) -> None:
        self.do_GET()

    def _other_method(self) -> None:
        """TRACE, CONNECT and the like: the API answers 405 as a problem; the web has no such method."""
        if urlsplit(self.path).path.startswith(API_PREFIXES):
            self._generic_handle()
        else:
            self._send(405, "text/plain; charset=utf-8", b"Metodo no permitido / Method not allowed")

    def __getattr__(self, name: str) -> Any:
        # http.server looks up do_<METHOD>; any method the API does not route answers 405 there
        if name.startswith("do_"):
            return self._other_method
        raise AttributeError(name)

    def do_POST(self) -> None:
        if urlsplit(self.path).path == COGNITO_PROXY:
            body = self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 64_000))
            self._send(*forward_cognito(self.headers.get("X-Amz-Target", ""), body))
        elif urlsplit(self.path).path == "/dev/sms-in":
            from infra.local.sms_in import MAX_BODY, publish

            body = self.rfile.read(min(int(self.headers.get("Content-Length") or 0), MAX_BODY))
            self._send(*publish(body))
        elif urlsplit(self.path).path == UPLOAD_PROXY:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_UPLOAD_BODY:
                self._send(413, "text/plain; charset=utf-8", b"too large")
                return
            body = self.rfile.read(length)
            self._send(*forward_upload(self.headers.get("Content-Type", ""), body))
        elif urlsplit(self.path).path in DEV_ACTIONS:
            self._send(*DEV_ACTIONS[urlsplit(self.path).path](urlsplit(self.path).query))
        else:
            self._generic_handle()

    def _send_error_response(self, error: LocalGatewayException) -> None:
        """The gateway's own answers (no such route, as API Gateway's 403) with the web's headers."""
        headers = {**error.headers, **WEB_HEADERS, "Cache-Control": "no-store"}
        headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
        self._send_http_response(error.CODE, headers, error.body)

    def _static(self, path: str) -> None:
        relative = unquote(path).lstrip("/") or "index.html"
        target = (WEB_DIR / relative).resolve()
        if target.is_dir():
            target = target / "index.html"
        if WEB_DIR.resolve() not in target.parents or not target.is_file():
            self._send(404, "text/plain; charset=utf-8", b"No encontrado / Not found")
            return
        content_type = (
            "application/manifest+json"
            if target.suffix == ".webmanifest"
            else mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        )
        if content_type.startswith("text/") or content_type in (
            "application/javascript",
            "application/json",
            "application/manifest+json",
        ):
            content_type += "; charset=utf-8"
        self._send(200, content_type, target.read_bytes(), cache="no-cache")

    def _send(self, status: int, content_type: str, body: bytes, cache: str = "no-store") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        for name, value in WEB_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def make_server(app: Any, project_dir: Path, host: str, port: int) -> LocalDevServer:
    """Chalice's local server (as ``chalice local`` builds it) with the static web on the same port."""
    config = Config.create(
        chalice_stage="dev", app_name="ventanilla-api", project_dir=str(project_dir), chalice_app=app
    )
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    return LocalDevServer(app, config, host, port, handler_cls=WebHandler, server_cls=WebServer)
