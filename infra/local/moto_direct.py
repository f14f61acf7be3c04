"""boto3 calls from this process to the local moto server, answered without the socket.

The request goes to the very WSGI application the server runs (its one-at-a-time lock, its journal,
the patched transactions and queries), called in the caller's thread instead of over loopback HTTP:
no connection, no HTTP parsing on either side, no hand-off of the interpreter lock between a
client thread and a server thread. Measured on the 2-core development machine: a DynamoDB
GetItem or PutItem takes 3.3 ms of CPU this way against 5.4 ms over HTTP (wall time about half).
Other processes and plain HTTP clients (the browser, presigned URLs, ``requests``) still reach the
server over HTTP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders

if TYPE_CHECKING:
    from infra.local.moto_server import SerialMotoServer

SKIPPED_HEADERS = frozenset({"content-length", "host", "expect", "transfer-encoding"})
"""Set by the WSGI environ itself (length, host) or meaningful only on a socket."""


class _Raw:
    """The answer's body as botocore reads a urllib3 response: ``read`` and ``stream``."""

    def __init__(self, body: bytes) -> None:
        self._body, self._at = body, 0

    def read(self, amount: int | None = None) -> bytes:
        end = len(self._body) if amount is None else min(len(self._body), self._at + amount)
        chunk, self._at = self._body[self._at : end], end
        return chunk

    def stream(self, amt: int = 1024, **_: Any) -> Any:
        while chunk := self.read(amt):
            yield chunk


def _body(request: AWSPreparedRequest) -> bytes:
    body = request.body
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    start = body.tell() if hasattr(body, "tell") else None
    data = body.read()
    if start is not None:
        body.seek(start)  # botocore may send the same request again
    return data if isinstance(data, bytes) else str(data).encode("utf-8")


class DirectTransport:
    """A ``before-send`` handler: answers requests to ``server``'s address in-process."""

    def __init__(self, server: SerialMotoServer) -> None:
        self.server = server
        self.prefix = server.url

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        app = self.server.app
        if app is None or not str(request.url).startswith(self.prefix):
            return None
        from werkzeug.test import EnvironBuilder, run_wsgi_app

        split = urlsplit(str(request.url))
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in SKIPPED_HEADERS]
        environ = EnvironBuilder(
            path=unquote(split.path) or "/",
            base_url=self.prefix,
            query_string=split.query,
            method=request.method,
            headers=[(k, v.decode() if isinstance(v, bytes) else v) for k, v in headers],
            data=_body(request),
        ).get_environ()
        environ["RAW_URI"] = environ["REQUEST_URI"] = split.path + (f"?{split.query}" if split.query else "")
        chunks, status, answer_headers = run_wsgi_app(app, environ, buffered=True)
        body = b"".join(chunks)
        out = HTTPHeaders()
        for key, value in answer_headers.items():
            out[key] = value
        return AWSResponse(request.url, int(status.split(" ", 1)[0]), out, _Raw(body))


def install(server: SerialMotoServer) -> DirectTransport:
    """Every boto3 client made from now on (and the default session's) sends in-process."""
    import boto3
    from botocore.handlers import BUILTIN_HANDLERS

    transport = DirectTransport(server)
    BUILTIN_HANDLERS[:] = [h for h in BUILTIN_HANDLERS if not isinstance(h[1], DirectTransport)]
    BUILTIN_HANDLERS.append(("before-send", transport))
    if boto3.DEFAULT_SESSION is not None:
        boto3.DEFAULT_SESSION = None  # its clients would keep an older handler list
    return transport
