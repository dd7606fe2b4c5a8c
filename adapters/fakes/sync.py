"""In-memory sync tables and job queue, mirroring the PostgreSQL ones (user-private rows)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

import msgspec

from adapters.fakes.graph_purge import FakeGraphPurgeUnitOfWork
from adapters.fakes.integrations import FakeConnectionRepository, IntegrationsTables
from adapters.fakes.store import InMemoryStore, Tables
from application.shared.scope import Scope
from application.sync.ports import (
    Checkpoint,
    CheckpointRepository,
    ConnectionScope,
    JobQueue,
    ScheduleRepository,
    SyncCensus,
    SyncJob,
    SyncRunRepository,
    SyncUnitOfWork,
)
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId, UserId
from domain.sync.run import PageCounts, StreamProgress, SyncRun
from domain.sync.schedule import SyncSchedule


@dataclass(frozen=True)
class QueuedJob:
    job: SyncJob
    not_before: timedelta | None


@dataclass
class SyncTables:
    runs: dict[tuple[TenantId, UUID], SyncRun] = field(default_factory=dict)
    checkpoints: dict[tuple[TenantId, UUID, str], tuple[UserId, Checkpoint]] = field(
        default_factory=dict
    )
    schedules: dict[tuple[TenantId, UUID], SyncSchedule] = field(default_factory=dict)
    jobs: dict[UUID, QueuedJob] = field(default_factory=dict)  # by connection: the dedupe key


class _Private:
    def __init__(self, tables: SyncTables, scope: Scope) -> None:
        self._t, self._scope = tables, scope

    @property
    def _tenant(self) -> TenantId:
        if self._scope.tenant_id is None or self._scope.user_id is None:
            raise ScopeViolation()
        return self._scope.tenant_id

    def _visible(self, tenant_id: TenantId, user_id: UserId) -> bool:
        return (tenant_id, user_id) == (self._scope.tenant_id, self._scope.user_id)


class FakeSyncRunRepository(_Private, SyncRunRepository):
    async def get(self, run_id: UUID) -> SyncRun | None:
        run = self._t.runs.get((self._tenant, run_id))
        return run if run is not None and self._visible(run.tenant_id, run.user_id) else None

    async def active(self, connection_id: UUID) -> SyncRun | None:
        mine = self._mine()
        return next((r for r in mine if r.connection_id == connection_id and r.status.active), None)

    def _mine(self) -> list[SyncRun]:
        return [r for r in self._t.runs.values() if self._visible(r.tenant_id, r.user_id)]

    async def add(self, run: SyncRun) -> bool:
        if not self._visible(run.tenant_id, run.user_id):
            raise ScopeViolation()
        if await self.active(run.connection_id) is not None:
            return False  # the unique index on active runs
        self._t.runs[(run.tenant_id, run.id)] = run
        return True

    async def save(self, run: SyncRun) -> None:
        stored = await self.get(run.id)
        if stored is None:
            raise ScopeViolation()
        self._t.runs[(run.tenant_id, run.id)] = msgspec.structs.replace(run, streams=stored.streams)

    async def record_page(
        self, run_id: UUID, stream: str, counts: PageCounts, position: datetime | None
    ) -> None:
        def add(progress: StreamProgress) -> StreamProgress:
            return msgspec.structs.replace(
                progress,
                pages=progress.pages + counts.pages,
                fetched=progress.fetched + counts.fetched,
                records_new=progress.records_new + counts.new,
                records_changed=progress.records_changed + counts.changed,
                records_deleted=progress.records_deleted + counts.deleted,
                errors=progress.errors + counts.errors,
                position=position or progress.position,
            )

        self._update_stream(run_id, stream, add)

    async def finish_stream(self, run_id: UUID, stream: str, at: datetime) -> None:
        self._update_stream(run_id, stream, lambda p: msgspec.structs.replace(p, finished_at=at))

    def _update_stream(
        self, run_id: UUID, stream: str, change: Callable[[StreamProgress], StreamProgress]
    ) -> None:
        run = self._t.runs.get((self._tenant, run_id))
        if run is None or not self._visible(run.tenant_id, run.user_id):
            return
        streams = {s.stream: s for s in run.streams}
        streams[stream] = change(streams.get(stream) or StreamProgress(stream=stream))
        self._t.runs[(run.tenant_id, run_id)] = msgspec.structs.replace(
            run, streams=tuple(streams.values())
        )

    async def latest(
        self, connection_id: UUID | None, *, limit: int, before: tuple[datetime, UUID] | None
    ) -> list[SyncRun]:
        runs = [r for r in self._mine() if connection_id in (None, r.connection_id)]
        runs.sort(key=lambda r: (r.requested_at, r.id), reverse=True)
        if before is not None:
            runs = [r for r in runs if (r.requested_at, r.id) < before]
        return runs[:limit]


class FakeCheckpointRepository(_Private, CheckpointRepository):
    async def all(self, connection_id: UUID) -> dict[str, Checkpoint]:
        return {
            key[2]: checkpoint
            for key, (user_id, checkpoint) in self._t.checkpoints.items()
            if key[:2] == (self._tenant, connection_id) and user_id == self._scope.user_id
        }

    async def save(self, connection_id: UUID, checkpoint: Checkpoint) -> None:
        key = (self._tenant, connection_id, checkpoint.stream)
        self._t.checkpoints[key] = (self._scope.user_id, checkpoint)  # type: ignore[assignment]

    async def clear(self, connection_id: UUID) -> None:
        for stream in await self.all(connection_id):
            del self._t.checkpoints[(self._tenant, connection_id, stream)]


class FakeScheduleRepository(_Private, ScheduleRepository):
    async def get(self, connection_id: UUID, *, for_update: bool = False) -> SyncSchedule | None:
        found = self._t.schedules.get((self._tenant, connection_id))
        return (
            found if found is not None and self._visible(found.tenant_id, found.user_id) else None
        )

    async def save(self, schedule: SyncSchedule) -> None:
        if not self._visible(schedule.tenant_id, schedule.user_id):
            raise ScopeViolation()
        stored = await self.get(schedule.connection_id)
        fence = stored.fence if stored is not None else 0
        self._t.schedules[(schedule.tenant_id, schedule.connection_id)] = msgspec.structs.replace(
            schedule, fence=fence
        )

    async def take_over(self, connection_id: UUID) -> int:
        stored = await self.get(connection_id)
        if stored is None:
            stored = SyncSchedule(
                tenant_id=self._tenant,
                user_id=self._scope.user_id,  # type: ignore[arg-type]
                connection_id=connection_id,
            )
        moved = msgspec.structs.replace(stored, fence=stored.fence + 1)
        self._t.schedules[(self._tenant, connection_id)] = moved
        return moved.fence

    async def holds(self, connection_id: UUID, fence: int) -> bool:
        stored = await self.get(connection_id)
        return stored is not None and stored.fence == fence

    async def due(self, connection_id: UUID, now: datetime) -> bool:
        stored = await self.get(connection_id)
        return stored is None or stored.next_run_at is None or stored.next_run_at <= now


class FakeJobQueue(JobQueue):
    def __init__(self, tables: SyncTables) -> None:
        self._t = tables

    async def enqueue_sync(self, job: SyncJob, *, delay: timedelta | None = None) -> bool:
        if job.connection_id in self._t.jobs:
            return False
        self._t.jobs[job.connection_id] = QueuedJob(job=job, not_before=delay)
        return True


class FakeSyncUnitOfWork(FakeGraphPurgeUnitOfWork, SyncUnitOfWork):
    def _attach(self, tables: Tables) -> None:
        super()._attach(tables)
        sync = tables.of(SyncTables)
        self.connections = FakeConnectionRepository(tables.of(IntegrationsTables), self.scope)
        self.runs = FakeSyncRunRepository(sync, self.scope)
        self.checkpoints = FakeCheckpointRepository(sync, self.scope)
        self.schedules = FakeScheduleRepository(sync, self.scope)
        self.jobs = FakeJobQueue(sync)


class FakeSyncCensus(SyncCensus):
    """Across tenants, like the SECURITY DEFINER census: usable connections that are due."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def due(self, now: datetime, limit: int) -> list[ConnectionScope]:
        tables = self._store.tables
        schedules = tables.of(SyncTables).schedules
        due = []
        for (tenant_id, connection_id), connection in tables.of(
            IntegrationsTables
        ).connections.items():
            schedule = schedules.get((tenant_id, connection_id))
            next_run = schedule.next_run_at if schedule is not None else None
            if connection.usable and (next_run is None or next_run <= now):
                due.append((next_run or datetime.min.replace(tzinfo=UTC), connection))
        due.sort(key=lambda item: item[0])
        return [
            ConnectionScope(tenant_id=c.tenant_id, user_id=c.user_id, connection_id=c.id)
            for _, c in due[:limit]
        ]

    async def scopes(self, connection_id: UUID | None) -> list[ConnectionScope]:
        connections = self._store.tables.of(IntegrationsTables).connections.values()
        return [
            ConnectionScope(tenant_id=c.tenant_id, user_id=c.user_id, connection_id=c.id)
            for c in sorted(connections, key=lambda c: (c.tenant_id, c.id))
            if connection_id in (None, c.id)
        ]
