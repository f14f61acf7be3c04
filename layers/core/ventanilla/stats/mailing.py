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


def mail_warranty_notices(days: int = 60) -> dict[str, Any]:
    """The monthly notice to each supporting team of its assets' warranties ending within ``days``:
    one mail per team to its members' addresses (the team's staff profiles)."""
    from ventanilla.services import asset_reports
    from ventanilla.storage import people as people_store
    from ventanilla.storage import sla as sla_store

    sent: dict[str, int] = {}
    for team, rows in sorted(asset_reports.warranty_notices(days).items()):
        emails = set()
        for agent in sla_store.team_agents(team):
            profile = people_store.get_staff(str(agent["sub"]))
            if profile is not None and profile.email:
                emails.add(profile.email)
        if not emails:
            continue
        subject, html, text = asset_reports.render_notice(team, rows)
        report_mail.send_report(sorted(emails), subject, html, text)
        sent[team] = len(rows)
    return {"teams": len(sent), "assets": sum(sent.values())}
