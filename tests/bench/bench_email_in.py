"""AWS calls of the email intake: a new mail with two attachments (what EmailInFunction does once
SES has stored it, then the attachments checker for each file), a reply in its thread, and what
threading adds to one notice. Calls are counted by wrapping botocore's ``BaseClient._make_api_call``
in a warm process (a first mail, not counted, fills the settings, secret and catalog caches)."""

from __future__ import annotations

import uuid
import warnings
from collections import Counter
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from botocore.client import BaseClient

from tests.integration.test_attachments import PDF, png_with_text

warnings.filterwarnings("ignore")
CALLS: Counter[str] = Counter()
_original = BaseClient._make_api_call


def _counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
    CALLS[f"{self.meta.service_model.service_name}:{operation}"] += 1
    return _original(self, operation, params)


def _count(fn: Callable[[], Any]) -> dict[str, int]:
    CALLS.clear()
    BaseClient._make_api_call = _counting  # type: ignore[method-assign]
    try:
        fn()
    finally:
        BaseClient._make_api_call = _original  # type: ignore[method-assign]
    return dict(sorted(CALLS.items()))


def _mail(sender: str, attachments: bool, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Bench <{sender}>"
    message["To"] = "solicitudes@ventanilla.localhost"
    message["Subject"] = "Permiso de construcción"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.cl>"
    for name, value in headers.items():
        message[name] = value
    message.set_content("Adjunto el plano y una foto.\n\n-- \nBench")
    if attachments:
        message.add_attachment(PDF, maintype="application", subtype="pdf", filename="plano.pdf")
        message.add_attachment(png_with_text(), maintype="image", subtype="png", filename="foto.png")
    return message.as_bytes()


def main() -> None:
    import boto3

    from infra.local.stack import LocalStack

    stack = LocalStack(port=0)
    stack.start_aws()
    from infra.local import demo

    demo.seed_catalog()
    from ventanilla.services import attachments, email_intake
    from ventanilla.settings import get_settings
    from ventanilla.storage import attachments as attachment_store
    from ventanilla.storage import email_threads

    fn = stack.functions["EmailInFunction"]
    s3 = boto3.client("s3")
    bucket = get_settings().attachments_bucket

    def deliver(raw: bytes) -> dict[str, Any]:
        """SES stores the mail (not counted: SES's own work), then invokes the function."""
        message_id = uuid.uuid4().hex
        s3.put_object(Bucket=bucket, Key=f"mail/{message_id}", Body=raw)
        event = {"Records": [{"ses": {"mail": {"messageId": message_id}, "receipt": {"recipients": []}}}]}
        return {"event": event}

    deliver_first = deliver(_mail("warm@example.cl", True))
    fn.invoke(deliver_first["event"])  # warm: settings, secret, catalog, routing rules

    raw = _mail("bench@example.cl", True)
    new = deliver(raw)
    rows = [("email fn: new mail, 2 attachments", _count(lambda: fn.invoke(new["event"])))]
    mid = raw.split(b"Message-ID: <", 1)[1].split(b">", 1)[0].decode()
    number, _ = email_threads.lookup([mid])
    assert number is not None
    for record in attachment_store.of_ticket(number):
        key = f"incoming/{number}/{record.attachment_id}"
        rows.append((f"checker fn: {record.filename}", _count(lambda key=key: attachments.check_upload(key))))
    headers: dict[str, str] = {}
    rows.append(
        (
            "notifier: thread headers of a notice",
            _count(lambda: headers.update(email_intake.outgoing_headers(number))),
        )
    )
    rows.append(("notifier: after it was sent", _count(lambda: email_intake.sent(number, headers))))
    reply = deliver(_mail("bench@example.cl", False, **{"In-Reply-To": headers["Message-ID"]}))
    rows.append(("email fn: reply in the thread", _count(lambda: fn.invoke(reply["event"]))))
    again = deliver(raw)
    rows.append(("email fn: same Message-ID again", _count(lambda: fn.invoke(again["event"]))))
    robot = deliver(_mail("bench@example.cl", False, **{"Auto-Submitted": "auto-replied"}))
    rows.append(("email fn: auto-reply", _count(lambda: fn.invoke(robot["event"]))))
    print(f"{'step':<40} {'calls':>5}  by operation")
    total = 0
    for name, calls in rows:
        count = sum(calls.values())
        if name.startswith(("email fn: new", "checker")):
            total += count
        print(f"{name:<40} {count:>5}  {calls}")
    print(f"intake of one email with two attachments (function + checker): {total} AWS calls")
    assert stack.moto is not None
    stack.moto.stop()


if __name__ == "__main__":
    main()
