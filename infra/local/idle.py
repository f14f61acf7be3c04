"""When a local poller has caught up: a poll that began after the question found nothing to do.

A poll already under way when someone asks may have looked before the latest write arrived, so
only a poll begun later can answer; stream and queue pollers share this bookkeeping.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("ventanilla.local")


class PollCounter:
    def __init__(self) -> None:
        self._polls = threading.Condition()
        self._begun = 0
        self._empty = 0  # the latest poll that found nothing to do

    def begin(self) -> int:
        """Number a poll as it begins."""
        with self._polls:
            self._begun += 1
            return self._begun

    def found_nothing(self, poll: int) -> None:
        with self._polls:
            self._empty = poll
            self._polls.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """True once a poll begun after this call found nothing to do, within ``timeout`` seconds."""
        with self._polls:
            floor = self._begun
            return self._polls.wait_for(lambda: self._empty > floor, timeout)


def poll_until_stopped(
    stop: threading.Event,
    poll: Callable[[], int],
    counter: PollCounter,
    pause: Callable[[], object],
    what: str,
) -> None:
    """A poller's loop: poll, tell ``counter`` when a poll found nothing, ``pause`` when there was
    nothing to do or the poll failed. A failed poll is logged and polled again: a local runner must
    not die on one bad batch."""
    while not stop.is_set():
        mine = counter.begin()
        try:
            got = poll()
        except Exception:
            log.exception("%s failed", what)
            got = -1
        if got == 0:
            counter.found_nothing(mine)
        if got <= 0:
            pause()


def pass_until_stopped(
    stop: threading.Event, fire: Callable[[], object], idle: threading.Event, interval: float, what: str
) -> None:
    """A timer runner's loop (cron rules, schedules): one pass, then ``idle`` set, then a pause."""
    while not stop.is_set():
        try:
            fire()
        except Exception:  # a local runner must not die on one bad pass
            log.exception("%s failed", what)
        idle.set()
        stop.wait(interval)
