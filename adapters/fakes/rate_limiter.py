"""Rate-limit counters in memory: one process only, for tests and the harness."""

from __future__ import annotations

import math
from datetime import datetime

from application.identity.ports import RateLimit, RateLimiter
from application.shared.ports import Clock


class InMemoryRateLimiter(RateLimiter):
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._windows: dict[tuple[str, str], tuple[datetime, int]] = {}

    async def attempt(self, rule: RateLimit, subject: str) -> int | None:
        start, hits = self._current(rule, subject)
        self._windows[(rule.name, subject)] = (start, hits + 1)
        return self._wait(rule, start, hits + 1)

    async def refund(self, rule: RateLimit, subject: str) -> None:
        start, hits = self._current(rule, subject)
        self._windows[(rule.name, subject)] = (start, max(0, hits - 1))

    async def exceeded(self, rule: RateLimit, subject: str) -> int | None:
        start, hits = self._current(rule, subject)
        return self._wait(rule, start, hits + 1)

    def _current(self, rule: RateLimit, subject: str) -> tuple[datetime, int]:
        now = self._clock.now()
        start, hits = self._windows.get((rule.name, subject), (now, 0))
        if now >= start + rule.window:
            return now, 0
        return start, hits

    def _wait(self, rule: RateLimit, start: datetime, hits: int) -> int | None:
        if hits <= rule.limit:
            return None
        remaining = (start + rule.window - self._clock.now()).total_seconds()
        return max(1, math.ceil(remaining))


class NoLimits(RateLimiter):
    """Lets everything through: for tests that explore other endpoints than the 429 (the
    limiter has tests of its own) and would otherwise trip it from one test client's address."""

    async def attempt(self, rule: RateLimit, subject: str) -> int | None:
        return None

    async def refund(self, rule: RateLimit, subject: str) -> None:
        return None

    async def exceeded(self, rule: RateLimit, subject: str) -> int | None:
        return None
