"""A connection's sync settings: how far back its first run reads (``backfill_days``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import final
from uuid import UUID

import msgspec

from application.shared.scope import Scope
from application.sync.ports import SyncUnitOfWork
from domain.integrations.errors import ConnectionNotFound
from domain.shared.errors import ScopeViolation
from domain.sync.schedule import SyncSchedule, check_backfill


@final
class ChangeSyncSettings:
    def __init__(self, uow_for: Callable[[Scope], SyncUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(
        self, scope: Scope, connection_id: UUID, *, backfill_days: int
    ) -> SyncSchedule:
        days = check_backfill(backfill_days)
        if scope.tenant_id is None or scope.user_id is None:
            raise ScopeViolation()
        async with self._uow_for(scope) as uow:
            if await uow.connections.get(connection_id) is None:
                raise ConnectionNotFound(connection_id=str(connection_id))
            schedule = await uow.schedules.get(connection_id, for_update=True) or SyncSchedule(
                tenant_id=scope.tenant_id, user_id=scope.user_id, connection_id=connection_id
            )
            changed = msgspec.structs.replace(schedule, backfill_days=days)
            if days > schedule.backfill_days:
                # Reaching further back than the streams have read: every stream starts over
                # from the new backfill (upserts make re-reading harmless). A run under way
                # loaded the old checkpoints: moving the fence stops it at its next page, and
                # the connection is due at once, so the scheduler starts the run over.
                await uow.checkpoints.clear(connection_id)
                await uow.schedules.take_over(connection_id)
                changed = msgspec.structs.replace(changed, next_run_at=None)
            await uow.schedules.save(changed)
            await uow.commit()
        return changed
