"""One-time EventBridge Scheduler schedules of campaigns: each sends its message to the proactive
queue at its instant (a target of type SQS) and is deleted after; a newsletter's run schedules the
next run, so recurring newsletters need nothing but one-time schedules."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

import boto3
from botocore.exceptions import ClientError

from ventanilla.integrations.scheduler import at_expression
from ventanilla.settings import get_settings


@lru_cache(maxsize=1)
def _client() -> Any:
    return boto3.client("scheduler", region_name=get_settings().region)


def upsert(name: str, when: datetime, message: dict[str, Any]) -> None:
    settings = get_settings()
    if not (settings.campaign_schedule_group and settings.proactive_queue_arn):
        raise RuntimeError("CAMPAIGN_SCHEDULE_GROUP and PROACTIVE_QUEUE_ARN are not set")
    params: dict[str, Any] = {
        "Name": name,
        "GroupName": settings.campaign_schedule_group,
        "ScheduleExpression": at_expression(when),
        "ScheduleExpressionTimezone": "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "ActionAfterCompletion": "DELETE",
        "Target": {
            "Arn": settings.proactive_queue_arn,
            "RoleArn": settings.campaign_scheduler_role_arn,
            "Input": json.dumps(message),
            "RetryPolicy": {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 86_400},
        },
    }
    try:
        _client().create_schedule(**params)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConflictException":
            raise
        _client().update_schedule(**params)


def delete(name: str) -> None:
    settings = get_settings()
    try:
        _client().delete_schedule(Name=name, GroupName=settings.campaign_schedule_group)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
