"""Purge one source scope: every entity and activity it brought, as if it had never come.

Used when a connection is disconnected with ``purge``; the work is ``forget``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import final

from application.graph.forget import ForgetSummary, forget
from application.graph.ports import GraphPurgeUnitOfWork
from application.shared.scope import Scope
from domain.compliance.audit import AuditAction, AuditEntry
from domain.feed.events import FeedEvent
from domain.shared.errors import ScopeViolation
from domain.shared.ids import UserId

PurgeSummary = ForgetSummary


@final
class PurgeSourceScope:
    def __init__(self, uow_for: Callable[[Scope], GraphPurgeUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(
        self, scope: Scope, source_scope: str, *, private_to: UserId | None = None
    ) -> PurgeSummary:
        """``private_to``: the records were that member's alone (their unshared personal
        source), and so is the news that they are gone."""
        if scope.tenant_id is None:
            raise ScopeViolation()
        async with self._uow_for(scope) as uow:
            revision = await uow.versions.begin_ingest()  # one writer per tenant
            entities = await uow.scoped.entities_of(source_scope)
            activities = await uow.scoped.activities_of(source_scope)
            if not entities and not activities:
                return PurgeSummary()
            summary = await forget(uow, entities, activities, revision)
            uow.events.announce(FeedEvent.graph_changed(revision, None, private_to))
            uow.audit.record(AuditEntry(
                action=AuditAction.CONNECTION_PURGED, target_type="source_scope",
                target_id=source_scope[:200],
                details={"entities": str(len(entities)), "activities": str(len(activities))},
            ))  # fmt: skip
            await uow.commit()
        return summary
