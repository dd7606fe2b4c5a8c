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
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Literal, Protocol, final
from uuid import UUID

import msgspec

from application.graph.bulk import BulkImport, Parsed, Prepared
from application.graph.ports import GraphUnitOfWork
from application.graph.writer import GraphWriter, IngestSummary
from application.shared.actor import Actor
from application.shared.ports import Clock
from application.shared.scope import Scope
from domain.compliance.audit import AuditAction, AuditEntry, Outcome
from domain.feed.events import EventKind, FeedEvent
from domain.graph.errors import ImportTooLarge
from domain.shared.errors import DomainError
from domain.shared.ids import new_id

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
    id: UUID  # as the feed's import events name it
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
        *,
        import_id: UUID | None = None,
    ) -> ImportSummary:
        """The feed hears ``import.progress`` about once a second (each in its own short
        transaction: the import's own commits only at the end) and ``import.finished`` with
        the import's commit, or after its rollback."""
        if source.size > self._max_bytes:
            raise ImportTooLarge(limit=self._max_bytes)
        import_id = import_id or new_id()
        feed = _ImportFeed(self._uow_for, actor, import_id, progress)
        await feed.started(source.size, options.object_type)
        try:
            return await self._import(actor, source, options, import_id, feed)
        except DomainError as error:
            await feed.failed(error.code)
            raise

    async def _import(
        self,
        actor: Actor,
        source: ImportSource,
        options: ImportOptions,
        import_id: UUID,
        feed: _ImportFeed,
    ) -> ImportSummary:
        started, scope = time.perf_counter(), f"sha256:{source.sha256}"
        parser = self._parsers(scope=scope, object_type=options.object_type)
        async with self._uow_for(actor.scope) as uow:
            bulk = BulkImport(uow, GraphWriter(uow, actor.tenant_id, self._clock), actor.tenant_id)
            written = IngestSummary()
            async for item in _parsed(source, parser, bulk.prepare, feed.progress):
                written += await bulk.write(item)
            summary = ImportSummary(
                id=import_id,
                format=parser.format or "xes",
                scope=scope,
                bytes=source.size,
                events=parser.events,
                seconds=time.perf_counter() - started,
                written=written,
            )
            uow.events.announce(feed.finished(summary))
            uow.audit.record(feed.audit(AuditAction.IMPORT_FINISHED, {
                "format": summary.format, "events": str(summary.events), "scope": scope,
            }))  # fmt: skip
            await uow.commit()
        return summary


class _ImportFeed:
    """An import's announcements: progress at most once a second, then how it ended."""

    EVERY_SECONDS = 1.0

    def __init__(
        self,
        uow_for: Callable[[Scope], GraphUnitOfWork],
        actor: Actor,
        import_id: UUID,
        local: Callable[[ImportProgress], None] | None,
    ) -> None:
        self._uow_for, self._actor, self._id, self._local = uow_for, actor, import_id, local
        self._last = float("-inf")

    async def progress(self, progress: ImportProgress) -> None:
        if self._local is not None:
            self._local(progress)
        now = time.monotonic()
        if now - self._last < self.EVERY_SECONDS:
            return
        self._last = now
        data = {
            "import_id": str(self._id),
            "bytes_read": progress.bytes_read,
            "total_bytes": progress.total_bytes,
            "events": progress.events,
        }
        await self._announce(FeedEvent(kind=EventKind.IMPORT_PROGRESS, data=data))

    def finished(self, summary: ImportSummary) -> FeedEvent:
        data = {
            "import_id": str(self._id),
            "state": "done",
            "format": summary.format,
            "bytes": summary.bytes,
            "events": summary.events,
            "code": None,
        }
        return FeedEvent(kind=EventKind.IMPORT_FINISHED, data=data)

    async def failed(self, code: str) -> None:
        data = {"import_id": str(self._id), "state": "failed", "code": code}
        entry = self.audit(AuditAction.IMPORT_FINISHED, {"code": code}, Outcome.FAILURE)
        with contextlib.suppress(DomainError):  # the import's own error is what the caller gets
            await self._announce(FeedEvent(kind=EventKind.IMPORT_FINISHED, data=data), entry)

    async def started(self, size: int, object_type: str) -> None:
        """Its own short transaction: the import's commits only at the end, and an import
        that never finishes was still started."""
        entry = self.audit(AuditAction.IMPORT_STARTED, {"bytes": str(size)})
        async with self._uow_for(self._actor.scope) as uow:
            uow.audit.record(msgspec.structs.replace(
                entry, details={**entry.details, "object_type": object_type[:100]}
            ))  # fmt: skip
            await uow.commit()

    def audit(
        self, action: AuditAction, details: dict[str, str], outcome: Outcome = Outcome.SUCCESS
    ) -> AuditEntry:
        return AuditEntry(
            action=action, target_type="import", target_id=str(self._id), outcome=outcome,
            details=details,
        )  # fmt: skip

    async def _announce(self, event: FeedEvent, entry: AuditEntry | None = None) -> None:
        async with self._uow_for(self._actor.scope) as uow:
            uow.events.announce(event)
            if entry is not None:
                uow.audit.record(entry)
            await uow.commit()


_DONE = object()
# The parser gets at most this much at a time (compressed, it may inflate twentyfold), so the
# first batch reaches the database early, and the database waits less for the parser.
FEED = 1 << 17


async def _parsed(
    source: ImportSource,
    parser: LogParser,
    prepare: Callable[[Parsed], Prepared],
    progress: Callable[[ImportProgress], Awaitable[None]],
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
    progress: Callable[[ImportProgress], Awaitable[None]],
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
            await progress(
                ImportProgress(bytes_read=read, total_bytes=source.size, events=parser.events)
            )
        for batch in await asyncio.to_thread(feed, None):
            await queue.put(batch)
        await queue.put(_DONE)
    except Exception as error:  # handed to the consumer, who raises it
        await queue.put(error)
