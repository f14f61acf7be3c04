"""A handler the built-artifact test runs from a function's folders: it uses the heavy layers'
libraries the way our code does (a sector's shape and a point in it; an encrypted Web Push send), so a
function that lacks a layer it needs fails here, not in production. Standard library and ventanilla only."""

from __future__ import annotations

import base64
from typing import Any

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-70.66, -33.46], [-70.64, -33.46], [-70.64, -33.44], [-70.66, -33.44], [-70.66, -33.46]]
    ],
}


def _geo() -> bool:
    from ventanilla.rules import areas

    lat, long = -33.45, -70.65
    parts = areas.cell_parts(areas.shape_of(SQUARE))
    here = [p for p in parts if p.cell == areas.cell_of(lat, long)]
    return bool(here) and all(areas.part_contains(p.full, p.wkb, lat, long) for p in here)


def _webpush() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from ventanilla.integrations import messaging, webpush

    browser = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = browser.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    subscription = {
        "endpoint": "http://127.0.0.1:9/push/probe",  # the discard port: nothing listens
        "p256dh": base64.urlsafe_b64encode(point).rstrip(b"=").decode(),
        "auth": base64.urlsafe_b64encode(b"0123456789abcdef").rstrip(b"=").decode(),
    }
    keys = webpush.new_vapid_keys()
    try:
        webpush.send(
            subscription, {"v": 1, "title": "probe"}, keys["private_key"], "mailto:probe@example.org"
        )
    except messaging.Transient as error:
        return error.code
    return "sent"


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"geo": _geo()} if event["use"] == "geo" else {"webpush": _webpush()}
