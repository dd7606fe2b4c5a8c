"""In-memory vault storage that mirrors the database: row security, compare-and-swap, census."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import msgspec

from adapters.fakes.store import InMemoryStore, Tables
from adapters.fakes.uow import FakeUnitOfWork
from application.shared.scope import Scope
from application.vault.ports import (
    ApiKeyRepository,
    KeyUsageAlerts,
    KeyVersionRepository,
    OAuthTokenRepository,
    VaultUnitOfWork,
)
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret
from domain.vault.api_keys import ApiKey
from domain.vault.errors import KeyVersionInUse
from domain.vault.model import KeyState, KeyVersion, SealedKind, SealedScope
from domain.vault.oauth import SealedOAuthTokens


@dataclass
class VaultTables:
    api_keys: dict[tuple[TenantId, str], ApiKey] = field(default_factory=dict)
    oauth_tokens: dict[tuple[TenantId, UserId, UUID], SealedOAuthTokens] = field(
        default_factory=dict
    )


class FakeApiKeyRepository(ApiKeyRepository):
    def __init__(self, tables: VaultTables, scope: Scope) -> None:
        self._tables, self._scope = tables, scope

    def _mine(self) -> list[ApiKey]:
        return [k for k in self._tables.api_keys.values() if k.tenant_id == self._scope.tenant_id]

    async def put(self, key: ApiKey) -> None:
        if key.tenant_id != self._scope.tenant_id:  # WITH CHECK
            raise ScopeViolation()
        self._tables.api_keys[(key.tenant_id, key.name)] = key

    async def get(self, name: str) -> ApiKey | None:
        return next((k for k in self._mine() if k.name == name), None)

    async def all(self) -> list[ApiKey]:
        return sorted(self._mine(), key=lambda k: k.name)

    async def remove(self, name: str) -> bool:
        key = await self.get(name)
        return key is not None and self._tables.api_keys.pop((key.tenant_id, name)) is not None

    async def sealed_under(self, version: int, *, after: UUID | None, limit: int) -> list[ApiKey]:
        rows = [
            k
            for k in self._mine()
            if k.key_version == version and (after is None or k.key_id > after)
        ]
        return sorted(rows, key=lambda k: k.key_id)[:limit]

    async def replace_sealed(self, previous: ApiKey, resealed: ApiKey) -> bool:
        current = await self.get(previous.name)
        if current is None or current != previous:
            return False
        self._tables.api_keys[(current.tenant_id, current.name)] = resealed
        return True


class FakeOAuthTokenRepository(OAuthTokenRepository):
    def __init__(self, tables: VaultTables, scope: Scope) -> None:
        self._tables, self._scope = tables, scope

    def _key(self, connection_id: UUID) -> tuple[TenantId, UserId, UUID] | None:
        tenant, user = self._scope.tenant_id, self._scope.user_id
        return None if tenant is None or user is None else (tenant, user, connection_id)

    async def put(self, tokens: SealedOAuthTokens) -> None:
        if (tokens.tenant_id, tokens.user_id) != (self._scope.tenant_id, self._scope.user_id):
            raise ScopeViolation()
        self._tables.oauth_tokens[(tokens.tenant_id, tokens.user_id, tokens.connection_id)] = tokens

    async def get(self, connection_id: UUID) -> SealedOAuthTokens | None:
        key = self._key(connection_id)
        return self._tables.oauth_tokens.get(key) if key else None

    async def remove(self, connection_id: UUID) -> bool:
        key = self._key(connection_id)
        return key is not None and self._tables.oauth_tokens.pop(key, None) is not None

    async def sealed_under(
        self, version: int, *, after: UUID | None, limit: int
    ) -> list[SealedOAuthTokens]:
        scope = (self._scope.tenant_id, self._scope.user_id)
        rows = [
            t
            for t in self._tables.oauth_tokens.values()
            if (t.tenant_id, t.user_id) == scope
            and t.key_version == version
            and (after is None or t.connection_id > after)
        ]
        return sorted(rows, key=lambda t: t.connection_id)[:limit]

    async def replace_sealed(
        self, previous: SealedOAuthTokens, resealed: SealedOAuthTokens
    ) -> bool:
        if await self.get(previous.connection_id) != previous:
            return False
        await self.put(resealed)
        return True


class FakeVaultUnitOfWork(FakeUnitOfWork, VaultUnitOfWork):
    def _attach(self, tables: Tables) -> None:
        vault = tables.of(VaultTables)
        self.api_keys = FakeApiKeyRepository(vault, self.scope)
        self.oauth_tokens = FakeOAuthTokenRepository(vault, self.scope)


class FakeKeyVersions(KeyVersionRepository):
    """Global and autocommitted, like the table's single-statement transactions.

    Reads the store's committed vault tables for what a foreign key and the census see.
    """

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.rows: dict[int, KeyVersion] = {}

    async def all(self) -> list[KeyVersion]:
        return [self.rows[v] for v in sorted(self.rows)]

    async def promote(self, new: KeyVersion, *, demote: int | None, at: datetime) -> bool:
        active = [v for v in self.rows.values() if v.state is KeyState.ACTIVE]
        if new.version in self.rows or [v.version for v in active] != (
            [] if demote is None else [demote]
        ):
            return False
        if demote is not None:
            self._set(demote, state=KeyState.DECRYPT_ONLY, demoted_at=at)
        self.rows[new.version] = new
        return True

    async def lease(self, version: int, block: int) -> int | None:
        row = self.rows.get(version)
        if row is None or row.state is not KeyState.ACTIVE:
            return None
        return self._set(version, encryption_count=row.encryption_count + block).encryption_count

    async def retire(self, version: int, at: datetime) -> bool:
        row = self.rows.get(version)
        if row is None or row.state is not KeyState.DECRYPT_ONLY:
            return False
        if await self.usage(version):  # what the foreign keys refuse
            raise KeyVersionInUse(version=version)
        self._set(version, state=KeyState.RETIRED, retired_at=at)
        return True

    async def usage(self, version: int) -> list[SealedScope]:
        # Like the SECURITY DEFINER census: every tenant's committed rows, counts only.
        tables = self._store.tables.of(VaultTables)
        counts: Counter[tuple[SealedKind, TenantId, UserId | None]] = Counter()
        for key in tables.api_keys.values():
            if key.key_version == version:
                counts[(SealedKind.API_KEYS, key.tenant_id, None)] += 1
        for tokens in tables.oauth_tokens.values():
            if tokens.key_version == version:
                counts[(SealedKind.OAUTH_TOKENS, tokens.tenant_id, tokens.user_id)] += 1
        return [
            SealedScope(kind=kind, tenant_id=tenant, user_id=user, values=n)
            for (kind, tenant, user), n in sorted(counts.items(), key=lambda c: str(c[0]))
        ]

    def _set(self, version: int, **changes: object) -> KeyVersion:
        self.rows[version] = msgspec.structs.replace(self.rows[version], **changes)
        return self.rows[version]


class RecordingKeyUsageAlerts(KeyUsageAlerts):
    def __init__(self) -> None:
        self.raised: list[tuple[str, int, int]] = []

    def key_usage_high(self, version: int, encryptions: int) -> None:
        self.raised.append(("usage_high", version, encryptions))

    def key_rotated(self, retired_from_sealing: int, sealing: int, reason: str) -> None:
        self.raised.append(("rotated", retired_from_sealing, sealing))


def throwaway_master_secret() -> Secret[bytes]:
    """For the in-memory harness: random per harness, never stored."""
    return Secret(os.urandom(32))


def instant_kdf(master_secret: bytes, salt: bytes, iterations: int) -> bytes:
    """Not a KDF: a stand-in that lets the in-memory harness and unit tests start at once."""
    return hashlib.sha256(master_secret + salt + iterations.to_bytes(8, "big")).digest()
