"""PostgreSQL repositories of the integrations: connections, pending authorizations, locks."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres import integrations_tables as t
from adapters.postgres.errors import execute, sqlstate, translate
from adapters.postgres.scoped import bound, of_user, own_user
from adapters.postgres.uow import PostgresUnitOfWork
from adapters.postgres.vault import PostgresOAuthTokenRepository
from application.integrations.ports import (
    ConnectionDirectory,
    ConnectionRepository,
    IntegrationsUnitOfWork,
    PendingGrantRepository,
    RefreshLocks,
    TenantConnection,
)
from domain.integrations.connection import Connection, ConnectionStatus
from domain.integrations.errors import RefreshBusy
from domain.integrations.flow import PendingGrant
from domain.shared.ids import TenantId, UserId

LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout expired


class PostgresConnectionRepository(ConnectionRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, connection_id: UUID) -> Connection | None:
        c = t.connections.c
        query = select(t.connections).where(
            c.connection_id == connection_id, of_user(self._session, t.connections)
        )
        row = (await execute(self._session, query)).first()
        return _connection(row) if row is not None else None

    async def all(self) -> list[Connection]:
        c = t.connections.c
        query = (
            select(t.connections)
            .where(of_user(self._session, t.connections))
            .order_by(c.created_at.desc(), c.connection_id)
        )
        return [_connection(row) for row in await execute(self._session, query)]

    async def save(self, connection: Connection) -> None:
        own_user(self._session, connection.tenant_id, connection.user_id)
        values = msgspec.structs.asdict(connection)
        values["connection_id"] = values.pop("id")
        values["status"] = connection.status.value
        values["scopes_requested"] = list(connection.scopes_requested)
        values["scopes_granted"] = list(connection.scopes_granted)
        statement = insert(t.connections).values(values)
        changed = {k: statement.excluded[k] for k in values if k not in _KEY}
        await execute(
            self._session,
            statement.on_conflict_do_update(
                # The row it would replace must be the scope user's too: nobody else's by id.
                index_elements=list(_KEY),
                set_=changed,
                where=of_user(self._session, t.connections),
            ),
        )


_KEY = ("tenant_id", "connection_id")


def _connection(row: Any) -> Connection:
    values = dict(row._mapping)
    values["id"] = values.pop("connection_id")
    values["tenant_id"] = TenantId(values["tenant_id"])
    values["user_id"] = UserId(values["user_id"])
    values["status"] = ConnectionStatus(values["status"])
    values["scopes_requested"] = tuple(values["scopes_requested"])
    values["scopes_granted"] = tuple(values["scopes_granted"])
    return Connection(**values)


class PostgresPendingGrantRepository(PendingGrantRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, pending: PendingGrant) -> None:
        own_user(self._session, pending.tenant_id, pending.user_id)
        values = msgspec.structs.asdict(pending)
        values["state_id"] = values.pop("id")
        values["scopes"] = list(pending.scopes)
        await execute(self._session, insert(t.oauth_states).values(values))

    async def open_ticket(
        self, ticket_hash: bytes, binding_hash: bytes, now: datetime
    ) -> PendingGrant | None:
        c = t.oauth_states.c
        statement = (
            update(t.oauth_states)
            .where(
                c.ticket_hash == ticket_hash,
                c.ticket_used_at.is_(None),
                c.consumed_at.is_(None),
                c.ticket_expires_at > now,
                of_user(self._session, t.oauth_states),
            )
            .values(ticket_used_at=now, binding_hash=binding_hash)
            .returning(t.oauth_states)
        )
        row = (await execute(self._session, statement)).first()
        return _pending(row) if row is not None else None

    async def consume(
        self, state_hash: bytes, binding_hash: bytes, platform: str, now: datetime
    ) -> PendingGrant | None:
        # The single-use decision is this one statement (R7.2): of two callbacks racing with
        # the same state, exactly one gets a row back.
        c = t.oauth_states.c
        statement = (
            update(t.oauth_states)
            .where(
                c.state_hash == state_hash,
                c.consumed_at.is_(None),
                c.expires_at > now,
                c.binding_hash == binding_hash,
                c.platform == platform,
                of_user(self._session, t.oauth_states),
            )
            .values(consumed_at=now)
            .returning(t.oauth_states)
        )
        row = (await execute(self._session, statement)).first()
        return _pending(row) if row is not None else None

    async def find(self, state_hash: bytes) -> PendingGrant | None:
        c = t.oauth_states.c
        query = select(t.oauth_states).where(
            c.state_hash == state_hash, of_user(self._session, t.oauth_states)
        )
        row = (await execute(self._session, query)).first()
        return _pending(row) if row is not None else None

    async def forget_expired(self, before: datetime) -> int:
        c = t.oauth_states.c
        statement = delete(t.oauth_states).where(
            c.expires_at < before, of_user(self._session, t.oauth_states)
        )
        return int((await execute(self._session, statement)).rowcount or 0)


def _pending(row: Any) -> PendingGrant:
    values = dict(row._mapping)
    values["id"] = values.pop("state_id")
    values["tenant_id"] = TenantId(values["tenant_id"])
    values["user_id"] = UserId(values["user_id"])
    values["scopes"] = tuple(values["scopes"])
    return PendingGrant(**values)


_LOCK_TIMEOUT = text("SELECT set_config('lock_timeout', :timeout, true)")
_LOCK_CONNECTION = text(
    "SELECT connection_id FROM atlas.connections "
    "WHERE connection_id = :id AND tenant_id = :tenant FOR UPDATE"
)


class PostgresRefreshLocks(RefreshLocks):
    """The connection row's lock (providers.md rule 3): held to the end of the transaction
    by whichever process of any host got it first; ``lock_timeout`` bounds the wait. The
    connection row rather than the token row: it always exists, and a disconnect, which
    updates it, waits for a refresh in flight instead of racing it.

    Lock order (docs/integrations.md): the connection's row, then its token row. A refresh and
    a disconnect both take this lock first; one taking the token row first deadlocks them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def hold(self, connection_id: UUID, timeout_seconds: float) -> None:
        timeout = f"{max(1, int(timeout_seconds * 1000))}ms"
        try:
            await self._session.execute(_LOCK_TIMEOUT, {"timeout": timeout})
            tenant = bound(self._session)["tenant"]
            await self._session.execute(_LOCK_CONNECTION, {"id": connection_id, "tenant": tenant})
        except DBAPIError as error:
            if sqlstate(error) == LOCK_NOT_AVAILABLE:
                raise RefreshBusy(retry_after=1) from error
            raise translate(error) from error


class PostgresConnectionDirectory(ConnectionDirectory):
    """Through ``tenant_connections()``: the columns an owner or an admin may see, nothing
    more, for the scope's tenant only; the function checks the role itself."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_tenant(self) -> list[TenantConnection]:
        # The definer function names the context's tenant itself (and checks the role).
        rows = await execute(self._session, text("SELECT * FROM atlas.tenant_connections()"))
        return [
            TenantConnection(
                id=r.connection_id,
                user_id=UserId(r.user_id),
                owner_name=r.owner_name,
                owner_email=r.owner_email,
                provider=r.provider,
                status=r.status,
                shared=r.shared,
                created_at=r.created_at,
            )
            for r in rows
        ]


class PostgresIntegrationsUnitOfWork(PostgresUnitOfWork, IntegrationsUnitOfWork):
    def _attach(self, session: AsyncSession) -> None:
        self.connections = PostgresConnectionRepository(session)
        self.directory = PostgresConnectionDirectory(session)
        self.pending = PostgresPendingGrantRepository(session)
        self.oauth_tokens = PostgresOAuthTokenRepository(session)
        self.locks = PostgresRefreshLocks(session)

    async def reread(self) -> None:
        # READ COMMITTED: every statement after the lock sees what was committed before it.
        return None
