"""PostgreSQL repositories of the vault: sealed API keys and OAuth tokens, in tenant scope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres import vault_tables as t
from adapters.postgres.errors import execute
from adapters.postgres.scoped import of_tenant, of_user, own_tenant, own_user
from adapters.postgres.uow import PostgresUnitOfWork
from application.vault.ports import ApiKeyRepository, OAuthTokenRepository, VaultUnitOfWork
from domain.shared.errors import DomainError
from domain.shared.ids import TenantId, UserId
from domain.vault.api_keys import ApiKey
from domain.vault.errors import SealingKeyChanged
from domain.vault.model import SealedValue
from domain.vault.oauth import SealedOAuthTokens

# A write under a version retired a moment ago (a stale lease in this process): retrying
# takes a fresh lease under the active version.
_KNOWN: Mapping[str, type[DomainError]] = {
    "api_keys_key_version_fkey": SealingKeyChanged,
    "oauth_tokens_key_version_fkey": SealingKeyChanged,
}


async def _run(session: AsyncSession, statement: Any) -> Any:
    return await execute(session, statement, known=_KNOWN)


class PostgresApiKeyRepository(ApiKeyRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put(self, key: ApiKey) -> None:
        own_tenant(self._session, key.tenant_id)
        values = {
            "tenant_id": key.tenant_id,
            "key_id": key.key_id,
            "name": key.name,
            "purpose": key.purpose,
            "hint": key.hint,
            "sealed": key.sealed.envelope,
            "key_version": key.key_version,
            "created_by": key.created_by,
            "created_at": key.created_at,
        }
        statement = insert(t.api_keys).values(values)
        replace = {c: statement.excluded[c] for c in values if c not in ("tenant_id", "name")}
        await _run(
            self._session,
            statement.on_conflict_do_update(index_elements=["tenant_id", "name"], set_=replace),
        )

    async def get(self, name: str) -> ApiKey | None:
        query = self._api_keys().where(t.api_keys.c.name == name)
        row = (await _run(self._session, query)).first()
        return _api_key(row) if row is not None else None

    async def all(self) -> list[ApiKey]:
        rows = await _run(self._session, self._api_keys().order_by(t.api_keys.c.name))
        return [_api_key(row) for row in rows]

    async def remove(self, name: str) -> bool:
        statement = delete(t.api_keys).where(
            t.api_keys.c.name == name, of_tenant(self._session, t.api_keys)
        )
        result = await _run(self._session, statement)
        return bool(result.rowcount)

    async def sealed_under(self, version: int, *, after: UUID | None, limit: int) -> list[ApiKey]:
        c = t.api_keys.c
        query = self._api_keys().where(c.key_version == version).order_by(c.key_id).limit(limit)
        if after is not None:
            query = query.where(c.key_id > after)
        return [_api_key(row) for row in await _run(self._session, query)]

    async def replace_sealed(self, previous: ApiKey, resealed: ApiKey) -> bool:
        c = t.api_keys.c
        statement = (
            update(t.api_keys)
            .where(
                c.key_id == previous.key_id,
                c.key_version == previous.key_version,
                c.sealed == previous.sealed.envelope,
                of_tenant(self._session, t.api_keys),
            )
            .values(sealed=resealed.sealed.envelope, key_version=resealed.key_version)
        )
        return bool((await _run(self._session, statement)).rowcount)

    def _api_keys(self) -> Any:
        return select(t.api_keys).where(of_tenant(self._session, t.api_keys))


def _api_key(row: Any) -> ApiKey:
    return ApiKey(
        key_id=row.key_id,
        tenant_id=TenantId(row.tenant_id),
        name=row.name,
        purpose=row.purpose,
        hint=row.hint,
        sealed=SealedValue(key_version=row.key_version, envelope=row.sealed),
        created_by=UserId(row.created_by) if row.created_by is not None else None,
        created_at=row.created_at,
    )


class PostgresOAuthTokenRepository(OAuthTokenRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put(self, tokens: SealedOAuthTokens) -> None:
        own_user(self._session, tokens.tenant_id, tokens.user_id)
        sealed = _token_values(tokens)
        statement = insert(t.oauth_tokens).values(
            tenant_id=tokens.tenant_id,
            user_id=tokens.user_id,
            connection_id=tokens.connection_id,
            **sealed,
        )
        await _run(
            self._session,
            statement.on_conflict_do_update(
                index_elements=["tenant_id", "user_id", "connection_id"], set_=sealed
            ),
        )

    async def get(self, connection_id: UUID) -> SealedOAuthTokens | None:
        c = t.oauth_tokens.c
        query = select(t.oauth_tokens).where(
            c.connection_id == connection_id, of_user(self._session, t.oauth_tokens)
        )
        row = (await _run(self._session, query)).first()
        return _tokens(row) if row is not None else None

    async def remove(self, connection_id: UUID) -> bool:
        c = t.oauth_tokens.c
        statement = delete(t.oauth_tokens).where(
            c.connection_id == connection_id, of_user(self._session, t.oauth_tokens)
        )
        return bool((await _run(self._session, statement)).rowcount)

    async def sealed_under(
        self, version: int, *, after: UUID | None, limit: int
    ) -> list[SealedOAuthTokens]:
        c = t.oauth_tokens.c
        query = select(t.oauth_tokens).where(
            c.key_version == version, of_user(self._session, t.oauth_tokens)
        )
        if after is not None:
            query = query.where(c.connection_id > after)
        query = query.order_by(c.connection_id).limit(limit)
        return [_tokens(row) for row in await _run(self._session, query)]

    async def replace_sealed(
        self, previous: SealedOAuthTokens, resealed: SealedOAuthTokens
    ) -> bool:
        c = t.oauth_tokens.c
        refresh = previous.refresh.envelope if previous.refresh else None
        statement = (
            update(t.oauth_tokens)
            .where(
                c.connection_id == previous.connection_id,
                c.key_version == previous.key_version,
                c.access_token == previous.access.envelope,
                c.refresh_token.is_(None) if refresh is None else c.refresh_token == refresh,
                of_user(self._session, t.oauth_tokens),
            )
            .values(_token_values(resealed))
        )
        return bool((await _run(self._session, statement)).rowcount)


def _token_values(tokens: SealedOAuthTokens) -> dict[str, Any]:
    return {
        "access_token": tokens.access.envelope,
        "refresh_token": tokens.refresh.envelope if tokens.refresh else None,
        "expires_at": tokens.expires_at,
        "key_version": tokens.key_version,
        "updated_at": tokens.updated_at,
    }


def _tokens(row: Any) -> SealedOAuthTokens:
    version = row.key_version
    refresh = row.refresh_token
    return SealedOAuthTokens(
        tenant_id=TenantId(row.tenant_id),
        user_id=UserId(row.user_id),
        connection_id=row.connection_id,
        access=SealedValue(key_version=version, envelope=row.access_token),
        refresh=SealedValue(key_version=version, envelope=refresh) if refresh is not None else None,
        expires_at=row.expires_at,
        updated_at=row.updated_at,
    )


class PostgresVaultUnitOfWork(PostgresUnitOfWork, VaultUnitOfWork):
    def _attach(self, session: AsyncSession) -> None:
        self.api_keys = PostgresApiKeyRepository(session)
        self.oauth_tokens = PostgresOAuthTokenRepository(session)
