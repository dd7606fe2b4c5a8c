"""Disconnect: give the grant back at the provider where it can be, delete the sealed tokens,
mark the connection revoked; with ``purge`` also delete the graph records it brought."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import final
from uuid import UUID

import msgspec

from application.feed import announce
from application.graph.purge_scope import PurgeSourceScope, PurgeSummary
from application.integrations.directory import ProviderDirectory
from application.integrations.ports import IntegrationsUnitOfWork, ProviderClient
from application.shared.actor import Actor
from application.shared.ports import Clock
from application.shared.scope import Scope
from application.vault.oauth_tokens import open_tokens
from application.vault.ports import Vault
from domain.compliance.audit import AuditAction, AuditEntry
from domain.integrations.connection import Connection
from domain.integrations.errors import ConnectionNotFound, ProviderCallFailed
from domain.shared.errors import DomainError
from domain.vault.errors import CredentialUnreadable
from domain.vault.oauth import SealedOAuthTokens

log = logging.getLogger("atlas.integrations")


class Disconnected(msgspec.Struct, frozen=True, kw_only=True):
    connection: Connection
    purged: PurgeSummary | None = None


@final
class DisconnectConnection:
    def __init__(
        self,
        *,
        uow_for: Callable[[Scope], IntegrationsUnitOfWork],
        providers: ProviderDirectory,
        client: ProviderClient,
        vault: Vault,
        purge: PurgeSourceScope,
        clock: Clock,
        lock_timeout_seconds: float = 30.0,  # as RefreshPolicy's: a refresh ends before it
    ) -> None:
        self._uow_for, self._providers, self._client = uow_for, providers, client
        self._vault, self._purge, self._clock = vault, purge, clock
        self._lock_timeout = lock_timeout_seconds

    async def execute(self, actor: Actor, connection_id: UUID, *, purge: bool) -> Disconnected:
        return await self.in_scope(actor.scope, connection_id, purge=purge)

    async def in_scope(self, scope: Scope, connection_id: UUID, *, purge: bool) -> Disconnected:
        """The connection owner's scope: a member's own request, or their departure."""
        async with self._uow_for(scope) as uow:
            connection = await uow.connections.get(connection_id)
            sealed = await uow.oauth_tokens.get(connection_id)
        if connection is None:
            raise ConnectionNotFound(connection_id=str(connection_id))
        revocation = connection.revocation or "no_tokens"
        if sealed is not None:
            revocation = await self._give_back(connection, sealed)
        async with self._uow_for(scope) as uow:
            # Lock order: the connection's row, then its token row, as a refresh takes them
            # (ConnectionTokens); a refresh in flight finishes first (its provider call has a
            # deadline shorter than this wait), one that comes after finds no tokens.
            await uow.locks.hold(connection_id, self._lock_timeout)
            # Deleted whatever the provider said: a failed revocation never keeps tokens here.
            await uow.oauth_tokens.remove(connection_id)
            current = await uow.connections.get(connection_id) or connection
            connection = current.revoked(self._clock.now(), revocation)
            await uow.connections.save(connection)
            uow.events.announce(announce.connection_status(connection))
            uow.audit.record(AuditEntry(
                action=AuditAction.CONNECTION_DISCONNECTED, target_type="connection",
                target_id=str(connection_id),
                details={"provider": connection.provider, "revocation": revocation[:100]},
            ))  # fmt: skip
            await uow.commit()
        purged = None
        if purge:  # its own transaction: a failure here is retried by disconnecting again
            purged = await self._purge.execute(
                scope, str(connection_id), private_to=connection.private_to()
            )
        return Disconnected(connection=connection, purged=purged)

    async def _give_back(self, connection: Connection, sealed: SealedOAuthTokens) -> str:
        spec = self._providers.spec(connection.provider)
        if spec.revocation is None:
            return "unsupported"
        try:
            tokens = await open_tokens(self._vault, sealed)
        except CredentialUnreadable:
            return "failed:credential_unreadable"
        try:
            provider = self._providers.resolve(connection.provider, connection.subdomain)
            await self._client.revoke(provider, tokens)
        except ProviderCallFailed as error:
            log.warning("revocation at %s failed: %s", connection.provider, error.reason)
            return f"failed:{error.reason}"[:200]
        except DomainError as error:  # e.g. the platform's client was removed from settings
            log.warning("revocation at %s impossible: %s", connection.provider, error.code)
            return "failed:not_configured"
        return "revoked"
