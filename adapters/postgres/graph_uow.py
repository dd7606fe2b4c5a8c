"""The graph's unit of work on PostgreSQL."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres.graph_activities import (
    PostgresActivityRepository,
    PostgresGraphVersions,
    PostgresSequenceRepository,
)
from adapters.postgres.graph_bulk import PostgresBulkRecords
from adapters.postgres.graph_db import GraphDb
from adapters.postgres.graph_entities import (
    PostgresEntityRepository,
    PostgresMergeRepository,
    PostgresRelationshipRepository,
    PostgresTypeCatalog,
)
from adapters.postgres.uow import PostgresUnitOfWork
from application.graph.ports import GraphUnitOfWork


class PostgresGraphUnitOfWork(PostgresUnitOfWork, GraphUnitOfWork):
    def _attach(self, session: AsyncSession) -> None:
        db = GraphDb(session, self.scope.tenant_id)
        self.entities = PostgresEntityRepository(db)
        self.relationships = PostgresRelationshipRepository(db)
        self.activities = PostgresActivityRepository(db)
        self.sequences = PostgresSequenceRepository(db)
        self.bulk = PostgresBulkRecords(db, self.sequences)
        self.types = PostgresTypeCatalog(db)
        self.merges = PostgresMergeRepository(db)
        self.versions = PostgresGraphVersions(db)
