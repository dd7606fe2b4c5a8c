"""The sandbox's clock: another clock moved forward on demand, so expiry is testable live."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from application.shared.ports import Clock


class MovableClock(Clock):
    """Reads ``base`` plus an offset that only grows; the control API moves it forward.

    A running sandbox (``atlas sandbox serve``) has no test to hand it a frozen clock, yet tests
    talking to it over HTTP still need to age tokens and cursors without sleeping.
    """

    def __init__(self, base: Clock) -> None:
        self._base = base
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self._base.now() + self._offset

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += delta
