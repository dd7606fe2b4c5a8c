"""Read a user's connections, and the provider catalog as this deployment offers it."""

from __future__ import annotations

from collections.abc import Callable
from typing import final
from uuid import UUID

from application.integrations.directory import ProviderDirectory, ProviderListing
from application.integrations.ports import IntegrationsUnitOfWork, TenantConnection
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.identity.errors import RoleRequired
from domain.integrations.connection import Connection
from domain.integrations.errors import ConnectionNotFound


@final
class ListProviders:
    def __init__(self, providers: ProviderDirectory) -> None:
        self._providers = providers

    async def execute(self) -> list[ProviderListing]:
        return self._providers.listing()


@final
class ListConnections:
    def __init__(self, uow_for: Callable[[Scope], IntegrationsUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(self, actor: Actor) -> list[Connection]:
        async with self._uow_for(actor.scope) as uow:
            return await uow.connections.all()


@final
class ShowConnection:
    def __init__(self, uow_for: Callable[[Scope], IntegrationsUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(self, actor: Actor, connection_id: UUID) -> Connection:
        async with self._uow_for(actor.scope) as uow:
            connection = await uow.connections.get(connection_id)
        # Row security makes another user's connection look exactly like a missing one.
        if connection is None:
            raise ConnectionNotFound(connection_id=str(connection_id))
        return connection


@final
class ListTenantConnections:
    """Owners and admins see that a colleague's connection exists: its provider, owner,
    status and whether it is shared; never a record it brought."""

    def __init__(self, uow_for: Callable[[Scope], IntegrationsUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(self, actor: Actor) -> list[TenantConnection]:
        if not actor.manages_members:
            raise RoleRequired()
        async with self._uow_for(actor.scope) as uow:
            return await uow.directory.of_tenant()
