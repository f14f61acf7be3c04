"""The development SMTP server (``make dev``: 127.0.0.1:${SMTP_PORT:-2525}): it stands in for SES
receiving. Each mail accepted is written raw to the attachments bucket under ``mail/`` and the email
intake function is invoked with the event SES sends, so local mail takes the path it takes in AWS.

    swaks --server 127.0.0.1:2525 --to solicitudes@ventanilla.localhost --from vecino@example.cl

It checks no SPF, DKIM or DMARC: it reports the verdict ``SMTP_AUTH_VERDICT`` says (``PASS`` by
default, ``FAIL`` or ``GRAY`` to try the unverified-sender path) for all three, and a mail may
carry its own in a ``X-Ventanilla-Dev-Auth`` header (local only: SES sets the verdicts in AWS).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Any

import boto3

from infra.local.functions import LocalFunction

log = logging.getLogger("ventanilla.local.smtp")

VERDICTS = ("PASS", "FAIL", "GRAY", "PROCESSING_FAILED")
DEV_AUTH_HEADER = b"x-ventanilla-dev-auth:"
SES_MAX_BYTES = 40 * 1024 * 1024
"""What SES receiving accepts; above the intake's own limit it still takes the mail (and the
function answers with a refusal), as in AWS."""


class SesLikeHandler:
    """aiosmtpd handler: accept mail for the requests address's domain, store it, invoke."""

    def __init__(self, function: LocalFunction, bucket: str, domain: str, verdict: str = "PASS") -> None:
        self.function = function
        self.verdict = verdict if verdict in VERDICTS else "PASS"
        self.bucket = bucket
        self.domain = domain.lower()
        self.s3 = boto3.client("s3")
        self.handled = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.rpartition("@")[2].lower() != self.domain:
            return "550 5.1.1 No such recipient here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message_id = uuid.uuid4().hex
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8", "surrogateescape")
        self.s3.put_object(Bucket=self.bucket, Key=f"mail/{message_id}", Body=data)
        verdict = self.verdict_of(data)
        event = {
            "Records": [
                {
                    "eventSource": "aws:ses",
                    "eventVersion": "1.0",
                    "ses": {
                        "mail": {
                            "messageId": message_id,
                            "source": envelope.mail_from,
                            "destination": list(envelope.rcpt_tos),
                        },
                        "receipt": {
                            "recipients": list(envelope.rcpt_tos),
                            "spamVerdict": {"status": "PASS"},
                            "virusVerdict": {"status": "PASS"},
                            "spfVerdict": {"status": verdict},
                            "dkimVerdict": {"status": verdict},
                            "dmarcVerdict": {"status": verdict},
                        },
                    },
                }
            ]
        }
        try:  # SES invokes asynchronously: the sender's mail is accepted whatever the function does
            self.function.invoke(event)
        except Exception:
            log.exception("email intake failed for mail/%s", message_id)
        self.handled += 1
        return "250 2.0.0 Ok: queued as " + message_id

    def verdict_of(self, data: bytes) -> str:
        """The mail's own ``X-Ventanilla-Dev-Auth`` verdict (headers only), else the server's."""
        head = data.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        for line in head.splitlines():
            if line.lower().startswith(DEV_AUTH_HEADER):
                value = line[len(DEV_AUTH_HEADER) :].strip().decode("ascii", "replace").upper()
                return value if value in VERDICTS else self.verdict
        return self.verdict


def start(function: LocalFunction, host: str = "127.0.0.1", port: int | None = None) -> Any:
    """Start the server in its own thread; returns the aiosmtpd Controller (``.port``, ``.stop()``)."""
    from aiosmtpd.controller import Controller  # development only

    if port is None:
        port = int(os.environ.get("SMTP_PORT") or 2525)
    if port == 0:  # a free one (aiosmtpd checks the port it was given by connecting to it)
        with socket.socket() as probe:
            probe.bind((host, 0))
            port = int(probe.getsockname()[1])
    address = os.environ.get("REQUESTS_ADDRESS", "")
    verdict = (os.environ.get("SMTP_AUTH_VERDICT") or "PASS").upper()
    handler = SesLikeHandler(function, os.environ["ATTACHMENTS_BUCKET"], address.partition("@")[2], verdict)
    controller = Controller(
        handler, hostname=host, port=port, data_size_limit=SES_MAX_BYTES, decode_data=False
    )
    controller.start()
    return controller
