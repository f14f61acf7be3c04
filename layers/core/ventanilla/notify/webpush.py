"""What a Web Push notice carries: the request number, a short status text and a link, nothing else.

A push payload passes through the browser vendor's push service (encrypted, but stored there until
delivered) and shows on a lock screen, so it holds no personal data: no name, no subject, no reply
text, no access code or one-time link token. The service worker (web/sw.js) shows ``title`` and
``body`` and opens ``url`` when the notice is touched; the request page then asks for the code
(or uses the session the browser already has).
"""

from __future__ import annotations

from typing import Any

from ventanilla.notify.events import Kind

# Short status texts, one per notice kind: "{number}" is the request number.
STATUS: dict[Kind, dict[str, str]] = {
    Kind.TICKET_RECEIVED: {"es": "Recibimos su solicitud {number}", "en": "We received request {number}"},
    Kind.TICKET_ASSIGNED: {
        "es": "Su solicitud {number} fue asignada",
        "en": "Request {number} was assigned",
    },
    Kind.TICKET_IN_PROGRESS: {
        "es": "Estamos trabajando en su solicitud {number}",
        "en": "We are working on request {number}",
    },
    Kind.PUBLIC_REPLY: {
        "es": "Hay una respuesta a su solicitud {number}",
        "en": "There is a reply to request {number}",
    },
    Kind.WAITING_FOR_CITIZEN: {
        "es": "Necesitamos un dato para su solicitud {number}",
        "en": "We need something from you for request {number}",
    },
    Kind.TICKET_RESOLVED: {"es": "Su solicitud {number} fue resuelta", "en": "Request {number} was resolved"},
    Kind.TICKET_MERGED: {
        "es": "Su solicitud {number} se unió a otra; toque para ver cuál",
        "en": "Request {number} was merged into another; tap to see which",
    },
    Kind.TICKET_REOPENED: {
        "es": "Su solicitud {number} fue reabierta",
        "en": "Request {number} was reopened",
    },
    Kind.DEADLINE_EXTENDED: {
        "es": "Se amplió el plazo de su solicitud {number}",
        "en": "The deadline of request {number} was extended",
    },
    Kind.TICKET_ASSIGNED_TO_YOU: {
        "es": "Se le asignó la solicitud {number}",
        "en": "Request {number} was assigned to you",
    },
    Kind.SLA_WARNING: {
        "es": "La solicitud {number} está por vencer",
        "en": "Request {number} is about to breach its target",
    },
    Kind.SLA_BREACHED: {"es": "La solicitud {number} está vencida", "en": "Request {number} is overdue"},
    Kind.TICKET_ESCALATED: {
        "es": "La solicitud {number} fue escalada",
        "en": "Request {number} was escalated",
    },
    Kind.CITIZEN_REPLIED: {
        "es": "El ciudadano respondió en la solicitud {number}",
        "en": "The citizen replied on request {number}",
    },
}
TAP = {"es": "Toque para ver el detalle.", "en": "Tap to see the details."}


def payload(kind: Kind, lang: str, number: str, title: str, url: str) -> dict[str, Any]:
    """The JSON the service worker receives. ``title`` is the institution's name (not personal)."""
    lang = "en" if lang == "en" else "es"
    return {
        "v": 1,
        "kind": kind.value,
        "number": number,
        "title": title,
        "body": f"{STATUS[kind][lang].format(number=number)}. {TAP[lang]}",
        "url": url,
        "lang": lang,
    }
