"""Vault values for tests: keyrings on fakes or PostgreSQL, sealed API keys and OAuth tokens.

Key versions are global to a database, so every keyring on the shared test database uses the
same master secret and KDF (``shared_vault``); tests that rotate or retire versions use a fresh
database of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.crypto.aesgcm_vault import AesGcmVault
from adapters.crypto.keyring import Keyring, KeyringPolicy
from adapters.fakes.clock import FrozenClock
from adapters.fakes.vault import RecordingKeyUsageAlerts, instant_kdf
from adapters.postgres.engine import session_factory
from adapters.postgres.uow import PostgresUnitOfWork
from adapters.postgres.vault import PostgresApiKeyRepository, PostgresOAuthTokenRepository
from adapters.postgres.vault_keys import PostgresKeyVersions
from application.shared.scope import Scope
from application.vault.oauth_tokens import seal_tokens
from application.vault.ports import KeyUsageAlerts, KeyVersionRepository, Vault
from domain.identity.model import Tenant, User
from domain.shared.ids import new_id
from domain.shared.secret import Secret
from domain.vault.api_keys import ApiKey, api_key_binding, hint_of
from domain.vault.model import MIN_ITERATIONS
from domain.vault.oauth import OAuthTokens

WHEN = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
TEST_MASTER_SECRET = Secret(
    bytes.fromhex("317e4fd94818f797232bfd2fb6d30b07d4b1493d9bb92df2588ecf48d6cfa6e6")
)
FAST = KeyringPolicy(iterations=MIN_ITERATIONS)


def keyring_on(
    versions: KeyVersionRepository,
    *,
    master: Secret[bytes] = TEST_MASTER_SECRET,
    alerts: KeyUsageAlerts | None = None,
    **options: Any,
) -> Keyring:
    options.setdefault("kdf", instant_kdf)
    options.setdefault("policy", FAST)
    return Keyring(
        master, versions, FrozenClock(WHEN), alerts or RecordingKeyUsageAlerts(), **options
    )


async def started_vault(keyring: Keyring) -> AesGcmVault:
    await keyring.start()
    return AesGcmVault(keyring)


async def shared_vault(engine: AsyncEngine) -> AesGcmVault:
    """A vault on the shared test database: every one uses the same master secret and KDF."""
    return await started_vault(keyring_on(PostgresKeyVersions(session_factory(engine))))


def marker(label: str = "secret") -> str:
    """A unique plaintext that a dump or a log can be searched for."""
    return f"atlas-{label}-{uuid4().hex}"


async def sealed_api_key(
    vault: Vault, tenant: Tenant, creator: User | None, value: str, name: str | None = None
) -> ApiKey:
    key_id = new_id()
    sealed = await vault.seal(Secret(value.encode()), api_key_binding(tenant.id, key_id))
    return ApiKey(
        key_id=key_id,
        tenant_id=tenant.id,
        name=name or f"key-{uuid4().hex[:8]}",
        purpose="tests",
        hint=hint_of(value),
        sealed=sealed,
        created_by=creator.id if creator else None,
        created_at=WHEN,
    )


def oauth_tokens(access: str | None = None, refresh: str | None = None) -> OAuthTokens:
    return OAuthTokens(
        access_token=Secret(access or marker("access")),
        refresh_token=Secret(refresh or marker("refresh")),
        expires_at=WHEN,
    )


async def seed_sealed_values(identity_uow: Any, tenant: Tenant, owner: User) -> None:
    """An API key and the owner's OAuth tokens for ``tenant``, sealed as the app seals them."""
    from tests.factories.integrations import seed_connection

    scope = Scope(tenant_id=tenant.id, user_id=owner.id)
    async with identity_uow(scope) as uow:
        if not isinstance(uow, PostgresUnitOfWork):
            raise TypeError("seed_sealed_values seeds PostgreSQL")
        engine = uow.session.bind
    # Sealed before the unit of work opens: the keyring may need a connection of its own.
    vault = await shared_vault(engine)
    key = await sealed_api_key(vault, tenant, owner, marker("api-key"))
    connection = await seed_connection(identity_uow, scope)  # tokens hang off a connection
    tokens = await seal_tokens(vault, scope, connection, oauth_tokens(), WHEN)
    async with identity_uow(scope) as uow:
        await PostgresApiKeyRepository(uow.session).put(key)
        await PostgresOAuthTokenRepository(uow.session).put(tokens)
        await uow.commit()


class Crash(Exception):
    """The process dies: whatever was not committed is gone."""


def crashing_after(uow_for: Callable[[Scope], Any], commits: int) -> Callable[[Scope], Any]:
    done = 0

    def make(scope: Scope) -> Any:
        uow = uow_for(scope)
        commit = uow.commit

        async def dying_commit() -> None:
            nonlocal done
            if done == commits:
                raise Crash
            done += 1
            await commit()

        uow.commit = dying_commit
        return uow

    return make
