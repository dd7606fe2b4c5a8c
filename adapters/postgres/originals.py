"""PostgreSQL side of originals on demand: the graph's unit of work with the retrieval audit."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres.graph_db import GraphDb
from adapters.postgres.graph_uow import PostgresGraphUnitOfWork
from application.graph.original_ports import OriginalsUnitOfWork, RetrievalLog
from domain.graph.model import SourceRef
from domain.graph.originals import Retrieval, RetrievalOutcome
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId, UserId

_ADD = """INSERT INTO atlas.original_retrievals (tenant_id, retrieval_id, user_id, record_kind,
    record_id, provider, scope, source_id, outcome, retrieved_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"""
_OF_RECORD = """SELECT * FROM atlas.original_retrievals WHERE tenant_id = $1 AND record_id = $2
    AND user_id = $3 ORDER BY retrieved_at, retrieval_id"""


class PostgresRetrievalLog(RetrievalLog):
    def __init__(self, db: GraphDb) -> None:
        self._db = db

    async def add(self, retrieval: Retrieval) -> None:
        ref = retrieval.ref
        if (retrieval.tenant_id, retrieval.user_id) != self._db.seen:
            raise ScopeViolation()  # a retrieval is private to the member who retrieved
        await self._db.execute(
            _ADD,
            self._db.tenant_id,
            retrieval.id,
            retrieval.user_id,
            retrieval.record_kind,
            retrieval.record_id,
            ref.provider,
            ref.scope,
            ref.source_id,
            retrieval.outcome.value,
            retrieval.retrieved_at,
        )

    async def of_record(self, record_id: UUID) -> list[Retrieval]:
        tenant, user = self._db.seen
        rows = await self._db.fetch(_OF_RECORD, tenant, record_id, user)
        return [
            Retrieval(
                id=r["retrieval_id"],
                tenant_id=TenantId(r["tenant_id"]),
                user_id=UserId(r["user_id"]),
                record_kind=r["record_kind"],
                record_id=r["record_id"],
                ref=SourceRef(provider=r["provider"], scope=r["scope"], source_id=r["source_id"]),
                outcome=RetrievalOutcome(r["outcome"]),
                retrieved_at=r["retrieved_at"],
            )
            for r in rows
        ]


class PostgresOriginalsUnitOfWork(PostgresGraphUnitOfWork, OriginalsUnitOfWork):
    def _attach(self, session: AsyncSession) -> None:
        super()._attach(session)
        db = GraphDb(session, self.scope.tenant_id, self.scope.user_id)
        self.retrievals = PostgresRetrievalLog(db)
