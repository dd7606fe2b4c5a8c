"""One run's pass over a connection's streams: in the reader's order, a few at once where the
reader says streams are independent (Slack's channels), each stored page by page.

Small pages of a stream are stored together, up to a budget of records; what a stream read
before a fault, a dead grant or a stop is stored before the pass hands back, so the next attempt
never reads it again. When one of several streams read together fails, the others store what
they hold and stop at their next page; the first failure is what the pass raises.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence

from application.sync.ports import SourceReader
from domain.integrations.errors import ConnectionNeedsReauth
from domain.sync.errors import GrantRejected, SourceRefused, SourceThrottled, SourceUnavailable
from domain.sync.page import SyncPage

StorePage = Callable[[str, SyncPage], Awaitable[None]]
FinishStream = Callable[[str], Awaitable[None]]

# Faults after which the pages already read are still worth storing.
_KEEP_READ = (SourceThrottled, SourceUnavailable, SourceRefused, GrantRejected,
              ConnectionNeedsReauth)  # fmt: skip


class StopSignal:
    """Set by the worker on SIGTERM: the page in hand is committed, then the job goes back."""

    def __init__(self) -> None:
        self.requested = False


class Stopped(Exception):
    """The pass stopped at a page boundary, everything it read stored."""


class _Halt:
    """The worker's stop, or a sibling stream's failure: either ends a stream at its next page."""

    def __init__(self, stop: StopSignal) -> None:
        self._stop = stop
        self.first: Exception | None = None  # the first stream to fail, in time

    @property
    def requested(self) -> bool:
        return self._stop.requested or self.first is not None


def _size(page: SyncPage) -> int:
    return len(page.batch.entities) + len(page.batch.activities) + len(page.removals)


class StreamPass:
    def __init__(
        self,
        reader: SourceReader,
        cursors: Mapping[str, bytes],
        *,
        store: StorePage,
        finish: FinishStream,
        store_records: int,
        together: int,
        stop: StopSignal,
    ) -> None:
        self._reader, self._cursors = reader, cursors
        self._store, self._finish = store, finish
        self._budget, self._together, self._stop = store_records, together, stop

    async def run(self) -> None:
        streams = list(await self._reader.streams())
        at = 0
        while at < len(streams):
            end = at + 1
            while end < len(streams) and self._independent(streams[at], streams[end]):
                end += 1
            if end - at == 1 or self._together <= 1:
                for stream in streams[at:end]:
                    await self._stream(stream, self._stop)
            else:
                await self._in_parallel(streams[at:end])
            at = end

    def _independent(self, first: str, other: str) -> bool:
        return self._reader.independent(first) and self._reader.independent(other)

    async def _in_parallel(self, streams: Sequence[str]) -> None:
        halt, slots = _Halt(self._stop), asyncio.Semaphore(self._together)

        async def one(stream: str) -> None:
            async with slots:
                if halt.requested:
                    raise Stopped  # not begun: its checkpoint stands
                try:
                    await self._stream(stream, halt)
                except Stopped:
                    raise
                except Exception as failure:
                    halt.first = halt.first or failure
                    raise

        ended = await asyncio.gather(*(one(s) for s in streams), return_exceptions=True)
        # The first failure (it is why the others stopped), else the worker's stop.
        if halt.first is not None:
            raise halt.first
        for result in ended:
            if isinstance(result, BaseException):
                raise result

    async def _stream(self, stream: str, stop: StopSignal | _Halt) -> None:
        pending: list[SyncPage] = []
        held = 0
        try:
            async for page in self._reader.read(stream, self._cursors.get(stream)):
                pending.append(page)
                held += _size(page)
                if held < self._budget and not stop.requested:
                    continue
                await self._store(stream, SyncPage.joined(pending))
                pending, held = [], 0
                if stop.requested:
                    raise Stopped
        except _KEEP_READ:
            if pending:  # what was read before the fault is kept: the next attempt resumes
                await self._store(stream, SyncPage.joined(pending))
            raise
        if pending:
            await self._store(stream, SyncPage.joined(pending))
        if stop.requested:
            raise Stopped
        await self._finish(stream)
