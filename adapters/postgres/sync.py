"""PostgreSQL repositories of the sync tables: runs and their streams, checkpoints, schedules.

Every statement names its tenant and the connection owner itself; row security is the second
lock, not the only one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from uuid import UUID

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres.graph_db import GraphDb
from application.sync.ports import (
    Checkpoint,
    CheckpointRepository,
    ScheduleRepository,
    SyncRunRepository,
)
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId, UserId
from domain.sync.run import PageCounts, RunStatus, RunTrigger, StreamProgress, SyncRun
from domain.sync.schedule import SyncSchedule

_RUN_COLUMNS = (
    "run_id, connection_id, provider, trigger, status, requested_at, started_at, "
    "finished_at, attempts, error, resume_at"
)


class SyncDb(GraphDb):
    """The unit of work's connection, with the scope's tenant and user."""

    def __init__(
        self, session: AsyncSession, tenant_id: TenantId | None, user_id: UserId | None
    ) -> None:
        super().__init__(session, tenant_id)
        self._user_id = user_id

    @property
    def user_id(self) -> UserId:
        if self._user_id is None:
            raise ScopeViolation()
        return self._user_id


class PostgresSyncRunRepository(SyncRunRepository):
    def __init__(self, db: SyncDb) -> None:
        self._db = db

    async def get(self, run_id: UUID) -> SyncRun | None:
        runs = await self._runs("run_id = $3", run_id)
        return runs[0] if runs else None

    async def active(self, connection_id: UUID) -> SyncRun | None:
        runs = await self._runs(
            "connection_id = $3 AND status IN ('queued', 'running', 'waiting')", connection_id
        )
        return runs[0] if runs else None

    async def add(self, run: SyncRun) -> bool:
        self._check(run)
        inserted = await self._db.fetchval(
            """INSERT INTO atlas.sync_runs (tenant_id, user_id, run_id, connection_id, provider,
                trigger, status, requested_at, started_at, finished_at, attempts, error,
                resume_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (tenant_id, connection_id) WHERE status IN ('queued', 'running', 'waiting')
            DO NOTHING RETURNING true""",
            *self._values(run),
        )
        return bool(inserted)

    async def save(self, run: SyncRun) -> None:
        self._check(run)
        await self._db.execute(
            """UPDATE atlas.sync_runs SET status = $5, started_at = $6, finished_at = $7,
                attempts = $8, error = $9, resume_at = $10
            WHERE tenant_id = $1 AND user_id = $2 AND run_id = $3 AND connection_id = $4""",
            run.tenant_id, run.user_id, run.id, run.connection_id, run.status.value,
            run.started_at, run.finished_at, run.attempts, run.error, run.resume_at,
        )  # fmt: skip

    async def record_page(
        self, run_id: UUID, stream: str, counts: PageCounts, position: datetime | None
    ) -> None:
        await self._db.execute(
            """INSERT INTO atlas.sync_run_streams AS s (tenant_id, user_id, run_id, stream,
                pages, fetched, records_new, records_changed, records_deleted, errors, position)
            VALUES ($1, $2, $3, $4, $11, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (tenant_id, run_id, stream) DO UPDATE SET
                pages = s.pages + $11, fetched = s.fetched + $5, records_new = s.records_new + $6,
                records_changed = s.records_changed + $7,
                records_deleted = s.records_deleted + $8, errors = s.errors + $9,
                position = coalesce($10, s.position)
            WHERE s.tenant_id = $1 AND s.user_id = $2""",
            self._db.tenant_id, self._db.user_id, run_id, stream, counts.fetched, counts.new,
            counts.changed, counts.deleted, counts.errors, position, counts.pages,
        )  # fmt: skip

    async def finish_stream(self, run_id: UUID, stream: str, at: datetime) -> None:
        await self._db.execute(
            """INSERT INTO atlas.sync_run_streams AS s (tenant_id, user_id, run_id, stream,
                finished_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (tenant_id, run_id, stream) DO UPDATE SET finished_at = $5
            WHERE s.tenant_id = $1 AND s.user_id = $2""",
            self._db.tenant_id, self._db.user_id, run_id, stream, at,
        )  # fmt: skip

    async def latest(
        self, connection_id: UUID | None, *, limit: int, before: tuple[datetime, UUID] | None
    ) -> list[SyncRun]:
        where, args = ["true"], list[object]()
        if connection_id is not None:
            args.append(connection_id)
            where.append(f"connection_id = ${len(args) + 2}")
        if before is not None:
            args += [before[0], before[1]]
            where.append(f"(requested_at, run_id) < (${len(args) + 1}, ${len(args) + 2})")
        clause = (
            " AND ".join(where) + f" ORDER BY requested_at DESC, run_id DESC LIMIT {int(limit)}"
        )
        return await self._runs(clause, *args)

    async def _runs(self, where: str, *args: object) -> list[SyncRun]:
        rows = await self._db.fetch(
            f"SELECT {_RUN_COLUMNS} FROM atlas.sync_runs "  # noqa: S608 - fixed fragments
            f"WHERE tenant_id = $1 AND user_id = $2 AND {where}",
            self._db.tenant_id,
            self._db.user_id,
            *args,
        )
        if not rows:
            return []
        streams = await self._streams([r["run_id"] for r in rows])
        return [self._run(row, streams.get(row["run_id"], ())) for row in rows]

    async def _streams(self, run_ids: list[UUID]) -> dict[UUID, tuple[StreamProgress, ...]]:
        rows = await self._db.fetch(
            """SELECT run_id, stream, pages, fetched, records_new, records_changed,
                records_deleted, errors, position, finished_at FROM atlas.sync_run_streams
            WHERE tenant_id = $1 AND user_id = $2 AND run_id = ANY($3::uuid[])
            ORDER BY run_id, stream""",
            self._db.tenant_id,
            self._db.user_id,
            run_ids,
        )
        found: dict[UUID, list[StreamProgress]] = defaultdict(list)
        for r in rows:
            values = dict(r)
            found[values.pop("run_id")].append(StreamProgress(**values))
        return {run: tuple(streams) for run, streams in found.items()}

    def _run(self, row: asyncpg.Record, streams: tuple[StreamProgress, ...]) -> SyncRun:
        values = dict(row)
        values["id"] = values.pop("run_id")
        values["trigger"] = RunTrigger(values["trigger"])
        values["status"] = RunStatus(values["status"])
        return SyncRun(
            tenant_id=self._db.tenant_id, user_id=self._db.user_id, streams=streams, **values
        )

    def _check(self, run: SyncRun) -> None:
        if (run.tenant_id, run.user_id) != (self._db.tenant_id, self._db.user_id):
            raise ScopeViolation()

    def _values(self, run: SyncRun) -> tuple[object, ...]:
        return (
            run.tenant_id, run.user_id, run.id, run.connection_id, run.provider,
            run.trigger.value, run.status.value, run.requested_at, run.started_at,
            run.finished_at, run.attempts, run.error, run.resume_at,
        )  # fmt: skip


class PostgresCheckpointRepository(CheckpointRepository):
    def __init__(self, db: SyncDb) -> None:
        self._db = db

    async def all(self, connection_id: UUID) -> dict[str, Checkpoint]:
        rows = await self._db.fetch(
            """SELECT stream, cursor, position, updated_at FROM atlas.sync_checkpoints
            WHERE tenant_id = $1 AND user_id = $2 AND connection_id = $3""",
            self._db.tenant_id,
            self._db.user_id,
            connection_id,
        )
        return {r["stream"]: Checkpoint(**dict(r)) for r in rows}

    async def save(self, connection_id: UUID, checkpoint: Checkpoint) -> None:
        await self._db.execute(
            """INSERT INTO atlas.sync_checkpoints AS c (tenant_id, user_id, connection_id,
                stream, cursor, position, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (tenant_id, connection_id, stream) DO UPDATE SET
                cursor = $5, position = $6, updated_at = $7
            WHERE c.tenant_id = $1 AND c.user_id = $2""",
            self._db.tenant_id, self._db.user_id, connection_id, checkpoint.stream,
            checkpoint.cursor, checkpoint.position, checkpoint.updated_at,
        )  # fmt: skip

    async def clear(self, connection_id: UUID) -> None:
        await self._db.execute(
            "DELETE FROM atlas.sync_checkpoints "
            "WHERE tenant_id = $1 AND user_id = $2 AND connection_id = $3",
            self._db.tenant_id,
            self._db.user_id,
            connection_id,
        )


_SCHEDULE = """SELECT connection_id, backfill_days, next_run_at, last_run_id, last_success_at,
    fence FROM atlas.sync_schedules WHERE tenant_id = $1 AND user_id = $2 AND connection_id = $3"""
_SCHEDULE_FOR_UPDATE = _SCHEDULE + " FOR UPDATE"


class PostgresScheduleRepository(ScheduleRepository):
    def __init__(self, db: SyncDb) -> None:
        self._db = db

    async def get(self, connection_id: UUID, *, for_update: bool = False) -> SyncSchedule | None:
        row = await self._db.fetch(
            _SCHEDULE_FOR_UPDATE if for_update else _SCHEDULE,
            self._db.tenant_id,
            self._db.user_id,
            connection_id,
        )
        if not row:
            return None
        return SyncSchedule(tenant_id=self._db.tenant_id, user_id=self._db.user_id, **dict(row[0]))

    async def save(self, schedule: SyncSchedule) -> None:
        if (schedule.tenant_id, schedule.user_id) != (self._db.tenant_id, self._db.user_id):
            raise ScopeViolation()
        await self._db.execute(
            """INSERT INTO atlas.sync_schedules AS s (tenant_id, user_id, connection_id,
                backfill_days, next_run_at, last_run_id, last_success_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (tenant_id, connection_id) DO UPDATE SET backfill_days = $4,
                next_run_at = $5, last_run_id = $6, last_success_at = $7
            WHERE s.tenant_id = $1 AND s.user_id = $2""",
            schedule.tenant_id, schedule.user_id, schedule.connection_id,
            schedule.backfill_days, schedule.next_run_at, schedule.last_run_id,
            schedule.last_success_at,
        )  # fmt: skip

    async def take_over(self, connection_id: UUID) -> int:
        fence: int = await self._db.fetchval(
            """INSERT INTO atlas.sync_schedules AS s (tenant_id, user_id, connection_id, fence)
            VALUES ($1, $2, $3, 1)
            ON CONFLICT (tenant_id, connection_id) DO UPDATE SET fence = s.fence + 1
            WHERE s.tenant_id = $1 AND s.user_id = $2
            RETURNING fence""",
            self._db.tenant_id,
            self._db.user_id,
            connection_id,
        )
        return fence

    async def holds(self, connection_id: UUID, fence: int) -> bool:
        # FOR SHARE: a take-over (an UPDATE of this row) waits until this page commits.
        held = await self._db.fetchval(
            """SELECT fence = $4 FROM atlas.sync_schedules
            WHERE tenant_id = $1 AND user_id = $2 AND connection_id = $3 FOR SHARE""",
            self._db.tenant_id,
            self._db.user_id,
            connection_id,
            fence,
        )
        return bool(held)

    async def due(self, connection_id: UUID, now: datetime) -> bool:
        # FOR SHARE: a run's end (which moves next_run_at, FOR UPDATE) waits until commit.
        due = await self._db.fetchval(
            """SELECT next_run_at IS NULL OR next_run_at <= $4 FROM atlas.sync_schedules
            WHERE tenant_id = $1 AND user_id = $2 AND connection_id = $3 FOR SHARE""",
            self._db.tenant_id,
            self._db.user_id,
            connection_id,
            now,
        )
        return due is None or bool(due)
