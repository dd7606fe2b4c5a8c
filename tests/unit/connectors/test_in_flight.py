"""Reads in flight: bounded, in order, and none left running once one fails."""

from __future__ import annotations

import asyncio

import pytest

from adapters.connectors.in_flight import read_all
from domain.sync.errors import SourceThrottled


async def test_results_come_in_the_items_order_with_at_most_the_limit_at_once() -> None:
    running, most = 0, 0

    async def read(n: int) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.001 * (n % 3))
        running -= 1
        return n * n

    assert await read_all(range(20), read, limit=4) == [n * n for n in range(20)]
    assert most == 4


async def test_the_first_failure_is_raised_as_itself_and_cancels_the_others() -> None:
    started: list[int] = []
    finished: list[int] = []

    async def read(n: int) -> int:
        started.append(n)
        if n == 2:
            raise SourceThrottled("rate_limited", retry_after=60)
        await asyncio.sleep(0.05)
        finished.append(n)
        return n

    with pytest.raises(SourceThrottled):
        await read_all(range(40), read, limit=8)

    # The reads in flight when it failed, and at most the one that took its freed slot before
    # the cancellation landed: never the other thirty-odd.
    assert len(started) <= 9
    assert finished == []  # and those were cancelled, not left running
