"""Ports the integrations use cases need; adapters implement them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

from application.integrations.directory import Provider
from application.shared.actor import Actor
from application.shared.ports import UnitOfWork
from application.vault.ports import OAuthTokenRepository
from domain.integrations.connection import Connection
from domain.integrations.flow import PendingGrant
from domain.integrations.grant import TokenGrant
from domain.shared.ids import UserId
from domain.shared.secret import Secret
from domain.vault.oauth import OAuthTokens


class ConnectionRepository(Protocol):
    async def get(self, connection_id: UUID) -> Connection | None: ...

    async def all(self) -> list[Connection]:
        """The scope's user's connections, newest first."""
        ...

    async def save(self, connection: Connection) -> None:
        """Insert, or replace the stored connection of the same id."""
        ...


class PendingGrantRepository(Protocol):
    async def add(self, pending: PendingGrant) -> None: ...

    async def open_ticket(
        self, ticket_hash: bytes, binding_hash: bytes, now: datetime
    ) -> PendingGrant | None:
        """Atomically: the unused, unexpired ticket is used now and bound to this browser."""
        ...

    async def consume(
        self, state_hash: bytes, binding_hash: bytes, platform: str, now: datetime
    ) -> PendingGrant | None:
        """Atomically: the unconsumed, unexpired state of this browser and platform, used now."""
        ...

    async def find(self, state_hash: bytes) -> PendingGrant | None:
        """The state as stored, to say why ``consume`` found nothing."""
        ...

    async def forget_expired(self, before: datetime) -> int: ...


class RefreshLocks(Protocol):
    async def hold(self, connection_id: UUID, timeout_seconds: float) -> None:
        """Serialise refreshes of one connection across processes until the transaction ends.

        Raises ``RefreshBusy`` when the lock is not granted within ``timeout_seconds``.
        """
        ...


class TenantConnection(msgspec.Struct, frozen=True, kw_only=True):
    """What owners and admins see of a colleague's connection: never its records."""

    id: UUID
    user_id: UserId
    owner_name: str
    owner_email: str
    provider: str
    status: str
    shared: bool
    created_at: datetime


class ConnectionDirectory(Protocol):
    async def of_tenant(self) -> list[TenantConnection]:
        """Every connection of the scope's tenant, for an owner or an admin (the database
        checks the role too: anyone else gets none)."""
        ...


class IntegrationsUnitOfWork(UnitOfWork, Protocol):
    connections: ConnectionRepository
    pending: PendingGrantRepository
    oauth_tokens: OAuthTokenRepository
    locks: RefreshLocks
    directory: ConnectionDirectory

    async def reread(self) -> None:
        """After a lock was granted: see what others committed while we waited."""
        ...


class ProviderClient(Protocol):
    """Talks to a provider's OAuth endpoints; raises ``DeadGrant``, ``ProviderTransient`` or
    ``ProviderRefused`` (``domain.integrations.errors``), never a transport error."""

    async def exchange(
        self, provider: Provider, code: Secret[str], verifier: Secret[str] | None
    ) -> TokenGrant: ...

    async def refresh(self, provider: Provider, refresh_token: Secret[str]) -> TokenGrant: ...

    async def revoke(self, provider: Provider, tokens: OAuthTokens) -> None: ...


class FlowSealer(Protocol):
    """Seals a flow value under a secret only the caller presenting it later holds."""

    def seal(self, key: Secret[str], context: bytes, plaintext: Secret[str]) -> bytes: ...

    def open(self, key: Secret[str], context: bytes, sealed: bytes) -> Secret[str] | None:
        """None for anything that does not open: wrong key, wrong context, tampered."""
        ...


class ReauthNotices(Protocol):
    def needs_reauth(self, connection: Connection) -> None:
        """Tell the owner once that a connection must be reconnected."""
        ...


class VerifiedEmails(Protocol):
    """The identity context's answer to "has this person proven their email address?"."""

    async def require(self, actor: Actor) -> None:
        """Raise ``EmailUnverified`` (403) unless the actor's address is verified."""
        ...
