"""Fires EventBridge Scheduler schedules locally (moto stores them but never fires them), and lets
the demo and the tests move the clock forward.

The runner polls the SLA schedule group, and for each one-time ``at(...)`` schedule whose instant has
passed on :func:`ventanilla.clock.now` it invokes the target function in-process (the target ARN
``...:function:local-<LogicalId>`` names it) with the schedule's Input, then deletes the schedule,
as ``ActionAfterCompletion=DELETE`` does in AWS. A failed invocation is left for the next pass.

Clock (development only, local web server):
    POST /dev/clock?advance=2h      move the clock forward (s, m, h, d, w); answers the new now
    GET  /dev/clock                 the current (moved) time and offset
    python -m infra.local.clock advance 3d [--url http://localhost:8000]
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
from datetime import UTC, datetime
from typing import Any

import boto3

from infra.local.functions import LocalFunction
from infra.local.idle import pass_until_stopped

log = logging.getLogger("ventanilla.local.scheduler")
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")


def at_instant(expression: str) -> datetime | None:
    match = _AT.match(expression or "")
    if not match:
        return None
    return datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC)


class LocalScheduler(threading.Thread):
    def __init__(
        self, functions: dict[str, LocalFunction], group: str, moto: Any, interval: float = 0.5
    ) -> None:
        """``moto`` is the stack's in-process moto server: the runner reads the group's schedules
        from moto's memory under the server's lock (listing them through the API every half second
        cost more, page after page, than the requests themselves once thousands were pending)."""
        super().__init__(daemon=True, name="local-scheduler")
        self.functions = functions
        self.group = group
        self.moto = moto
        self.interval = interval
        self.client = boto3.client("scheduler")
        self.fired: list[tuple[str, Any]] = []
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._instants: dict[tuple[str, str], datetime | None] = {}

    def stop(self) -> None:
        self._stop.set()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once a full pass ran after this call (every due schedule fired)."""
        self._idle.clear()
        return self._idle.wait(timeout)

    def _function_of(self, arn: str) -> LocalFunction | None:
        name = arn.rsplit(":", 1)[-1].removeprefix("local-")
        return self.functions.get(name)

    def _schedules(self) -> list[tuple[str, str]]:
        """(name, expression) of every schedule of the group, as moto holds them now."""
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.scheduler.models import scheduler_backends

        account = os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
        backend = scheduler_backends[account][os.environ.get("AWS_REGION", "us-east-1")]
        with self.moto.lock:
            group = backend.schedule_groups.get(self.group)
            found = list(group.schedules.values()) if group else []
        # Newest first, as ListSchedules lists them: a backlog (the clock moved weeks ahead over the
        # demo's requests) fires the latest request's timers before the older ones'.
        found.sort(key=lambda s: s.creation_date, reverse=True)
        return [(s.name, s.schedule_expression) for s in found]

    def _due(self, now: datetime) -> list[str]:
        due, instants = [], {}
        for key in self._schedules():
            when = self._instants[key] if key in self._instants else at_instant(key[1])
            instants[key] = when
            if when is not None and when <= now:
                due.append(key[0])
        self._instants = instants  # forget the deleted
        return due

    def fire_due(self) -> list[tuple[str, Any]]:
        """Fire every schedule of the group that is due now; returns (name, function answer)."""
        from ventanilla import clock

        now = clock.now()
        done: list[tuple[str, Any]] = []
        for name in self._due(now):  # through the API from here: what AWS would do
            try:
                schedule = self.client.get_schedule(Name=name, GroupName=self.group)
            except self.client.exceptions.ResourceNotFoundException:
                continue  # deleted meanwhile by the stream dispatcher
            when = at_instant(schedule.get("ScheduleExpression", ""))
            if when is None or when > now:
                continue
            target = schedule.get("Target") or {}
            if str(target.get("Arn", "")).startswith("arn:aws:sqs:"):  # an SQS target: send its Input
                queue = str(target["Arn"]).rsplit(":", 1)[-1]
                sqs = boto3.client("sqs")
                url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
                sqs.send_message(QueueUrl=url, MessageBody=target.get("Input") or "{}")
                with contextlib.suppress(self.client.exceptions.ResourceNotFoundException):
                    self.client.delete_schedule(Name=name, GroupName=self.group)
                done.append((name, None))
                continue
            function = self._function_of(str(target.get("Arn", "")))
            if function is None:
                log.error("schedule %s targets %s, which is not a local function", name, target.get("Arn"))
                continue
            try:
                answer = function.invoke(json.loads(target.get("Input") or "{}"))
            except Exception:
                log.exception("schedule %s: %s raised; retried on the next pass", name, function.logical)
                continue
            if schedule.get("ActionAfterCompletion", "DELETE") == "DELETE":
                with contextlib.suppress(self.client.exceptions.ResourceNotFoundException):
                    self.client.delete_schedule(Name=name, GroupName=self.group)
            done.append((name, answer))
        self.fired += done
        return done

    def run(self) -> None:
        pass_until_stopped(self._stop, self.fire_due, self._idle, self.interval, "local scheduler pass")


def _clock_page(query: str) -> tuple[int, str, bytes]:
    from ventanilla import clock

    body = {"now": clock.now().isoformat(), "offset_seconds": clock.offset().total_seconds()}
    return 200, "application/json", json.dumps(body).encode()


def _clock_advance(query: str) -> tuple[int, str, bytes]:
    from urllib.parse import parse_qs

    from ventanilla import clock

    amount = (parse_qs(query).get("advance") or [""])[0]
    try:
        clock.advance(clock.parse_amount(amount))
    except ValueError as error:
        return 400, "application/json", json.dumps({"error": str(error)}).encode()
    for moved in CLOCK_MOVED:
        moved()
    return _clock_page(query)


CLOCK_MOVED: list[Any] = []
"""Called after the dev clock moved (the stack keeps the offset with its data)."""


TIMERS_FUNCTION = "StreamFunction"
"""The stream dispatcher keeps the schedules in step with the tickets (template.yaml)."""


def export_timer_environment(functions: dict[str, LocalFunction]) -> None:
    """Functions run in one process here, which has only the Globals environment: export the
    dispatcher's own ``SLA_*`` variables (names no other function uses) so it can run in-process."""
    own = functions[TIMERS_FUNCTION].environment
    os.environ.update({k: v for k, v in own.items() if k.startswith("SLA_")})


def start_scheduler(stack: Any) -> LocalScheduler:
    """Start the runner for the stack's SLA schedule group and register the dev clock pages."""
    from infra.local import web

    export_timer_environment(stack.functions)
    timers = stack.functions[TIMERS_FUNCTION]
    runner = LocalScheduler(stack.functions, timers.environment["SLA_SCHEDULE_GROUP"], stack.moto)
    web.DEV_PAGES["/dev/clock"] = _clock_page
    web.DEV_ACTIONS["/dev/clock"] = _clock_advance
    CLOCK_MOVED[:] = [stack.save_clock]
    runner.start()
    campaigns = os.environ.get("CAMPAIGN_SCHEDULE_GROUP")
    if campaigns:  # the campaigns' schedules (issue 16) put a message on the proactive queue
        CAMPAIGN_RUNNERS[:] = [LocalScheduler(stack.functions, campaigns, stack.moto)]
        CAMPAIGN_RUNNERS[0].start()
    return runner


CAMPAIGN_RUNNERS: list[LocalScheduler] = []
"""The runner of the campaigns' schedule group (tests call its fire_due)."""
