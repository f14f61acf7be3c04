"""The monthly report as a mail to the supervisors (what the scheduled function does)."""

from __future__ import annotations

from typing import Any

from ventanilla.integrations import report_mail
from ventanilla.settings import get_settings
from ventanilla.stats import report


def mail_monthly_report(period: str | None = None) -> dict[str, Any]:
    built = report.build(period)
    recipients = report_mail.supervisor_emails(get_settings().user_pool_id)
    if not recipients:
        return {"period": built.month, "recipients": 0, "message_id": None}
    subject = f"{report.LABELS['title']['es']} {built.month} / {report.LABELS['title']['en']}"
    html = report.render_html(built, "es")
    text = "\n".join(f"{name}: {value}" for name, value in report.summary(built, "es"))
    message_id = report_mail.send_report(recipients, subject, html, text)
    return {"period": built.month, "recipients": len(recipients), "message_id": message_id}
