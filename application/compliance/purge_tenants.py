"""The purge job: every tenant past its grace loses its provider grants, then every row.

Runs daily on the job queue (one worker at a time across the fleet) and on demand from
``atlas tenants purge-due``. Safe to kill at any point and run again: a connection already
disconnected has no tokens left to give back, and the rows go in one transaction that also
writes the record kept in ``tenant_deletions``.

A provider that cannot take its grant back (down, or refusing) gets one attempt within the
provider client's deadline: the outcome is counted in the record and the sealed tokens are
deleted anyway, so nothing that could reach the provider survives the purge. Retrying would
mean keeping tokens past the grace the customer was promised.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import final

from application.compliance.tenant_deletion_ports import PurgeCensus, TenantDeletionUnitOfWork
from application.integrations.disconnect import DisconnectConnection
from application.shared.ports import Clock
from application.shared.scope import Scope
from domain.compliance.tenant_deletion import PurgeReport, TenantNotDue
from domain.integrations.errors import ConnectionNotFound
from domain.shared.ids import TenantId

log = logging.getLogger("atlas.compliance")


@final
class PurgeTenants:
    def __init__(
        self,
        *,
        census: PurgeCensus,
        uow_for: Callable[[Scope], TenantDeletionUnitOfWork],
        disconnect: DisconnectConnection,
        clock: Clock,
        batch: int = 20,
    ) -> None:
        self._census, self._uow_for, self._disconnect = census, uow_for, disconnect
        self._clock, self._batch = clock, batch

    async def execute(self) -> list[PurgeReport]:
        """Purge every tenant that is due now; the ones purged, with what they lost."""
        reports = []
        for tenant_id in await self._census.due(self._clock.now(), self._batch):
            try:
                report = await self.purge(tenant_id)
            except TenantNotDue:
                continue  # restored since the census, or the database's clock disagrees
            if report is not None:
                log.info(
                    "tenant %s purged: %d row(s)", tenant_id, sum(report.rows_removed.values())
                )
                reports.append(report)
        return reports

    async def purge(self, tenant_id: TenantId) -> PurgeReport | None:
        revocations = await self._give_grants_back(tenant_id)
        scope = Scope(tenant_id=tenant_id, user_id=None).despite_pending_deletion()
        async with self._uow_for(scope) as uow:
            report = await uow.deletions.purge(
                tenant_id, at=self._clock.now(), revocations=revocations
            )
            await uow.commit()
        return report

    async def _give_grants_back(self, tenant_id: TenantId) -> dict[str, int]:
        outcomes: Counter[str] = Counter()
        for owner in await self._census.connections(tenant_id):
            scope = Scope(tenant_id=tenant_id, user_id=owner.user_id).despite_pending_deletion()
            try:
                done = await self._disconnect.in_scope(scope, owner.connection_id, purge=False)
            except ConnectionNotFound:
                continue
            connection = done.connection
            outcomes[f"{connection.provider}:{connection.revocation or 'none'}"] += 1
        return dict(outcomes)
