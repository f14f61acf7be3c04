"""Fires the template's scheduled functions locally (SAM ``Type: Schedule`` events: EventBridge
rules with ``cron(...)`` or ``rate(...)``), which moto stores but never fires.

Each rule's next instant is counted from the moment the stack started, on the dev clock
(:func:`ventanilla.clock.now`), so moving the clock (``POST /dev/clock?advance=1d``) runs the daily
retention job and the monthly report as AWS would. Instants missed while the stack was stopped are
not caught up (the retention job looks back a week by itself). A failed run is logged and the rule
goes on to its next instant, as EventBridge does after its retries.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.local.functions import LocalFunction
from infra.local.idle import pass_until_stopped

log = logging.getLogger("ventanilla.local.cron")
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


def _weekdays(field: str) -> str:
    """AWS numbers weekdays 1-7 from Sunday; cron 0-6 from Sunday (names are the same)."""
    return re.sub(r"\d+", lambda m: str(int(m.group()) - 1), field)


def next_instant(expression: str, after: datetime) -> datetime:
    """The first instant strictly after ``after`` (UTC) of an EventBridge schedule expression; a
    ValueError names what is not understood."""
    rate = _RATE.match(expression)
    if rate:
        return after + timedelta(seconds=int(rate.group(1)) * _UNITS[rate.group(2).rstrip("s")])
    cron = _CRON.match(expression)
    if not cron:
        raise ValueError(f"not a cron() or rate() expression: {expression!r}")
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise ValueError(f"cron() takes 6 fields (minutes hours day month weekday year): {expression!r}")
    minute, hour, day, month, weekday, year = fields
    if year not in ("*", str(after.year), str(after.year + 1)):
        raise ValueError(f"only every year (*) is supported locally: {expression!r}")
    from croniter import croniter

    spec = " ".join([minute, hour, day.replace("?", "*"), month, _weekdays(weekday.replace("?", "*"))])
    found: datetime = croniter(spec, after.astimezone(UTC)).get_next(datetime)
    return found.astimezone(UTC)


@dataclass
class Rule:
    function: LocalFunction
    name: str
    expression: str
    due: datetime


def rules_of(functions: dict[str, LocalFunction], now: datetime) -> list[Rule]:
    found = []
    for fn in functions.values():
        for name, event in fn.events.items():
            props = event.get("Properties") or {}
            if event.get("Type") != "Schedule" or props.get("Enabled") is False:
                continue
            expression = str(props["Schedule"])
            found.append(Rule(fn, name, expression, next_instant(expression, now)))
    return found


def scheduled_event(rule: Rule, at: datetime, region: str, account: str) -> dict[str, Any]:
    """The event EventBridge hands a function for a scheduled rule."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{account}:rule/local-{rule.function.logical}-{rule.name}"],
        "detail": {},
    }


class CronRunner(threading.Thread):
    def __init__(self, functions: dict[str, LocalFunction], region: str, account: str, interval: float = 1.0):
        super().__init__(daemon=True, name="local-cron")
        from ventanilla import clock

        self.rules = rules_of(functions, clock.now())
        self.region, self.account, self.interval = region, account, interval
        self.fired: list[tuple[str, datetime, Any]] = []
        self._stop = threading.Event()
        self._idle = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once a full pass ran after this call (every due rule fired)."""
        self._idle.clear()
        return self._idle.wait(timeout)

    def fire_due(self) -> list[tuple[str, datetime, Any]]:
        """Run each rule due on the dev clock once (a clock moved weeks ahead runs it once, not once
        per missed day: the retention job looks back by itself), then set its next instant."""
        from ventanilla import clock

        now = clock.now()
        done = []
        for rule in self.rules:
            if rule.due > now:
                continue
            try:
                answer = rule.function.invoke(scheduled_event(rule, rule.due, self.region, self.account))
            except Exception:
                log.exception(
                    "scheduled %s.%s raised; next run at its next instant", rule.function.logical, rule.name
                )
                answer = None
            done.append((f"{rule.function.logical}.{rule.name}", rule.due, answer))
            rule.due = next_instant(rule.expression, now)
        self.fired += done
        return done

    def run(self) -> None:
        pass_until_stopped(self._stop, self.fire_due, self._idle, self.interval, "local cron pass")


def start_cron(stack: Any) -> CronRunner:
    import os

    runner = CronRunner(
        stack.functions,
        os.environ.get("AWS_REGION", "us-east-1"),
        os.environ.get("MOTO_ACCOUNT_ID", "123456789012"),
    )
    runner.start()
    return runner
