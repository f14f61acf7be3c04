"""SES receiving (rule: raw mail to the attachments bucket under mail/, then this function) -> a new
request, a message on the requester's request, or nothing (robots, duplicates, loops)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla.function_tools import function_tools
from ventanilla.services import email_intake

logger, metrics, tracer = function_tools("email-in")


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes = []
    for record in event.get("Records") or []:
        ses = record.get("ses") or {}
        message_id = str((ses.get("mail") or {}).get("messageId") or "")
        if not message_id or "/" in message_id:
            outcomes.append("ignored:event")
            continue
        receipt = ses.get("receipt") or {}
        verdicts = {
            name: str((receipt.get(f"{name}Verdict") or {}).get("status") or "")
            for name in ("spam", "virus", "spf", "dkim", "dmarc")
        }
        outcome = email_intake.handle(
            email_intake.MAIL_PREFIX + message_id, [str(r) for r in receipt.get("recipients") or []], verdicts
        )
        logger.info("email in", extra={"outcome": outcome})  # never the address or the text
        metrics.add_metric(name="EmailInbound", unit=MetricUnit.Count, value=1)
        outcomes.append(outcome)
    return {"outcomes": outcomes}
