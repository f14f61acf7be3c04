"""Campaigns and newsletters: a segment (topics, sectors, languages, channels) previewed with its
size, rendered from Jinja2 templates (es/en, HTML and text), scheduled with EventBridge Scheduler
(one-time; a newsletter's run schedules the next) and sent through the fan-out
(ventanilla.services.fanout): paced to PROACTIVE_SEND_RATE, once per person and run, never to the
unconfirmed, unsubscribed (not in the audience index) or suppressed (checked per email)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import ventanilla.proactive.messages  # noqa: F401  (registers the messages)
from ventanilla.auth import Principal
from ventanilla.errors import NotFound
from ventanilla.integrations import campaign_schedules
from ventanilla.models.common import iso, utcnow
from ventanilla.models.proactive import (
    Campaign,
    CampaignIn,
    CampaignList,
    CampaignPreview,
    CampaignSegment,
)
from ventanilla.services.audience import check_audience
from ventanilla.storage import areas as area_store
from ventanilla.storage import campaigns as store
from ventanilla.storage import service_alerts as figures_store
from ventanilla.storage import subscriptions as sub_store

MANAGERS = ("supervisor", "admin")
PREVIEW_SUB_ID = "vista-previa"
PREVIEW_SAMPLE = 1000
"""With a segment, the preview reads at most this many audience items (10 pages) and scales."""


def _segment(value: CampaignSegment | None) -> dict[str, Any] | None:
    from ventanilla.rules.campaign_segments import is_empty

    data = value.model_dump() if value else None
    return None if is_empty(data) else data


def _segment_size(pairs: list[list[str]], segment: dict[str, Any], total: int) -> tuple[int, bool, int]:
    """(size, estimated, sampled): the pages of the audience read up to PREVIEW_SAMPLE items, each
    page's recipients checked as a send would check them; beyond the sample, scaled to ``total``."""
    from ventanilla.services import fanout

    sampled = matched = 0
    for sector, topic in pairs:
        cursor = None
        while sampled < PREVIEW_SAMPLE:
            items, cursor = sub_store.audience_page(sector, topic, 100, cursor)
            sampled += len(items)
            matched += len(fanout.in_segment(items, segment))
            if not cursor:
                break
        if sampled >= PREVIEW_SAMPLE:
            break
    if sampled >= total or sampled == 0:
        return matched, False, sampled
    return round(matched * total / sampled), True, sampled


def _pairs(sectors: list[str], topics: list[str]) -> list[list[str]]:
    chosen = sectors or sorted(str(i["code"]) for i in area_store.sectors())
    return [[s, t] for s in [*chosen, "*"] for t in topics]


def _render(subject: str, body: str, lang: str, manage_url: str) -> tuple[str, str]:
    from ventanilla.proactive.render import render

    paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return render(
        "campaign",
        lang=lang,
        subject=subject,
        body=body.strip(),
        paragraphs=paragraphs,
        manage_url=manage_url,
    )


def preview(body: CampaignIn, lang: str = "es") -> CampaignPreview:
    check_audience(body.topics, body.sectors)
    pairs = _pairs(body.sectors, body.topics)
    audience = sum(sub_store.audience_count(s, t) for s, t in pairs)
    estimated, sampled = False, None
    segment = _segment(body.segment)
    if segment:
        audience, estimated, sampled = _segment_size(pairs, segment, audience)
    subject = body.subject.en if lang == "en" and body.subject.en else body.subject.es
    text = body.body.en if lang == "en" and body.body.en else body.body.es
    rendered_text, rendered_html = _render(subject, text, lang, "#")
    return CampaignPreview(
        audience=audience,
        estimated=estimated,
        sampled=sampled,
        subject=subject,
        text=rendered_text,
        html=rendered_html,
    )


def create(principal: Principal, body: CampaignIn) -> Campaign:
    check_audience(body.topics, body.sectors)
    now = utcnow()
    send_at = body.send_at or now
    campaign = Campaign(
        id=f"{now:%Y%m%d}-{secrets.token_hex(4)}",
        name=body.name,
        subject=body.subject,
        body=body.body,
        topics=list(dict.fromkeys(body.topics)),
        sectors=list(dict.fromkeys(body.sectors)),
        languages=list(dict.fromkeys(body.languages)),
        channels=list(dict.fromkeys(body.channels)),
        send_at=send_at,
        every_days=body.every_days,
        segment=body.segment if _segment(body.segment) else None,
        next_run_at=send_at,
        created_at=now,
        created_by=principal.username,
    )
    store.create(campaign)
    if send_at <= now:
        from ventanilla.services import fanout

        fanout.enqueue({"kind": "campaign", "id": campaign.id})
    else:
        campaign_schedules.upsert(
            _schedule_name(campaign.id, 1), send_at, {"kind": "campaign", "id": campaign.id}
        )
    return campaign


def _schedule_name(campaign_id: str, run: int) -> str:
    return f"campaign-{campaign_id}-{run}"


def fire(campaign_id: str) -> dict[str, int]:
    """A run is due: record it once (a repeated firing does nothing), schedule the next run of a
    newsletter, and start its fan-out."""
    from ventanilla.services import fanout

    campaign = store.get(campaign_id)
    if campaign is None or campaign.status != "scheduled":
        return {"ignored": 1}
    run = campaign.runs + 1
    updates: dict[str, Any]
    if campaign.every_days:
        following = campaign.send_at + timedelta(days=campaign.every_days * run)
        updates = {"next_run_at": iso(following)}
    else:
        following = None
        updates = {"status": "sent", "next_run_at": None}
    if not store.advance(campaign_id, run, updates):
        return {"ignored": 1}
    if following is not None:
        campaign_schedules.upsert(
            _schedule_name(campaign_id, run + 1), following, {"kind": "campaign", "id": campaign_id}
        )
    fanout.start("campaign", campaign_id, run)
    return {"run": run}


def cancel(principal: Principal, campaign_id: str) -> Campaign:
    campaign = store.get(campaign_id)
    if campaign is None:
        raise NotFound("campaign_not_found", {"id": campaign_id})
    if campaign.status == "scheduled" and store.cancel(campaign_id):
        # a run that fired meanwhile scheduled the one after: a firing of a cancelled campaign
        # does nothing, so only the schedule known here is removed
        campaign_schedules.delete(_schedule_name(campaign_id, campaign.runs + 1))
    return get(campaign_id)


def get(campaign_id: str) -> Campaign:
    campaign = store.get(campaign_id)
    if campaign is None:
        raise NotFound("campaign_not_found", {"id": campaign_id})
    return campaign.model_copy(
        update={"figures": figures_store.figures(campaign_id, f"CAMPAIGN#{campaign_id}")}
    )


def listing() -> CampaignList:
    return CampaignList(
        items=[
            c.model_copy(update={"figures": figures_store.figures(c.id, f"CAMPAIGN#{c.id}")})
            for c in store.recent()
        ]
    )


class CampaignSource:
    """A campaign run as a fan-out source: its channels and languages only."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.channels: tuple[str, ...] | None = tuple(campaign.channels)
        self.languages: tuple[str, ...] | None = tuple(campaign.languages) or None
        self.segment: dict[str, Any] | None = _segment(campaign.segment)

    @staticmethod
    def load(source_id: str) -> CampaignSource | None:
        campaign = store.get(source_id)
        return CampaignSource(campaign) if campaign and campaign.status != "cancelled" else None

    def pairs(self) -> list[list[str]]:
        return _pairs(self.campaign.sectors, self.campaign.topics)

    def figures_pk(self) -> str:
        return f"CAMPAIGN#{self.campaign.id}"

    def render(self, n: int, lang: str, manage_url: str) -> tuple[str, str, str, str]:
        c = self.campaign
        subject = c.subject.en if lang == "en" and c.subject.en else c.subject.es
        body = c.body.en if lang == "en" and c.body.en else c.body.es
        text, html = _render(subject, body, lang, manage_url)
        return subject, text, html, f"{subject}. {body}"


def stored(campaign_id: str) -> Campaign | None:
    """The campaign as stored, or None (the audit trail's "before" and "after")."""
    return store.get(campaign_id)
