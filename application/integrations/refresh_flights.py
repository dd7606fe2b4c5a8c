"""One refresh per connection per process, and only a few at once: waiters hold nothing.

A refresh holds its connection's row lock, and so one pooled database connection, for as long
as the provider takes (up to the token endpoint's deadline). Without this, every caller of an
expiring connection queued for the row lock on a pooled connection of its own, and a hung
provider could pin the whole pool: ``N`` callers of one connection, or more connections
refreshing at once than the pool holds. Here the callers of one connection in this process
share one flight (an asyncio task: its first caller's cancellation does not end it for the
others), and at most ``slots`` flights hold a database connection at a time; a flight that finds
no slot within ``wait_seconds`` ends as ``RefreshBusy``, the same "try again shortly" as a row
lock not granted in time. Across processes the row lock still decides (rule 3).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar, final

from domain.integrations.errors import RefreshBusy

T = TypeVar("T")


@final
class RefreshFlights(Generic[T]):
    def __init__(self, *, slots: int, wait_seconds: float) -> None:
        self._slots = asyncio.Semaphore(slots)  # binds to the running loop on first wait
        self._wait = wait_seconds
        self._flights: dict[Hashable, asyncio.Task[T]] = {}

    async def join(self, key: Hashable, fly: Callable[[], Awaitable[T]]) -> T:
        """``fly()``'s outcome, shared with every caller of the same ``key`` meanwhile."""
        flight = self._flights.get(key)
        if flight is None:
            flight = asyncio.create_task(self._flown(fly))
            self._flights[key] = flight
            flight.add_done_callback(lambda done: self._landed(key, done))
        return await asyncio.shield(flight)

    def in_flight(self) -> int:
        return len(self._flights)

    async def _flown(self, fly: Callable[[], Awaitable[T]]) -> T:
        try:
            async with asyncio.timeout(self._wait):
                await self._slots.acquire()
        except TimeoutError:
            raise RefreshBusy(retry_after=1) from None
        try:
            return await fly()
        finally:
            self._slots.release()

    def _landed(self, key: Hashable, flight: asyncio.Task[T]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if not flight.cancelled():
            with contextlib.suppress(BaseException):
                flight.exception()  # retrieved: every caller may have gone already
