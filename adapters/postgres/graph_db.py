"""The graph repositories' access to their transaction: the driver connection of the session.

Bulk ingest passes whole columns as arrays (``INSERT ... SELECT FROM unnest(...)``); the
driver connection does that without per-value overhead. It is always taken from the unit of
work's session, so the transaction, and the scope bound at its start, are the session's.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from domain.compliance.tenant_deletion import TenantPendingDeletion
from domain.graph.errors import InvalidRecord
from domain.shared.errors import DomainError, ScopeViolation, StorageError
from domain.shared.ids import TenantId, UserId

_UNSTORABLE = (
    asyncpg.UntranslatableCharacterError,  # \u0000 in a jsonb value
    asyncpg.CharacterNotInRepertoireError,  # NUL in text
    asyncpg.InvalidTextRepresentationError,
)


def translate_driver(error: asyncpg.PostgresError) -> DomainError:
    if isinstance(error, asyncpg.InsufficientPrivilegeError):
        return ScopeViolation()
    if isinstance(error, asyncpg.ReadOnlySQLTransactionError):
        return TenantPendingDeletion()  # the unit of work adds the purge date
    if isinstance(error, _UNSTORABLE):  # input the database cannot hold: the caller's fault
        return InvalidRecord("A value cannot be stored (it contains a NUL character).")
    return StorageError()


class GraphDb:
    def __init__(
        self, session: AsyncSession, tenant_id: TenantId | None, user_id: UserId | None = None
    ) -> None:
        self._session = session
        self._tenant_id = tenant_id
        self.viewer = user_id  # the scope's user: statements about their private rows name them
        # Whose private records this unit of work writes (None: the tenant's shared ones).
        # Every insert names it itself; row security refuses any other user's id.
        self.private_to: UserId | None = None

    @property
    def tenant_id(self) -> TenantId:
        if self._tenant_id is None:  # no context: row security would refuse the write anyway
            raise ScopeViolation()
        return self._tenant_id

    @property
    def seen(self) -> tuple[TenantId | None, UserId | None]:
        """The scope's tenant and user, for statements that name them: ``tenant_id = $n AND
        (private_to IS NULL OR private_to = $n+1)``, beside row security. No tenant matches
        nothing, no user no private record, as with the policy."""
        return self._tenant_id, self.viewer

    async def connection(self) -> asyncpg.Connection:
        # Re-resolved on every call: after a commit the session begins a new transaction,
        # and its after_begin hook binds the scope again before this connection is used.
        connection = await self._session.connection()
        raw = await connection.get_raw_connection()
        driver: asyncpg.Connection = raw.driver_connection
        return driver

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        try:
            return await (await self.connection()).fetch(query, *args)  # type: ignore[no-any-return]
        except asyncpg.PostgresError as error:
            raise translate_driver(error) from error

    async def fetchval(self, query: str, *args: Any) -> Any:
        try:
            return await (await self.connection()).fetchval(query, *args)
        except asyncpg.PostgresError as error:
            raise translate_driver(error) from error

    async def execute(self, query: str, *args: Any) -> str:
        try:
            return await (await self.connection()).execute(query, *args)  # type: ignore[no-any-return]
        except asyncpg.PostgresError as error:
            raise translate_driver(error) from error
