"""Keep a worker taking jobs through a database outage (a restart, a failover).

PgQueuer ends its run when the database goes away under it (its next dequeue cannot get a
connection), and ``atlas worker`` used to end with it: after a database restart no job ran
until someone restarted every worker. Here the worker waits and runs again instead, with a
growing pause, for as long as the errors say the server is gone; any other error still ends
it. Jobs that were running when the database went are claimed again once their heartbeat is
stale (the queue's own rule), and resume from their last committed cursor.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg

from adapters.postgres.errors import database_gone

log = logging.getLogger("atlas.worker")

FIRST_PAUSE = 0.5  # seconds before the first try again
LONGEST_PAUSE = 10.0
# The driver's own state gone wrong on a pooled connection (seen right after a restart: "cannot
# switch to state 12; another operation is in progress"): a new pool is the remedy, as for an
# outage, so the worker runs again rather than ending.
_DRIVER_STATE = (asyncpg.InterfaceError, asyncpg.exceptions._base.InternalClientError)


def _never() -> bool:
    return False


async def run_through_outages(
    run: Callable[[], Awaitable[None]], stopping: Callable[[], bool] = _never
) -> None:
    """``run()`` (a worker's) until it returns, again after each database outage; not again
    once ``stopping()`` (a stopped worker's ``run`` returns at once, so that is only sooner)."""
    pause = FIRST_PAUSE
    while True:
        try:
            await run()
            return
        except Exception as error:
            if stopping() or not (database_gone(error) or isinstance(error, _DRIVER_STATE)):
                raise
            log.warning("the database went away (%s); taking jobs again in %.1f s",
                        type(error).__name__, pause)  # fmt: skip
        await asyncio.sleep(pause)
        pause = min(LONGEST_PAUSE, pause * 2)
