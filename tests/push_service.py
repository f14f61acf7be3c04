"""A push service on this machine, for tests: what a browser vendor's push service is to a real
phone, without leaving the machine.

It hands out subscriptions whose keys it made itself (an ECDH P-256 key pair and a 16-byte auth
secret, as a browser's PushManager does), accepts the application server's POSTs (RFC 8030),
checks their VAPID ``Authorization`` (RFC 8292: an ES256 JWT whose audience is this origin) and
decrypts the aes128gcm body (RFC 8291) with ``http_ece``, as the browser would. Tests read the
plaintext and, in the browser test, hand it to the service worker through DevTools. An endpoint can
be told to answer 410 Gone, as a push service does for a revoked subscription.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscription:
    id: str
    private_key: Any
    auth: bytes
    endpoint: str
    received: list[dict[str, Any]] = field(default_factory=list)
    gone: bool = False

    def to_json(self) -> dict[str, Any]:
        """What ``PushSubscription.toJSON()`` gives the page."""
        from cryptography.hazmat.primitives import serialization

        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)},
        }


class PushService:
    def __init__(self) -> None:
        self.subscriptions: dict[str, Subscription] = {}
        self.refused: list[str] = []
        self._lock = threading.Condition()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = service.receive(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                if status == 201:
                    self.send_header("Location", f"{service.origin}/m/{secrets.token_hex(8)}")
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PushService:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def subscribe(self) -> Subscription:
        from cryptography.hazmat.primitives.asymmetric import ec

        sub_id = secrets.token_urlsafe(16)
        sub = Subscription(
            id=sub_id,
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth=secrets.token_bytes(16),
            endpoint=f"{self.origin}/push/{sub_id}",
        )
        self.subscriptions[sub_id] = sub
        return sub

    def receive(self, path: str, headers: dict[str, str], body: bytes) -> int:
        import http_ece

        sub = self.subscriptions.get(path.rsplit("/", 1)[-1])
        if sub is None:
            return 404
        if sub.gone:
            return 410
        lowered = {k.lower(): v for k, v in headers.items()}
        problem = self._vapid_problem(lowered.get("authorization", ""))
        if problem or lowered.get("content-encoding") != "aes128gcm" or not lowered.get("ttl"):
            self.refused.append(problem or "encoding or TTL")
            return 401 if problem else 400
        plain = http_ece.decrypt(body, private_key=sub.private_key, auth_secret=sub.auth, version="aes128gcm")
        with self._lock:
            sub.received.append(json.loads(plain))
            self._lock.notify_all()
        return 201

    def _vapid_problem(self, authorization: str) -> str:
        """An empty string when the header is ``vapid t=<ES256 JWT for this origin>, k=<its key>``."""
        import jwt
        from cryptography.hazmat.primitives.asymmetric import ec

        if not authorization.lower().startswith("vapid "):
            return "no VAPID authorization"
        parts = dict(p.strip().split("=", 1) for p in authorization[6:].split(","))
        try:
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
            claims = jwt.decode(parts["t"], key=key, algorithms=["ES256"], audience=self.origin)
        except (KeyError, ValueError, jwt.InvalidTokenError) as error:
            return f"VAPID: {error}"
        return "" if str(claims.get("sub", "")).startswith(("mailto:", "https:")) else "VAPID sub"

    def wait_for(self, sub: Subscription, count: int = 1, timeout: float = 30) -> list[dict[str, Any]]:
        with self._lock:
            self._lock.wait_for(lambda: len(sub.received) >= count, timeout=timeout)
            return list(sub.received)
