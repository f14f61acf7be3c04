"""Figures of alerts and campaigns after the mail left (issue 16 item 5): SES delivery, bounce and
complaint events (the configuration set's event publishing shape, on the feedback topic the
BouncesFunction reads) and one-click unsubscribes count for the alert / campaign whose email they
followed; events of ticket mail or of unknown sources change no figure. Campaigns go by Web Push
too (item 6)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.conftest import Aws, post
from tests.integration import test_proactive
from tests.integration.test_proactive import confirm_by_email, drain, sent, subscribe
from tests.push_service import PushService

proactive_world = test_proactive.world  # the module's sectors and topics (a fixture)


def feedback(aws: Aws, *events: dict[str, Any]) -> int:
    from infra.local.queues import QueuePoller

    topic = next(
        t["TopicArn"]
        for t in boto3.client("sns").list_topics()["Topics"]
        if "emailfeedbacktopic" in t["TopicArn"]
    )
    for event in events:
        boto3.client("sns").publish(TopicArn=topic, Message=json.dumps(event))
    fn = aws.stack.functions["BouncesFunction"]
    return int(QueuePoller(fn, fn.events["Feedback"]).drain(timeout=120))


def event(kind: str, email: str, source: str | None, **extra: Any) -> dict[str, Any]:
    mail: dict[str, Any] = {"messageId": uuid.uuid4().hex, "destination": [email]}
    if source is not None:
        mail["tags"] = {"ventanilla-source": [source], "ses:configuration-set": ["x-proactive"]}
    body: dict[str, Any] = {"eventType": kind, "mail": mail}
    if kind == "Bounce":
        body["bounce"] = {
            "bounceType": extra.get("bounce_type", "Permanent"),
            "bouncedRecipients": [{"emailAddress": email}],
        }
    elif kind == "Complaint":
        body["complaint"] = {"complainedRecipients": [{"emailAddress": email}]}
    elif kind == "Delivery":
        body["delivery"] = {"recipients": [email]}
    return body


def source_of(mail: dict[str, Any]) -> str:
    found = re.search(r"src=((?:alert|campaign)-[0-9a-f-]+)", mail["unsubscribe"])
    assert found, mail["unsubscribe"]
    return found.group(1)


def one_click(api: Any, mail: dict[str, Any]) -> Any:
    link = mail["unsubscribe"].strip("<>").split("/api/v1", 1)[1]
    return api.post(
        "/api/v1" + link,
        body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def test_bounces_complaints_deliveries_and_unsubscribes_count_for_their_campaign_and_alert(
    api: Any, aws: Aws, proactive_world: dict[str, str]
) -> None:
    world = proactive_world
    run = uuid.uuid4().hex[:6]
    people = [f"{who}-{run}@example.cl" for who in ("uno", "dos", "tres", "cuatro")]
    for email in people:
        subscribe(api, email=email, topics=["eventos"], sectors=[world["south"]])
        confirm_by_email(api, email)
    carla = {**aws.auth("carla.supervisora"), "Content-Type": "application/json"}
    campaign = api.post(
        "/api/v1/admin/campaigns",
        body=json.dumps(
            {
                "name": f"Feria {run}",
                "subject": {"es": f"Feria {run}", "en": f"Fair {run}"},
                "body": {"es": "Este sábado, feria en la plaza."},
                "topics": ["eventos"],
                "sectors": [world["south"]],
            }
        ),
        headers=carla,
    )
    assert campaign.status_code == 201, campaign.body
    campaign_id = campaign.json_body["id"]
    alert = api.post(
        "/api/v1/admin/alerts",
        body=json.dumps(
            {
                "title": {"es": f"Corte {run}", "en": f"Cut {run}"},
                "text": {"es": "Sin agua hasta las 18:00.", "en": "No water until 18:00."},
                "sectors": [world["south"]],
                "topics": ["eventos"],
                "severity": "warning",
            }
        ),
        headers=carla,
    )
    assert alert.status_code == 201, alert.body
    alert_id = alert.json_body["id"]
    drain(aws)

    def mail_of(email: str, subject: str) -> dict[str, Any]:
        found = [m for m in sent(email, "email") if m["subject"] == subject]
        assert len(found) == 1, [m["subject"] for m in sent(email, "email")]
        return found[0]

    news = {email: mail_of(email, f"Feria {run}") for email in people}
    cut = {email: next(m for m in sent(email, "email") if f"Corte {run}" in m["subject"]) for email in people}
    assert {source_of(m) for m in news.values()} == {f"campaign-{campaign_id}"}
    assert {source_of(m) for m in cut.values()} == {f"alert-{alert_id}"}

    uno, dos, tres, cuatro = people
    handled = feedback(
        aws,
        event("Delivery", uno, f"campaign-{campaign_id}"),
        event("Delivery", dos, f"campaign-{campaign_id}"),
        event("Bounce", tres, f"campaign-{campaign_id}"),
        event("Bounce", cuatro, f"campaign-{campaign_id}", bounce_type="Transient"),  # not a bounce yet
        event("Complaint", dos, f"alert-{alert_id}"),
        event("Delivery", uno, f"alert-{alert_id}"),
        # ticket mail (no tag), a source that does not exist, a forged value: no figure, no item
        event("Delivery", uno, None),
        event("Bounce", cuatro, "campaign-20200101-00000000"),
        event("Complaint", cuatro, "campaign-../../x"),
    )
    assert handled == 9
    # the one-click link of the campaign's email counts once for the campaign, not for the alert
    assert one_click(api, news[uno]).status_code == 200
    assert one_click(api, news[uno]).status_code == 200  # again: nothing changed, not counted
    forged = news[dos]["unsubscribe"].strip("<>").split("/api/v1", 1)[1].replace("src=campaign-", "src=x-")
    bad = api.post("/api/v1" + forged, body="", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert bad.status_code == 400 and bad.json_body["code"] == "invalid_query"

    shown = api.get(f"/api/v1/admin/campaigns/{campaign_id}", headers=carla).json_body["figures"]
    assert (shown["delivered"], shown["bounced"], shown["complaints"], shown["unsubscribes"]) == (2, 1, 0, 1)
    assert shown["sent"] >= 4
    alert_figures = api.get(f"/api/v1/admin/alerts/{alert_id}", headers=carla).json_body["figures"]
    assert (
        alert_figures["delivered"],
        alert_figures["bounced"],
        alert_figures["complaints"],
        alert_figures["unsubscribes"],
    ) == (1, 0, 1, 0)
    from ventanilla.storage.table import table

    assert "Item" not in table().get_item(Key={"PK": "CAMPAIGN#20200101-00000000", "SK": "FIGURES"})
    # permanent bounces and complaints suppress the address whatever mail they followed
    from ventanilla.storage import notices

    assert notices.suppressed_among([uno, tres, cuatro]) == {tres, cuatro}


@pytest.fixture(scope="module")
def push_service() -> Iterator[PushService]:
    with PushService() as service:
        yield service


def test_a_campaign_goes_by_web_push_too(
    api: Any, aws: Aws, proactive_world: dict[str, str], push_service: PushService
) -> None:
    from ventanilla.services.subscriptions import manage_token

    run = uuid.uuid4().hex[:6]
    email = f"navegador-{run}@example.cl"
    sub_id = subscribe(api, email=email, topics=["eventos"], sectors=[proactive_world["south"]])["id"]
    confirm_by_email(api, email)
    phone = push_service.subscribe()
    added = post(
        api,
        f"/api/v1/subscriptions/{sub_id}/devices?t={manage_token(sub_id)}",
        {"subscription": phone.to_json()},
    )
    assert added.status_code == 200, added.body
    carla = {**aws.auth("carla.supervisora"), "Content-Type": "application/json"}
    body = {
        "name": f"Por el navegador {run}",
        "subject": {"es": f"Feria {run} por el navegador"},
        "body": {"es": "Hola."},
        "topics": ["eventos"],
        "sectors": [proactive_world["south"]],
        "channels": ["webpush"],
    }
    wrong = api.post("/api/v1/admin/campaigns", body=json.dumps({**body, "channels": ["fax"]}), headers=carla)
    assert wrong.status_code in (400, 422) and "channels" in wrong.body.decode()
    created = api.post("/api/v1/admin/campaigns", body=json.dumps(body), headers=carla)
    assert created.status_code == 201, created.body
    assert created.json_body["channels"] == ["webpush"]
    drain(aws)
    [payload] = push_service.wait_for(phone)
    assert payload["title"] == f"Feria {run} por el navegador"
    # by Web Push only: no email of the campaign
    assert [m for m in sent(email, "email") if f"Feria {run}" in m["subject"]] == []
    figures = api.get(f"/api/v1/admin/campaigns/{created.json_body['id']}", headers=carla).json_body[
        "figures"
    ]
    assert figures["by_channel"].get("webpush", 0) >= 1
