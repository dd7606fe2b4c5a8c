"""Ingest one batch of graph records for a tenant, idempotently, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import final

from application.graph.ports import GraphUnitOfWork
from application.graph.writer import GraphWriter, IngestSummary
from application.shared.ports import Clock
from application.shared.scope import Scope
from domain.graph.model import GraphBatch
from domain.shared.errors import ScopeViolation


@final
class IngestGraph:
    def __init__(self, uow_for: Callable[[Scope], GraphUnitOfWork], clock: Clock) -> None:
        self._uow_for, self._clock = uow_for, clock

    async def execute(self, scope: Scope, batch: GraphBatch) -> IngestSummary:
        if scope.tenant_id is None:
            raise ScopeViolation()
        async with self._uow_for(scope) as uow:
            summary = await GraphWriter(uow, scope.tenant_id, self._clock).write(batch)
            await uow.commit()
        return summary
