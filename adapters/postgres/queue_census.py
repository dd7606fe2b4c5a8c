"""How the job queue and the syncs stand, for the operators' metrics: per kind of job, how many
wait and how long the oldest ready one has waited (the queue is global: the app role reads it
directly); per provider, how stale the stalest active connection is (through a census function
that answers aggregates only)."""

from __future__ import annotations

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.postgres.jobs_schema import JOBS_SCHEMA
from adapters.postgres.uow import PostgresUnitOfWork
from application.shared.scope import Scope

# Ready: its execute_after has passed (a job handed back for later is not late before then).
_CENSUS = text(f"""
    SELECT entrypoint,
           count(*) FILTER (WHERE status = 'queued') AS queued,
           count(*) FILTER (WHERE status = 'picked') AS running,
           coalesce(extract(epoch FROM now() - min(execute_after)
               FILTER (WHERE status = 'queued' AND execute_after <= now())), 0) AS oldest
    FROM {JOBS_SCHEMA}.pgqueuer
    GROUP BY entrypoint
""")  # noqa: S608 - a constant schema name, no input


class QueueKind(msgspec.Struct, frozen=True, kw_only=True):
    kind: str  # PgQueuer's entrypoint: sync, imports, …
    queued: int
    running: int
    oldest_ready_seconds: float


class ProviderFreshness(msgspec.Struct, frozen=True, kw_only=True):
    provider: str
    connections: int  # active ones
    stalest_seconds: float  # since the stalest one's last successful sync (or its creation)


_FRESHNESS = text(
    "SELECT provider, connections, stalest_seconds FROM atlas.sync_freshness()"
)  # across tenants by design: aggregates per provider only (migration 0019)


class PostgresQueueCensus:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def kinds(self) -> list[QueueKind]:
        # The anonymous scope: the queue names no tenant, and every statement still has one.
        async with PostgresUnitOfWork(self._sessions, Scope.ANONYMOUS) as uow:
            rows = (await uow.session.execute(_CENSUS)).all()
        return [
            QueueKind(kind=r[0], queued=r[1], running=r[2], oldest_ready_seconds=float(r[3]))
            for r in rows
        ]

    async def freshness(self) -> list[ProviderFreshness]:
        async with PostgresUnitOfWork(self._sessions, Scope.ANONYMOUS) as uow:
            rows = (await uow.session.execute(_FRESHNESS)).all()
        return [ProviderFreshness(provider=r[0], connections=r[1], stalest_seconds=float(r[2] or 0))
                for r in rows]  # fmt: skip
