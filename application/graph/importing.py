"""Import an event log file (OCEL 2.0 JSON or XES) into the tenant's graph, all or nothing.

The file is read in chunks and parsed as it streams; batches are written as they complete,
inside one transaction, so a file that turns out to be bad halfway leaves the graph exactly
as it was. Records take the file's SHA-256 as their scope: importing the same file again
changes nothing, and two different files never overwrite each other's records. A first import
of a file can therefore only create records, and an XES log's blocks of traces are written in
bulk while that holds (``bulk``); the parser and the preparation of each block run in a worker
thread while the database writes the block before.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Literal, Protocol, final

import msgspec

from application.graph.bulk import BulkImport, Parsed, Prepared
from application.graph.ports import GraphUnitOfWork
from application.graph.writer import GraphWriter, IngestSummary
from application.shared.actor import Actor
from application.shared.ports import Clock
from application.shared.scope import Scope
from domain.graph.errors import ImportTooLarge

LogFormat = Literal["xes", "ocel"]


class ImportSource(Protocol):
    """The uploaded or local file: its digest and size are known before parsing starts."""

    name: str
    size: int
    sha256: str

    def chunks(self) -> AsyncIterator[bytes]: ...


class LogParser(Protocol):
    """Push parser: each fed chunk returns the batches (or blocks of traces) it completed."""

    events: int
    format: LogFormat | None  # known once the first bytes are seen

    def feed(self, chunk: bytes) -> list[Parsed]: ...

    def close(self) -> list[Parsed]: ...


class ParserFactory(Protocol):
    def __call__(self, *, scope: str, object_type: str) -> LogParser:
        """A parser that recognises the format from the first bytes (and refuses others)."""
        ...


class ImportProgress(msgspec.Struct, frozen=True, kw_only=True):
    bytes_read: int
    total_bytes: int
    events: int


class ImportOptions(msgspec.Struct, frozen=True, kw_only=True):
    object_type: str = "case"  # XES: the type of the object each trace becomes


class ImportSummary(msgspec.Struct, frozen=True, kw_only=True):
    format: LogFormat
    scope: str
    bytes: int
    events: int
    seconds: float
    written: IngestSummary


@final
class ImportLog:
    def __init__(
        self,
        uow_for: Callable[[Scope], GraphUnitOfWork],
        clock: Clock,
        parsers: ParserFactory,
        max_bytes: int,
    ) -> None:
        self._uow_for, self._clock = uow_for, clock
        self._parsers, self._max_bytes = parsers, max_bytes

    async def execute(
        self,
        actor: Actor,
        source: ImportSource,
        options: ImportOptions,
        progress: Callable[[ImportProgress], None] | None = None,
    ) -> ImportSummary:
        if source.size > self._max_bytes:
            raise ImportTooLarge(limit=self._max_bytes)
        started, scope = time.perf_counter(), f"sha256:{source.sha256}"
        parser = self._parsers(scope=scope, object_type=options.object_type)
        async with self._uow_for(actor.scope) as uow:
            bulk = BulkImport(uow, GraphWriter(uow, actor.tenant_id, self._clock), actor.tenant_id)
            written = IngestSummary()
            async for item in _parsed(source, parser, bulk.prepare, progress):
                written += await bulk.write(item)
            await uow.commit()
        return ImportSummary(
            format=parser.format or "xes",
            scope=scope,
            bytes=source.size,
            events=parser.events,
            seconds=time.perf_counter() - started,
            written=written,
        )


_DONE = object()
# The parser gets at most this much at a time (compressed, it may inflate twentyfold), so the
# first batch reaches the database early, and the database waits less for the parser.
FEED = 1 << 17


async def _parsed(
    source: ImportSource,
    parser: LogParser,
    prepare: Callable[[Parsed], Prepared],
    progress: Callable[[ImportProgress], None] | None,
) -> AsyncIterator[Prepared]:
    """Batches of ``source``, parsed and prepared in a worker thread while the caller writes
    the previous ones: the database inserts one batch while the next chunk is parsed."""
    queue: asyncio.Queue[object] = asyncio.Queue(maxsize=2)
    producer = asyncio.create_task(_produce(source, parser, prepare, progress, queue))
    try:
        while (item := await queue.get()) is not _DONE:
            if isinstance(item, Exception):
                raise item
            yield item  # type: ignore[misc]
    finally:
        producer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await producer


async def _produce(
    source: ImportSource,
    parser: LogParser,
    prepare: Callable[[Parsed], Prepared],
    progress: Callable[[ImportProgress], None] | None,
    queue: asyncio.Queue[object],
) -> None:
    def feed(chunk: bytes | None) -> list[Prepared]:
        parsed = parser.close() if chunk is None else parser.feed(chunk)
        return [prepare(item) for item in parsed]

    try:
        read = 0
        async for chunk in source.chunks():
            read += len(chunk)
            for start in range(0, len(chunk), FEED):
                for batch in await asyncio.to_thread(feed, chunk[start : start + FEED]):
                    await queue.put(batch)
            if progress is not None:
                progress(
                    ImportProgress(bytes_read=read, total_bytes=source.size, events=parser.events)
                )
        for batch in await asyncio.to_thread(feed, None):
            await queue.put(batch)
        await queue.put(_DONE)
    except Exception as error:  # handed to the consumer, who raises it
        await queue.put(error)
