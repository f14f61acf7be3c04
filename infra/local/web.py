"""One port for everything: the API through Chalice's local gateway, the static web from web/,
and development pages registered by the local stack (e.g. an outbox of sent notifications)."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from chalice.config import Config
from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer

from infra.local.template import ROOT

WEB_DIR = ROOT / "web"
DevPage = Callable[[str], tuple[int, str, bytes]]
"""Takes the query string; returns (status, content type, body)."""

DEV_PAGES: dict[str, DevPage] = {}


class WebHandler(ChaliceRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # the API logs through Powertools; static files need no log

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/api/"):
            self._generic_handle()
        elif path in DEV_PAGES:
            status, content_type, body = DEV_PAGES[path](urlsplit(self.path).query)
            self._send(status, content_type, body)
        else:
            self._static(path)

    def do_HEAD(self) -> None:
        self.do_GET()

    def _static(self, path: str) -> None:
        relative = unquote(path).lstrip("/") or "index.html"
        target = (WEB_DIR / relative).resolve()
        if target.is_dir():
            target = target / "index.html"
        if WEB_DIR.resolve() not in target.parents or not target.is_file():
            self._send(404, "text/plain; charset=utf-8", "No encontrado / Not found".encode())
            return
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        self._send(200, content_type, target.read_bytes(), cache="no-cache")

    def _send(self, status: int, content_type: str, body: bytes, cache: str = "no-store") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def make_server(app: Any, project_dir: Path, host: str, port: int) -> LocalDevServer:
    """Chalice's local server (as ``chalice local`` builds it) with the static web on the same port."""
    config = Config.create(chalice_stage="dev", app_name="ventanilla-api", project_dir=str(project_dir), chalice_app=app)
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    return LocalDevServer(app, config, host, port, handler_cls=WebHandler)
