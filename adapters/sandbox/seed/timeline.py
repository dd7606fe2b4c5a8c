"""Moments inside the seeded period, at plausible working hours, to the second."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Timeline:
    start: datetime
    end: datetime

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def day(self, rng: random.Random, *, margin: int = 0) -> datetime:
        """Midnight of a random day, at least ``margin`` days before the end."""
        offset = rng.randrange(0, max(1, self.days - margin))
        return self.start + timedelta(days=offset)

    def working(self, rng: random.Random, day: datetime) -> datetime:
        """A moment between 08:00 and 18:00 UTC on ``day``, moved off weekends."""
        while day.weekday() >= 5:
            day += timedelta(days=1)
        seconds = rng.randrange(8 * 3600, 18 * 3600)
        return day.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(seconds=seconds)

    def later(self, rng: random.Random, at: datetime, lo_hours: float, hi_hours: float) -> datetime:
        seconds = rng.uniform(lo_hours * 3600, hi_hours * 3600)
        return (at + timedelta(seconds=seconds)).replace(microsecond=0)

    def within(self, at: datetime) -> bool:
        return at <= self.end
