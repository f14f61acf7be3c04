"""Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291).

The only module that talks to browsers' push services. ``pywebpush`` (and its aiohttp import) is
loaded on the first send, so cold starts of functions that never push stay as they were. A push
service answering 404 or 410 says the subscription is gone for good (the citizen revoked the
permission or the browser dropped it): that is :class:`~ventanilla.integrations.messaging.Permanent`
and the caller deletes the subscription; 429 and 5xx are transient.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from ventanilla.integrations.messaging import Permanent, Transient

TTL_SECONDS = 24 * 3600
"""How long a push service keeps a notice for an offline phone (a day: a notice later than that
is stale; the request page still has it)."""
GONE = (404, 410)


def allowed_endpoint(endpoint: str, allowed_hosts: tuple[str, ...]) -> bool:
    """Whether ``endpoint`` is a push service we may POST to: https on an allowed host (a suffix
    match, so ``.push.apple.com`` covers its regional hosts). The notifier POSTs to whatever URL a
    citizen registered, so an open list would let anyone aim it at internal addresses."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if not host:
        return False
    for allowed in allowed_hosts:
        allowed = allowed.strip().lower()
        if not allowed:
            continue
        if allowed.startswith("http://"):  # a local push service (the dev stack and its tests)
            if parts.scheme == "http" and host == urlsplit(allowed).hostname:
                return True
            continue
        if parts.scheme == "https" and (host == allowed or host.endswith("." + allowed.lstrip("."))):
            return True
    return False


def send(subscription: dict[str, Any], payload: dict[str, Any], vapid_private_key: str, contact: str) -> str:
    """Encrypt ``payload`` for ``subscription`` and POST it; returns the push service's message id
    (its Location header) or the status code when it gives none."""
    from py_vapid import Vapid
    from pywebpush import WebPushException, webpush  # lazy: aiohttp and py_vapid are heavy imports

    try:
        response = webpush(
            subscription_info={
                "endpoint": subscription["endpoint"],
                "keys": {"p256dh": subscription["p256dh"], "auth": subscription["auth"]},
            },
            data=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
            vapid_private_key=Vapid.from_pem(vapid_private_key.encode()),
            vapid_claims={"sub": contact},
            content_encoding="aes128gcm",
            ttl=TTL_SECONDS,
            timeout=10,
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in GONE:
            raise Permanent("subscription_gone", str(status)) from error
        if status is None or status == 429 or status >= 500:
            raise Transient("push_service_unavailable", str(status)) from error
        raise Permanent("push_rejected", str(status)) from error
    except OSError as error:  # refused, reset, timed out (requests' errors are OSErrors)
        raise Transient("push_service_unreachable", type(error).__name__) from error
    except ValueError as error:  # keys that are not points on the curve, a malformed endpoint
        raise Permanent("subscription_invalid", type(error).__name__) from error
    return str(response.headers.get("Location") or response.status_code)


def new_vapid_keys() -> dict[str, str]:
    """A fresh VAPID key pair: the private key as PEM (what pywebpush takes) and the public key as
    the base64url uncompressed point browsers take as ``applicationServerKey``."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    raw = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {"private_key": pem, "public_key": base64.urlsafe_b64encode(raw).rstrip(b"=").decode()}
