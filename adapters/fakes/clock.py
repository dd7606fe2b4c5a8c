"""A clock tests move by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from application.shared.ports import Clock
from domain.shared.clock import utc


class FrozenClock(Clock):
    def __init__(self, at: datetime) -> None:
        self._now = utc(at)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, at: datetime) -> None:
        self._now = utc(at)
