"""A few provider reads in flight at once, and none left running once one of them fails."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


async def read_all(items: Iterable[T], read: Callable[[T], Awaitable[R]], *, limit: int) -> list[R]:
    """``read`` of every item, at most ``limit`` at once, results in the items' order.

    The first failure cancels the reads still going (a throttled or rejected grant must not keep
    spending the quota, or renewing a token, behind the run's back) and is raised as itself.
    """
    slots = asyncio.Semaphore(limit)

    async def one(item: T) -> R:
        async with slots:
            return await read(item)

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(item)) for item in items]
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None
    return [task.result() for task in tasks]
