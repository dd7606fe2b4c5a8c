"""In-memory integrations: connections, pending authorizations, refresh locks, a provider."""

from __future__ import annotations

import asyncio
import secrets
import weakref
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from uuid import UUID

import msgspec

from adapters.fakes.feed import FakeEventOutbox
from adapters.fakes.store import IdentityTables, InMemoryStore, Tables
from adapters.fakes.uow import FakeUnitOfWork
from adapters.fakes.vault import FakeOAuthTokenRepository, VaultTables
from application.integrations.directory import Provider
from application.integrations.ports import (
    ConnectionDirectory,
    ConnectionRepository,
    IntegrationsUnitOfWork,
    PendingGrantRepository,
    ProviderClient,
    ReauthNotices,
    RefreshLocks,
    TenantConnection,
)
from application.shared.scope import Scope
from domain.integrations.connection import Connection
from domain.integrations.errors import DeadGrant, ProviderRefused, RefreshBusy
from domain.integrations.flow import PendingGrant
from domain.integrations.grant import TokenGrant
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId
from domain.shared.secret import Secret
from domain.vault.oauth import OAuthTokens

Key = tuple[TenantId, UUID]


@dataclass
class IntegrationsTables:
    connections: dict[Key, Connection] = field(default_factory=dict)
    pending: dict[Key, PendingGrant] = field(default_factory=dict)


class _Private:
    """Rows private to one user of one tenant, as the policies on ``user_id`` make them."""

    def __init__(self, tables: IntegrationsTables, scope: Scope) -> None:
        self._t, self._scope = tables, scope

    def _visible(self, row: Connection | PendingGrant) -> bool:
        return (row.tenant_id, row.user_id) == (self._scope.tenant_id, self._scope.user_id)

    def _check(self, row: Connection | PendingGrant) -> None:
        if not self._visible(row):  # WITH CHECK
            raise ScopeViolation()


class FakeConnectionRepository(_Private, ConnectionRepository):
    async def get(self, connection_id: UUID) -> Connection | None:
        row = self._t.connections.get((self._scope.tenant_id, connection_id))  # type: ignore[arg-type]
        return row if row is not None and self._visible(row) else None

    async def all(self) -> list[Connection]:
        mine = [c for c in self._t.connections.values() if self._visible(c)]
        return sorted(mine, key=lambda c: (-c.created_at.timestamp(), c.id))

    async def save(self, connection: Connection) -> None:
        self._check(connection)
        self._t.connections[(connection.tenant_id, connection.id)] = connection


class FakePendingGrantRepository(_Private, PendingGrantRepository):
    def _mine(self) -> list[PendingGrant]:
        return [p for p in self._t.pending.values() if self._visible(p)]

    async def add(self, pending: PendingGrant) -> None:
        self._check(pending)
        self._t.pending[(pending.tenant_id, pending.id)] = pending

    def _replace(self, pending: PendingGrant, **changes: object) -> PendingGrant:
        updated: PendingGrant = msgspec.structs.replace(pending, **changes)
        self._t.pending[(pending.tenant_id, pending.id)] = updated
        return updated

    async def open_ticket(
        self, ticket_hash: bytes, binding_hash: bytes, now: datetime
    ) -> PendingGrant | None:
        for p in self._mine():
            usable = p.ticket_used_at is None and p.consumed_at is None
            if p.ticket_hash == ticket_hash and usable and p.ticket_expires_at > now:
                return self._replace(p, ticket_used_at=now, binding_hash=binding_hash)
        return None

    async def consume(
        self, state_hash: bytes, binding_hash: bytes, platform: str, now: datetime
    ) -> PendingGrant | None:
        for p in self._mine():
            ours = p.binding_hash == binding_hash and p.platform == platform
            if p.state_hash == state_hash and ours and p.consumed_at is None and p.expires_at > now:
                return self._replace(p, consumed_at=now)
        return None

    async def find(self, state_hash: bytes) -> PendingGrant | None:
        return next((p for p in self._mine() if p.state_hash == state_hash), None)

    async def forget_expired(self, before: datetime) -> int:
        gone = [p for p in self._mine() if p.expires_at < before]
        for p in gone:
            del self._t.pending[(p.tenant_id, p.id)]
        return len(gone)


_LOCKS: weakref.WeakKeyDictionary[InMemoryStore, dict[Key, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


class FakeRefreshLocks(RefreshLocks):
    def __init__(self, uow: FakeIntegrationsUnitOfWork) -> None:
        self._uow = uow

    async def hold(self, connection_id: UUID, timeout_seconds: float) -> None:
        await self._uow.lock(connection_id, timeout_seconds)


class FakeConnectionDirectory(ConnectionDirectory):
    """``tenant_connections()``: the tenant's connections, for an owner or an admin only."""

    def __init__(self, tables: Tables, scope: Scope) -> None:
        self._tables, self._scope = tables, scope

    async def of_tenant(self) -> list[TenantConnection]:
        identity, tenant = self._tables.of(IdentityTables), self._scope.tenant_id
        me = identity.memberships.get((tenant, self._scope.user_id))  # type: ignore[arg-type]
        if tenant is None or me is None or not me.role.manages_members:
            return []
        found = [
            TenantConnection(
                id=c.id,
                user_id=c.user_id,
                owner_name=identity.users[c.user_id].name,
                owner_email=identity.users[c.user_id].email,
                provider=c.provider,
                status=c.status.value,
                shared=c.shared,
                created_at=c.created_at,
            )
            for (t, _), c in self._tables.of(IntegrationsTables).connections.items()
            if t == tenant and c.user_id in identity.users
        ]
        return sorted(found, key=lambda c: (c.created_at, c.id))


class FakeIntegrationsUnitOfWork(FakeUnitOfWork, IntegrationsUnitOfWork):
    """Locks are per store and held until the unit of work ends, like a row lock."""

    def __init__(self, store: InMemoryStore, scope: Scope) -> None:
        super().__init__(store, scope)
        self._held: list[asyncio.Lock] = []

    def _attach(self, tables: Tables) -> None:
        self.connections = FakeConnectionRepository(tables.of(IntegrationsTables), self.scope)
        self.directory = FakeConnectionDirectory(tables, self.scope)
        self.pending = FakePendingGrantRepository(tables.of(IntegrationsTables), self.scope)
        self.oauth_tokens = FakeOAuthTokenRepository(tables.of(VaultTables), self.scope)
        self.locks = FakeRefreshLocks(self)

    async def lock(self, connection_id: UUID, timeout_seconds: float) -> None:
        if self.scope.tenant_id is None:
            raise ScopeViolation()
        locks = _LOCKS.setdefault(self._store, {})
        lock = locks.setdefault((self.scope.tenant_id, connection_id), asyncio.Lock())
        try:
            await asyncio.wait_for(lock.acquire(), timeout_seconds)
        except TimeoutError:
            raise RefreshBusy(retry_after=1) from None
        self._held.append(lock)

    async def reread(self) -> None:
        # A snapshot taken before the lock was granted would miss the winner's commit.
        pending = self.events.pending
        self.tables = self._store.begin()
        self._events = FakeEventOutbox(self.tables, self.scope.tenant_id)
        self._events.pending = pending
        self._attach(self.tables)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        while self._held:
            self._held.pop().release()


class FakeProvider(ProviderClient):
    """A provider's token endpoint in memory: codes, refresh tokens, rotation, failures."""

    def __init__(self, *, rotate: bool = False, expires_in: int | None = 3600) -> None:
        self.rotate, self.expires_in = rotate, expires_in
        self.codes: dict[str, tuple[str, ...]] = {}  # code -> scopes it grants
        self.refresh_tokens: set[str] = set()
        self.calls: Counter[str] = Counter()
        self.fail_with: Exception | None = None  # raised by the next refreshes until cleared
        self.revoked: list[str] = []
        self.gate: asyncio.Event | None = None  # a refresh waits here when set

    def authorize(self, scopes: tuple[str, ...]) -> str:
        code = secrets.token_urlsafe(16)
        self.codes[code] = scopes
        return code

    def grant(self, scopes: tuple[str, ...] = ()) -> TokenGrant:
        refresh = "refresh-" + secrets.token_urlsafe(16)
        self.refresh_tokens.add(refresh)
        return TokenGrant(
            access_token=Secret("access-" + secrets.token_urlsafe(16)),
            refresh_token=Secret(refresh),
            expires_in=self.expires_in,
            scopes=scopes or None,
        )

    async def exchange(
        self, provider: Provider, code: Secret[str], verifier: Secret[str] | None
    ) -> TokenGrant:
        self.calls["exchange"] += 1
        scopes = self.codes.pop(code.reveal(), None)
        if scopes is None:
            raise ProviderRefused("invalid_grant")
        return self.grant(scopes)

    async def refresh(self, provider: Provider, refresh_token: Secret[str]) -> TokenGrant:
        self.calls["refresh"] += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_with is not None:
            raise self.fail_with
        if refresh_token.reveal() not in self.refresh_tokens:
            raise DeadGrant("invalid_grant")
        if not self.rotate:
            grant = self.grant()
            self.refresh_tokens.discard(grant.refresh_token.reveal())  # type: ignore[union-attr]
            return TokenGrant(access_token=grant.access_token, expires_in=self.expires_in)
        self.refresh_tokens.discard(refresh_token.reveal())  # single-use
        return self.grant()

    async def revoke(self, provider: Provider, tokens: OAuthTokens) -> None:
        self.calls["revoke"] += 1
        if tokens.refresh_token is not None:
            self.refresh_tokens.discard(tokens.refresh_token.reveal())
        self.revoked.append(provider.key)


class RecordingReauthNotices(ReauthNotices):
    def __init__(self) -> None:
        self.sent: list[UUID] = []

    def needs_reauth(self, connection: Connection) -> None:
        self.sent.append(connection.id)
