"""A connector's view of its connection: the access token, and what the graph already holds."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from application.graph.ports import GraphPurgeUnitOfWork
from application.integrations.connection_tokens import AccessGrant, ConnectionTokens
from application.shared.scope import Scope
from application.sync.ports import AccessSource, KnownRecords
from domain.integrations.errors import RefreshBusy, RefreshUnavailable
from domain.shared.secret import Secret
from domain.sync.errors import SourceUnavailable


class ConnectionAccess(AccessSource):
    """Tokens through ``ConnectionTokens``: refreshed single-flight, renewed once per 401."""

    def __init__(self, tokens: ConnectionTokens, scope: Scope, connection_id: UUID) -> None:
        self._tokens, self._scope, self._id = tokens, scope, connection_id

    async def token(self, rejected: Secret[str] | None = None) -> AccessGrant:
        try:
            if rejected is None:
                return await self._tokens.access_token(self._scope, self._id)
            return await self._tokens.renew(self._scope, self._id, rejected)
        except (RefreshUnavailable, RefreshBusy) as cooling:
            # The refresh is cooling down (or another process holds it): the sync comes back.
            raise SourceUnavailable("token_refresh", retry_after=cooling.retry_after) from None


class GraphKnownRecords(KnownRecords):
    """Reads in a short transaction of its own: never while a provider call is in flight."""

    def __init__(
        self, uow_for: Callable[[Scope], GraphPurgeUnitOfWork], scope: Scope, source_scope: str
    ) -> None:
        self._uow_for, self._scope, self._source_scope = uow_for, scope, source_scope

    async def entity_ids(self, entity_type: str) -> set[str]:
        async with self._uow_for(self._scope) as uow:
            return await uow.scoped.source_ids(self._source_scope, entity_type=entity_type)

    async def activity_ids(self, source_id_prefix: str) -> set[str]:
        async with self._uow_for(self._scope) as uow:
            return await uow.scoped.activity_source_ids(self._source_scope, prefix=source_id_prefix)
