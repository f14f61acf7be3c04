"""One-time EventBridge Scheduler schedules of campaigns: each sends its message to the proactive
queue at its instant (a target of type SQS) and is deleted after; a newsletter's run schedules the
next run, so recurring newsletters need nothing but one-time schedules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ventanilla.integrations.scheduler import delete_schedule, put_one_shot
from ventanilla.settings import get_settings


def upsert(name: str, when: datetime, message: dict[str, Any]) -> None:
    settings = get_settings()
    if not (settings.campaign_schedule_group and settings.proactive_queue_arn):
        raise RuntimeError("CAMPAIGN_SCHEDULE_GROUP and PROACTIVE_QUEUE_ARN are not set")
    put_one_shot(
        name,
        settings.campaign_schedule_group,
        when,
        settings.proactive_queue_arn,
        settings.campaign_scheduler_role_arn,
        message,
    )


def delete(name: str) -> None:
    delete_schedule(name, get_settings().campaign_schedule_group)
