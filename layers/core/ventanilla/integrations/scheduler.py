"""One-time EventBridge Scheduler schedules for service-level timers (names are deterministic).

A schedule fires the SLA fired function once at ``at(...)`` (UTC) and is deleted after it ran
(``ActionAfterCompletion=DELETE``). Creating an existing name updates it instead, so a retried
stream batch never doubles a timer; deleting a missing one is not an error.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import boto3
from botocore.exceptions import ClientError
from pydantic import Field

from ventanilla.settings import EnvSettings, get_settings


class SchedulerSettings(EnvSettings):
    group: str = Field(alias="SLA_SCHEDULE_GROUP", min_length=1)
    target_arn: str = Field(alias="SLA_FIRED_FUNCTION_ARN", min_length=1)
    role_arn: str = Field(alias="SLA_SCHEDULER_ROLE_ARN", min_length=1)


@lru_cache(maxsize=1)
def scheduler_settings() -> SchedulerSettings:
    return SchedulerSettings.from_env()


@lru_cache(maxsize=1)
def _client() -> Any:
    return boto3.client("scheduler", region_name=get_settings().region)


def at_expression(when: datetime) -> str:
    return f"at({when.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})"


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def upsert(name: str, when: datetime, payload: dict[str, Any], *, exists: bool = False) -> None:
    """Create the schedule (``exists=False``) or move it (``exists=True``): one call either way;
    the other call only when the guess was wrong (a retried record, a schedule already fired)."""
    s = scheduler_settings()
    put_one_shot(name, s.group, when, s.target_arn, s.role_arn, payload, exists=exists)


def delete(name: str) -> None:
    delete_schedule(name, scheduler_settings().group)


def put_one_shot(
    name: str,
    group: str,
    when: datetime,
    target_arn: str,
    role_arn: str,
    payload: dict[str, Any],
    *,
    exists: bool = False,
) -> None:
    """A schedule of ``group`` that hands ``payload`` to ``target_arn`` once at ``when`` (UTC), then
    is deleted; created, or updated when it ``exists`` (each falls back on the other)."""
    params: dict[str, Any] = {
        "Name": name,
        "GroupName": group,
        "ScheduleExpression": at_expression(when),
        "ScheduleExpressionTimezone": "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "ActionAfterCompletion": "DELETE",
        "Target": {
            "Arn": target_arn,
            "RoleArn": role_arn,
            "Input": json.dumps(payload),
            "RetryPolicy": {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 86_400},
        },
    }
    first, fallback, expected = (
        (_client().update_schedule, _client().create_schedule, "ResourceNotFoundException")
        if exists
        else (_client().create_schedule, _client().update_schedule, "ConflictException")
    )
    try:
        first(**params)
    except ClientError as error:
        if _code(error) != expected:
            raise
        fallback(**params)


def delete_schedule(name: str, group: str) -> None:
    """Delete a schedule; one already gone (fired, or never made) is not an error."""
    try:
        _client().delete_schedule(Name=name, GroupName=group)
    except ClientError as error:
        if _code(error) != "ResourceNotFoundException":
            raise
