"""When a local poller has caught up: a poll that began after the question found nothing to do.

A poll already under way when someone asks may have looked before the latest write arrived, so
only a poll begun later can answer; stream and queue pollers share this bookkeeping.
"""

from __future__ import annotations

import threading


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
