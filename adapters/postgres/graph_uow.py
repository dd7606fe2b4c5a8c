"""The graph's unit of work on PostgreSQL."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres.graph_activities import PostgresActivityRepository
from adapters.postgres.graph_bulk import PostgresBulkRecords
from adapters.postgres.graph_catalog import PostgresMergeRepository, PostgresTypeCatalog
from adapters.postgres.graph_db import GraphDb
from adapters.postgres.graph_entities import (
    PostgresEntityRepository,
    PostgresRelationshipRepository,
)
from adapters.postgres.graph_sequences import PostgresGraphVersions, PostgresSequenceRepository
from adapters.postgres.uow import PostgresUnitOfWork
from application.graph.ports import GraphUnitOfWork
from domain.shared.errors import ScopeViolation
from domain.shared.ids import UserId


class PostgresGraphUnitOfWork(PostgresUnitOfWork, GraphUnitOfWork):
    def _attach(self, session: AsyncSession) -> None:
        db = self._graph_db = GraphDb(session, self.scope.tenant_id, self.scope.user_id)
        self.entities = PostgresEntityRepository(db)
        self.relationships = PostgresRelationshipRepository(db)
        self.activities = PostgresActivityRepository(db)
        self.sequences = PostgresSequenceRepository(db)
        self.bulk = PostgresBulkRecords(db, self.sequences)
        self.types = PostgresTypeCatalog(db)
        self.merges = PostgresMergeRepository(db)
        self.versions = PostgresGraphVersions(db)

    def write_private(self, owner: UserId | None) -> None:
        if owner is not None and owner != self.scope.user_id:
            raise ScopeViolation()  # row security would refuse it too
        self._graph_db.private_to = owner
