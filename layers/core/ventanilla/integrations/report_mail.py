"""Mail the service level report to the supervisors: Cognito group members, SES."""

from __future__ import annotations

import os
from typing import Any

import boto3

DEFAULT_SENDER = "informes@ventanilla.example.org"
"""template.yaml's ReportSender default (the local stack sets only the shared variables)."""


def supervisor_emails(user_pool_id: str, group: str = "supervisor", limit: int = 60) -> list[str]:
    """Emails of the group's enabled members (a group holds few people: one page or a few)."""
    client: Any = boto3.client("cognito-idp")
    emails: list[str] = []
    params: dict[str, Any] = {"UserPoolId": user_pool_id, "GroupName": group, "Limit": limit}
    while True:
        page = client.list_users_in_group(**params)
        for user in page.get("Users", []):
            if not user.get("Enabled", True):
                continue
            attrs = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
            if attrs.get("email"):
                emails.append(attrs["email"])
        if not page.get("NextToken"):
            return sorted(set(emails))
        params["NextToken"] = page["NextToken"]


def send_report(recipients: list[str], subject: str, html: str, text: str) -> str:
    """One SES message to the recipients (Bcc: they do not see each other); its message id."""
    sender = os.environ.get("REPORT_SENDER", DEFAULT_SENDER)
    response = boto3.client("ses").send_email(
        Source=sender,
        Destination={"ToAddresses": [sender], "BccAddresses": recipients},
        Message={
            "Subject": {"Data": subject, "Charset": "UTF-8"},
            "Body": {"Html": {"Data": html, "Charset": "UTF-8"}, "Text": {"Data": text, "Charset": "UTF-8"}},
        },
    )
    return str(response["MessageId"])
