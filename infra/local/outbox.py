"""Development outbox: every email, SMS and push the local stack sent, as the recipient sees it.

moto's SES and SNS backends accept the messages (they run in this process); :func:`install` wraps
their send methods so each accepted message is also kept here with the time it was sent. The page
``/dev/outbox`` lists them newest first (``?lang=en`` for English labels, ``?format=json`` for
scripts and tests, ``?to=`` to filter by recipient).
"""

from __future__ import annotations

import html
import json
import threading
from collections import deque
from datetime import UTC
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from ventanilla import clock

_LOCK = threading.Lock()
OUTBOX: deque[dict[str, Any]] = deque(maxlen=2000)
_installed = False

LABELS = {
    "es": {
        "title": "Bandeja de salida (desarrollo)",
        "intro": "Todo lo que el entorno local envió por correo, SMS, push y push web, "
        "lo más reciente primero.",
        "empty": "Todavía no se ha enviado nada.",
        "email": "Correo",
        "sms": "SMS",
        "push": "Push",
        "webpush": "Push web",
        "to": "Para",
        "from": "De",
        "subject": "Asunto",
        "sent": "Enviado",
        "text": "Versión de texto",
        "segments": "segmentos",
        "device": "Dispositivo",
    },
    "en": {
        "title": "Outbox (development)",
        "intro": "Everything the local stack sent by email, SMS, push and web push, newest first.",
        "empty": "Nothing has been sent yet.",
        "email": "Email",
        "sms": "SMS",
        "push": "Push",
        "webpush": "Web push",
        "to": "To",
        "from": "From",
        "subject": "Subject",
        "sent": "Sent",
        "text": "Text version",
        "segments": "segments",
        "device": "Device",
    },
}


def _now() -> str:
    """When it was sent on the services' clock (which the dev clock moves), as the notices say."""
    return clock.now().astimezone(UTC).isoformat(timespec="milliseconds")


_FILE: list[Path] = []
"""The outbox's file when the stack keeps its data (one JSON line per notice)."""


def _keep(entry: dict[str, Any]) -> None:
    with _LOCK:
        OUTBOX.append(entry)
        if _FILE:
            with _FILE[0].open("a", encoding="utf-8") as file:
                file.write(json.dumps(entry, default=str) + "\n")


def keep_in(path: Path) -> None:
    """Load what an earlier run of the stack sent, and keep what this one sends, in ``path``."""
    with _LOCK:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    OUTBOX.append(json.loads(line))
                except ValueError:
                    continue  # a line cut short by a kill
        _FILE[:] = [path]


def keep_email(to: str, subject: str, text: str) -> None:
    """An email the local stack sends without SES (Cognito's verification codes)."""
    import uuid

    _keep(
        {
            "channel": "email",
            "id": uuid.uuid4().hex,
            "at": _now(),
            "to": to,
            "from": "no-reply@verificationemail.com",
            "subject": subject,
            "text": text,
            "html": "",
            "unsubscribe": "",
        }
    )


def _email_entry(message_id: str, source: str, destinations: list[str], raw: str) -> dict[str, Any]:
    parsed = BytesParser(policy=policy.default).parsebytes(raw.encode())
    text_part = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    return {
        "channel": "email",
        "id": message_id,
        "at": _now(),
        "to": ", ".join(destinations) or str(parsed["To"]),
        "from": str(parsed["From"] or source),
        "subject": str(parsed["Subject"] or ""),
        "text": text_part.get_content() if text_part is not None else "",
        "html": html_part.get_content() if html_part is not None else "",
        "unsubscribe": str(parsed["List-Unsubscribe"] or ""),
        # The mail thread (email intake): what keeps the citizen's client in one conversation.
        "message_id": str(parsed["Message-ID"] or ""),
        "in_reply_to": str(parsed["In-Reply-To"] or ""),
        "references": str(parsed["References"] or ""),
        "reply_to": str(parsed["Reply-To"] or ""),
        "auto_submitted": str(parsed["Auto-Submitted"] or ""),
    }


def install() -> None:
    """Record what moto's SES and SNS accept (idempotent; the moto server runs in this process)."""
    global _installed
    if _installed:
        return
    from moto.ses.models import Message, RawMessage, SESBackend
    from moto.sns.models import PlatformEndpoint, SNSBackend

    send_raw = SESBackend.send_raw_email
    send_simple = SESBackend.send_email
    publish = SNSBackend.publish
    endpoint_publish = PlatformEndpoint.publish

    def recording_raw(self: SESBackend, source: str, destinations: list[str], raw_data: str) -> RawMessage:
        message = send_raw(self, source, list(destinations), raw_data)
        _keep(_email_entry(message.id, source, list(destinations), raw_data))
        return message

    def recording_simple(
        self: SESBackend, source: str, subject: str, body: str, destinations: dict[str, list[str]]
    ) -> Message:
        # moto's order (its handler passes these by position), not boto3's keyword order
        message = send_simple(self, source, subject, body, destinations)
        to = destinations.get("ToAddresses", [])
        entry = {"channel": "email", "id": message.id, "at": _now(), "to": ", ".join(to), "from": source}
        _keep(entry | {"subject": subject, "text": body, "html": "", "unsubscribe": ""})
        return message

    def recording_publish(
        self: SNSBackend,
        message: str,
        arn: str | None,
        phone_number: str | None = None,
        subject: str | None = None,
        message_attributes: dict[str, Any] | None = None,
        group_id: str | None = None,
        deduplication_id: str | None = None,
        message_structure: str | None = None,
    ) -> str:
        message_id = publish(
            self,
            message,
            arn,
            phone_number,
            subject,
            message_attributes,
            group_id,
            deduplication_id,
            message_structure,
        )
        if phone_number:
            _keep({"channel": "sms", "id": message_id, "at": _now(), "to": phone_number, "text": message})
        return message_id

    def recording_endpoint(self: PlatformEndpoint, message: str) -> str:
        message_id = endpoint_publish(self, message)
        title, body = "", message
        try:
            payload = json.loads(message)
            gcm = json.loads(payload.get("GCM", "{}"))
            note = gcm.get("fcmV1Message", {}).get("message", {}).get("notification", {})
            if not note:
                note = json.loads(payload.get("APNS", "{}")).get("aps", {}).get("alert", {})
            title, body = note.get("title", ""), note.get("body", payload.get("default", ""))
        except (ValueError, AttributeError):
            pass
        _keep(
            {
                "channel": "push",
                "id": message_id,
                "at": _now(),
                "to": f"{self.application.platform}:{self.token[:12]}…",
                "title": title,
                "text": body,
            }
        )
        return message_id

    from ventanilla.integrations import webpush

    webpush_send = webpush.send

    def recording_webpush(subscription: dict[str, Any], payload: dict[str, Any], *args: Any) -> str:
        # What the citizen's phone shows: the payload before encryption (the push service only
        # ever sees ciphertext). Kept when the push service took it, as for SES and SNS.
        message_id = webpush_send(subscription, payload, *args)
        endpoint = str(subscription.get("endpoint", ""))
        _keep(
            {
                "channel": "webpush",
                "id": message_id,
                "at": _now(),
                "to": f"{endpoint[:48]}…" if len(endpoint) > 48 else endpoint,
                "title": payload.get("title", ""),
                "text": payload.get("body", ""),
                "url": payload.get("url", ""),
                "number": payload.get("number", ""),
            }
        )
        return message_id

    webpush.send = recording_webpush  # type: ignore[assignment]
    SESBackend.send_raw_email = recording_raw  # type: ignore[method-assign]
    SESBackend.send_email = recording_simple  # type: ignore[method-assign]
    SNSBackend.publish = recording_publish  # type: ignore[method-assign]
    PlatformEndpoint.publish = recording_endpoint  # type: ignore[method-assign]
    _installed = True


def entries(to: str | None = None) -> list[dict[str, Any]]:
    with _LOCK:
        items = list(OUTBOX)
    if to:
        items = [e for e in items if to.lower() in str(e.get("to", "")).lower()]
    return items[::-1]


def _card(entry: dict[str, Any], words: dict[str, str]) -> str:
    e = {k: html.escape(str(v)) for k, v in entry.items()}
    head = (
        f'<p class="meta"><strong>{words[entry["channel"]]}</strong> · {words["to"]}: {e["to"]} · '
        f"{words['sent']}: <time>{e['at']}</time></p>"
    )
    if entry["channel"] == "email":
        frame = html.escape(str(entry.get("html") or ""), quote=True)
        return (
            f"<article class=email>{head}<h2>{e['subject']}</h2>"
            f"<p class=meta>{words['from']}: {e['from']}</p>"
            + (f"<p class=meta>In-Reply-To: {e['in_reply_to']}</p>" if entry.get("in_reply_to") else "")
            + f'<iframe sandbox title="{e["subject"]}" srcdoc="{frame}"></iframe>'
            f"<details><summary>{words['text']}</summary><pre>{e['text']}</pre></details></article>"
        )
    if entry["channel"] == "sms":
        from ventanilla.notify.sms import segments

        count = segments(str(entry.get("text", "")))
        return (
            f"<article class=sms>{head}<p class=bubble>{e['text']}</p>"
            f"<p class=meta>{count} {words['segments']}</p></article>"
        )
    link = f'<p class=meta><a href="{e["url"]}">{e["url"]}</a></p>' if entry.get("url") else ""
    return (
        f"<article class=push>{head}<p class=bubble><strong>{e.get('title', '')}</strong><br>"
        f"{e['text']}</p>{link}</article>"
    )


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#111827}
article{border:1px solid #d1d5db;border-radius:.5rem;padding:1rem;margin:1rem 0}
.meta{color:#4b5563;font-size:.9rem;margin:.25rem 0}
iframe{width:100%;height:28rem;border:1px solid #e5e7eb;background:#fff}
.bubble{background:#e5f0ff;border-radius:1rem;padding:.75rem 1rem;max-width:26rem;
  white-space:pre-wrap;overflow-wrap:anywhere}
pre{white-space:pre-wrap;background:#f9fafb;padding:.75rem}
"""


def page(query: str) -> tuple[int, str, bytes]:
    args = parse_qs(query)
    lang = "en" if (args.get("lang") or ["es"])[0] == "en" else "es"
    to = args["to"][0] if args.get("to") else None
    items = entries(to)
    if (args.get("format") or [""])[0] == "json":
        return 200, "application/json", json.dumps({"items": items}).encode()
    words = LABELS[lang]
    cards = "".join(_card(e, words) for e in items) or f"<p>{words['empty']}</p>"
    body = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{words["title"]}</title>'
        f"<style>{_STYLE}</style></head><body><main><h1>{words['title']}</h1><p>{words['intro']}</p>"
        f"{cards}</main></body></html>"
    )
    return 200, "text/html; charset=utf-8", body.encode()


def start_outbox(stack: Any) -> None:
    from infra.local import web

    install()
    web.DEV_PAGES["/dev/outbox"] = page
