"""The key versions table (global) and the census of what each version still seals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.postgres.errors import translate
from adapters.postgres.uow import PostgresUnitOfWork
from adapters.postgres.vault_tables import vault_key_versions as kv
from application.shared.scope import Scope
from application.vault.ports import KeyVersionRepository
from domain.shared.ids import TenantId, UserId
from domain.vault.errors import KeyVersionInUse
from domain.vault.model import KeyState, KeyVersion, SealedKind, SealedScope

_IN_USE = {
    "api_keys_key_version_fkey": KeyVersionInUse,
    "oauth_tokens_key_version_fkey": KeyVersionInUse,
}
# Across tenants by design: key versions are deployment-wide (a definer function, ids and counts).
_CENSUS = text(
    "SELECT kind, tenant_id, user_id, sealed_values FROM atlas.vault_scopes_using(:version)"
)


class PostgresKeyVersions(KeyVersionRepository):
    """Each method is its own short transaction, in the anonymous scope: no tenant data here."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        async with PostgresUnitOfWork(self._sessions, Scope.ANONYMOUS) as uow:
            try:
                yield uow.session
            except DBAPIError as error:
                raise translate(error, _IN_USE) from error
            await uow.commit()

    async def all(self) -> list[KeyVersion]:
        async with self._transaction() as session:
            rows = await session.execute(select(kv).order_by(kv.c.version))
            return [_key_version(row) for row in rows]

    async def promote(self, new: KeyVersion, *, demote: int | None, at: datetime) -> bool:
        async with PostgresUnitOfWork(self._sessions, Scope.ANONYMOUS) as uow:
            if demote is not None:
                demoted: Any = await uow.session.execute(
                    update(kv)
                    .where(kv.c.version == demote, kv.c.state == KeyState.ACTIVE.value)
                    .values(state=KeyState.DECRYPT_ONLY.value, demoted_at=at)
                )
                if not demoted.rowcount:
                    return False  # someone else demoted it first; leaving rolls back
            # ON CONFLICT covers both the version number and the one-active-version index.
            added = await uow.session.execute(
                insert(kv).values(_row(new)).on_conflict_do_nothing().returning(kv.c.version)
            )
            if added.first() is None:
                return False
            await uow.commit()
            return True

    async def lease(self, version: int, block: int) -> int | None:
        async with self._transaction() as session:
            result: Any = await session.execute(
                update(kv)
                .where(kv.c.version == version, kv.c.state == KeyState.ACTIVE.value)
                .values(encryption_count=kv.c.encryption_count + block)
                .returning(kv.c.encryption_count)
            )
            count = result.scalar_one_or_none()
            return int(count) if count is not None else None

    async def retire(self, version: int, at: datetime) -> bool:
        async with self._transaction() as session:
            # The foreign keys from every sealed table make this fail while any row, in any
            # tenant, references the version: row security does not hide rows from them.
            result: Any = await session.execute(
                update(kv)
                .where(kv.c.version == version, kv.c.state == KeyState.DECRYPT_ONLY.value)
                .values(state=KeyState.RETIRED.value, retired_at=at)
            )
            return bool(result.rowcount)

    async def usage(self, version: int) -> list[SealedScope]:
        async with self._transaction() as session:
            rows = await session.execute(_CENSUS, {"version": version})
            return [
                SealedScope(
                    kind=SealedKind(row.kind),
                    tenant_id=TenantId(row.tenant_id),
                    user_id=UserId(row.user_id) if row.user_id is not None else None,
                    values=row.sealed_values,
                )
                for row in rows
            ]


def _row(version: KeyVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "kdf": version.kdf,
        "hash": version.hash,
        "iterations": version.iterations,
        "salt": version.salt,
        "key_check": version.key_check,
        "state": version.state.value,
        "encryption_count": version.encryption_count,
        "created_at": version.created_at,
        "demoted_at": version.demoted_at,
        "retired_at": version.retired_at,
    }


def _key_version(row: Any) -> KeyVersion:
    return KeyVersion(
        version=row.version,
        kdf=row.kdf,
        hash=row.hash,
        iterations=row.iterations,
        salt=row.salt,
        key_check=row.key_check,
        state=KeyState(row.state),
        encryption_count=row.encryption_count,
        created_at=row.created_at,
        demoted_at=row.demoted_at,
        retired_at=row.retired_at,
    )
