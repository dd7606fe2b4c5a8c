"""Imports in memory, and a queue whose jobs run in this process once their request commits
(the real queue is PgQueuer's; this one lets the in-process harness run an import end to end)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import msgspec

from adapters.fakes.store import InMemoryStore, Tables
from adapters.fakes.uow import FakeUnitOfWork
from application.graph.import_jobs import (
    ImportFailure,
    ImportJob,
    ImportRecord,
    ImportRecords,
    ImportsUnitOfWork,
)
from application.graph.importing import ImportSummary
from application.shared.scope import Scope
from domain.shared.ids import TenantId

PART_BYTES = 1 << 20
Key = tuple[TenantId, UUID]


@dataclass
class ImportTables:
    records: dict[Key, ImportRecord] = field(default_factory=dict)
    parts: dict[Key, list[bytes]] = field(default_factory=dict)
    queued: dict[Key, ImportJob] = field(default_factory=dict)


class FakeImportQueue:
    """Runs each committed job as a task; ``runner`` is the worker's use case, bound once the
    container is built. ``tasks`` lets a test wait for them."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.runner: Callable[[ImportJob], Awaitable[object]] | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    def started(self, job: ImportJob) -> None:
        task = asyncio.get_running_loop().create_task(self._run(job))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, job: ImportJob) -> None:
        await asyncio.sleep(0)  # the request's unit of work commits first
        queued = self._store.tables.of(ImportTables).queued
        if self.runner is None or (job.tenant_id, job.import_id) not in queued:
            return  # rolled back, or nobody to run it
        await self.runner(job)


class FakeImportRecords(ImportRecords):
    def __init__(self, tables: ImportTables, tenant: TenantId | None, queue: FakeImportQueue):
        self._t, self._tenant, self._queue = tables, tenant, queue

    def _key(self, import_id: UUID) -> Key:
        assert self._tenant is not None  # noqa: S101 - row security would refuse it
        return (self._tenant, import_id)

    async def add(self, record: ImportRecord, parts: AsyncIterator[bytes]) -> bool:
        key = self._key(record.id)
        if key in self._t.records:
            return False
        data = b"".join([chunk async for chunk in parts])
        self._t.records[key] = record
        self._t.parts[key] = [data[i : i + PART_BYTES] for i in range(0, len(data), PART_BYTES)]
        return True

    async def get(self, import_id: UUID) -> ImportRecord | None:
        return self._t.records.get(self._key(import_id))

    async def start(self, import_id: UUID, at: datetime) -> ImportRecord | None:
        record = self._t.records.get(self._key(import_id))
        if record is None or record.finished:
            return None
        started = msgspec.structs.replace(
            record, state="running", attempts=record.attempts + 1, updated_at=at
        )
        self._t.records[self._key(import_id)] = started
        return started

    async def part(self, import_id: UUID, index: int) -> bytes | None:
        parts = self._t.parts.get(self._key(import_id), [])
        return parts[index] if index < len(parts) else None

    async def finish(
        self,
        import_id: UUID,
        at: datetime,
        *,
        summary: ImportSummary | None = None,
        failure: ImportFailure | None = None,
    ) -> None:
        key = self._key(import_id)
        record = self._t.records.get(key)
        if record is not None:
            state = "failed" if failure is not None else "succeeded"
            self._t.records[key] = msgspec.structs.replace(
                record, state=state, summary=summary, failure=failure, updated_at=at
            )
        self._t.parts.pop(key, None)
        self._t.queued.pop(key, None)

    async def enqueue(self, job: ImportJob) -> None:
        self._t.queued[self._key(job.import_id)] = job
        self._queue.started(job)


class FakeImportsUnitOfWork(FakeUnitOfWork, ImportsUnitOfWork):
    def __init__(self, store: InMemoryStore, queue: FakeImportQueue, scope: Scope) -> None:
        super().__init__(store, scope)
        self._queue = queue

    def _attach(self, tables: Tables) -> None:
        self.imports = FakeImportRecords(tables.of(ImportTables), self.scope.tenant_id, self._queue)
