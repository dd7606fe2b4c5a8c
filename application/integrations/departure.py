"""A member leaves the tenant: their grants go back to the providers, their personal records
(their own mailbox's and calendar's) leave with them.

Records of the company's shared systems (CRM, help desk, tracker, Slack) stay: they are the
company's, not the member's. Their connections are revoked all the same, so no grant outlives
the membership; an admin connects the system again to keep it in sync.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import final

from application.graph.purge_scope import PurgeSourceScope
from application.identity.ports import MemberDeparture
from application.integrations.disconnect import DisconnectConnection
from application.integrations.ports import IntegrationsUnitOfWork
from application.shared.scope import Scope
from domain.integrations.connection import ConnectionStatus
from domain.shared.ids import TenantId, UserId

log = logging.getLogger("atlas.integrations")


@final
class ReleaseMemberConnections(MemberDeparture):
    def __init__(
        self,
        *,
        uow_for: Callable[[Scope], IntegrationsUnitOfWork],
        disconnect: DisconnectConnection,
        purge: PurgeSourceScope,
    ) -> None:
        self._uow_for = uow_for
        self._disconnect, self._purge = disconnect, purge

    async def release(self, tenant_id: TenantId, user_id: UserId) -> list[str]:
        scope = Scope(tenant_id=tenant_id, user_id=user_id)
        async with self._uow_for(scope) as uow:
            connections = await uow.connections.all()
        purged: list[str] = []
        for connection in connections:
            personal = connection.personal
            if connection.status is not ConnectionStatus.REVOKED:
                await self._disconnect.in_scope(scope, connection.id, purge=personal)
            elif personal:  # revoked earlier without a purge: its records go now
                await self._purge.execute(
                    scope, str(connection.id), private_to=connection.private_to()
                )
            if personal:
                purged.append(str(connection.id))
        if connections:
            log.info(
                "member leaving: %d connection(s) given back, %d personal purged",
                len(connections),
                len(purged),
            )
        return purged

    async def sweep(self, tenant_id: TenantId, user_id: UserId, source_scopes: list[str]) -> None:
        scope = Scope(tenant_id=tenant_id, user_id=user_id)
        for source_scope in source_scopes:
            await self._purge.execute(scope, source_scope)
