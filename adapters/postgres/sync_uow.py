"""The sync unit of work on PostgreSQL: the graph and the sync tables in one transaction, and
the census of due connections."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.postgres.graph_db import GraphDb
from adapters.postgres.graph_purge import PostgresGraphPurgeUnitOfWork
from adapters.postgres.integrations import PostgresConnectionRepository
from adapters.postgres.jobs import PgQueuerJobQueue
from adapters.postgres.sync import (
    PostgresCheckpointRepository,
    PostgresScheduleRepository,
    PostgresSyncRunRepository,
    SyncDb,
)
from adapters.postgres.uow import PostgresUnitOfWork
from application.shared.scope import Scope
from application.sync.ports import ConnectionScope, SyncCensus, SyncUnitOfWork
from domain.shared.ids import TenantId, UserId


class PostgresSyncUnitOfWork(PostgresGraphPurgeUnitOfWork, SyncUnitOfWork):
    def _attach(self, session: AsyncSession) -> None:
        super()._attach(session)
        db = SyncDb(session, self.scope.tenant_id, self.scope.user_id)
        self.connections = PostgresConnectionRepository(session)
        self.runs = PostgresSyncRunRepository(db)
        self.checkpoints = PostgresCheckpointRepository(db)
        self.schedules = PostgresScheduleRepository(db)
        self.jobs = PgQueuerJobQueue(GraphDb(session, self.scope.tenant_id))


class PostgresSyncCensus(SyncCensus):
    """Through ``sync_due_connections``: across tenants, ids only, in no tenant's scope."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def due(self, now: datetime, limit: int) -> list[ConnectionScope]:
        return await self._ask(
            "SELECT tenant_id, user_id, connection_id FROM atlas.sync_due_connections($1, $2)",
            now,
            limit,
        )

    async def scopes(self, connection_id: UUID | None) -> list[ConnectionScope]:
        return await self._ask(
            "SELECT tenant_id, user_id, connection_id FROM atlas.sync_connection_scopes($1)",
            connection_id,
        )

    async def _ask(self, query: str, *args: object) -> list[ConnectionScope]:
        async with PostgresUnitOfWork(self._sessions, Scope.ANONYMOUS) as uow:
            rows = await GraphDb(uow.session, None).fetch(query, *args)
        return [
            ConnectionScope(
                tenant_id=TenantId(r["tenant_id"]),
                user_id=UserId(r["user_id"]),
                connection_id=r["connection_id"],
            )
            for r in rows
        ]
