"""The scheduler's tick: every active connection whose next sync is due gets a run.

Runs on a cron job (one worker at a time across the fleet). The census crosses tenants but
returns ids only; each request then runs in the connection owner's own scope.
"""

from __future__ import annotations

import logging
from typing import final

from application.shared.ports import Clock
from application.shared.scope import Scope
from application.sync.ports import SyncCensus
from application.sync.request_sync import RequestSync
from domain.compliance.tenant_deletion import TenantPendingDeletion
from domain.integrations.errors import ConnectionNotFound
from domain.sync.errors import ConnectionNotSyncable

log = logging.getLogger("atlas.sync")


@final
class ScheduleDueSyncs:
    def __init__(
        self, census: SyncCensus, request: RequestSync, clock: Clock, batch: int = 500
    ) -> None:
        self._census, self._request, self._clock, self._batch = census, request, clock, batch

    async def execute(self) -> int:
        """Runs requested (new ones, and active ones whose job had gone missing)."""
        requested = 0
        for due in await self._census.due(self._clock.now(), self._batch):
            scope = Scope(tenant_id=due.tenant_id, user_id=due.user_id)
            try:
                outcome = await self._request.when_due(scope, due.connection_id)
            except (ConnectionNotFound, ConnectionNotSyncable, TenantPendingDeletion):
                continue  # disconnected, dead, or its tenant pending deletion since the census
            requested += outcome is not None and outcome.created
        if requested:
            log.info("scheduled %d sync run(s)", requested)
        return requested
