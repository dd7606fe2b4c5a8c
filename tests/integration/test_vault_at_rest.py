"""Sealed values at rest in PostgreSQL: no plaintext in a dump, and a moved row opens nowhere."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.fakes.clock import FrozenClock
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.throwaway import ThrowawayDatabase
from adapters.postgres.vault import PostgresVaultUnitOfWork
from application.shared.actor import Actor
from application.shared.scope import Scope
from application.vault.list_api_keys import ListApiKeys
from application.vault.oauth_tokens import OAuthTokenStore
from application.vault.open_api_key import OpenApiKey
from application.vault.store_api_key import StoreApiKey, StoreApiKeyCommand
from domain.identity.model import Role
from domain.shared.ids import new_id
from domain.shared.secret import Secret
from domain.vault.errors import CredentialUnreadable
from tests.factories.dump import database_dump
from tests.factories.identity import seed_tenant_with_owner
from tests.factories.integrations import seed_connection
from tests.factories.vault import WHEN, marker, oauth_tokens, shared_vault

pytestmark = pytest.mark.integration


class Vaulted:
    """The vault use cases on the shared test database, as the service wires them."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], vault: Any) -> None:
        self.identity_uow = partial(PostgresIdentityUnitOfWork, sessions)
        uow_for = partial(PostgresVaultUnitOfWork, sessions)
        self.store_key = StoreApiKey(uow_for, vault, FrozenClock(WHEN))
        self.list_keys = ListApiKeys(uow_for)
        self.open_key = OpenApiKey(uow_for, vault)
        self.tokens = OAuthTokenStore(uow_for, vault, FrozenClock(WHEN))

    async def tenant(self, members: int = 0) -> tuple[Any, list[Any]]:
        return await seed_tenant_with_owner(self.identity_uow, members=members)


@pytest.fixture
async def vaulted(sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine) -> Vaulted:
    return Vaulted(sessions, await shared_vault(engine))


def _owner(tenant: Any, person: Any) -> Actor:
    return Actor(tenant_id=tenant.id, user_id=person.id, role=Role.OWNER, session_id=uuid4())


async def test_a_database_dump_holds_no_token_or_api_key_plaintext(
    vaulted: Vaulted, database: ThrowawayDatabase
) -> None:
    tenant, (owner,) = await vaulted.tenant()
    key_value, access, refresh, purpose = (
        marker("key"),
        marker("access"),
        marker("refresh"),
        marker(),
    )
    await vaulted.store_key.execute(
        _owner(tenant, owner),
        StoreApiKeyCommand(name="crm", purpose=purpose, value=Secret(key_value)),
    )
    scope = Scope(tenant_id=tenant.id, user_id=owner.id)
    connection = await seed_connection(vaulted.identity_uow, scope)
    await vaulted.tokens.save(scope, connection, oauth_tokens(access=access, refresh=refresh))

    dump = database_dump(database)

    assert purpose in dump  # the rows are in the dump: their unsealed columns show
    assert [m for m in (key_value, access, refresh) if m in dump] == []


async def test_an_api_key_moved_to_another_tenant_by_the_owner_role_does_not_open(
    vaulted: Vaulted, owner_connection: asyncpg.Connection
) -> None:
    (mine, (me,)), (theirs, (them,)) = await vaulted.tenant(), await vaulted.tenant()
    await vaulted.store_key.execute(
        _owner(mine, me), StoreApiKeyCommand(name="crm", purpose="p", value=Secret(marker()))
    )

    async with owner_connection.transaction():  # the table owner, within row security
        await _scope(owner_connection, mine.id, me.id)
        row = await owner_connection.fetchrow(
            "DELETE FROM atlas.api_keys WHERE tenant_id = $1 RETURNING *", mine.id
        )
        await _scope(owner_connection, theirs.id, them.id)
        await owner_connection.execute(
            "INSERT INTO atlas.api_keys (tenant_id, key_id, name, purpose, hint, sealed, "
            "key_version, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            theirs.id,
            *(row[c] for c in ("key_id", "name", "purpose", "hint", "sealed", "key_version")),
            row["created_at"],
        )
    listed = await vaulted.list_keys.execute(_owner(theirs, them))

    assert [k.name for k in listed] == ["crm"]  # the row arrived ...
    with pytest.raises(CredentialUnreadable):  # ... and opens to nothing
        await vaulted.open_key.execute(Scope(tenant_id=theirs.id, user_id=them.id), "crm")


async def test_oauth_tokens_moved_to_a_colleague_or_another_tenant_do_not_open(
    vaulted: Vaulted, owner_connection: asyncpg.Connection
) -> None:
    (mine, (me, colleague)), (theirs, (them,)) = await vaulted.tenant(1), await vaulted.tenant()
    my_scope = Scope(tenant_id=mine.id, user_id=me.id)
    connection = await seed_connection(vaulted.identity_uow, my_scope)
    await vaulted.tokens.save(my_scope, connection, oauth_tokens())

    for tenant, person in ((mine, colleague), (theirs, them)):
        # Tokens hang off a connection of their own user: the copy lands on that person's.
        target = await seed_connection(
            vaulted.identity_uow, Scope(tenant_id=tenant.id, user_id=person.id)
        )
        async with owner_connection.transaction():
            await _scope(owner_connection, mine.id, me.id)
            # Explicit filters: the owner is a member of atlas_auth, whose census policy
            # lets it read every tenant's rows (it owns the table: it could anyway).
            row = await owner_connection.fetchrow(
                "SELECT * FROM atlas.oauth_tokens WHERE tenant_id = $1 AND connection_id = $2",
                mine.id,
                connection,
            )
            await _scope(owner_connection, tenant.id, person.id)
            await owner_connection.execute(
                "INSERT INTO atlas.oauth_tokens (tenant_id, user_id, connection_id, access_token, "
                "refresh_token, expires_at, key_version, updated_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                tenant.id,
                person.id,
                target,
                *(row[c] for c in ("access_token", "refresh_token")),
                *(row[c] for c in ("expires_at", "key_version", "updated_at")),
            )
        with pytest.raises(CredentialUnreadable):
            await vaulted.tokens.load(Scope(tenant_id=tenant.id, user_id=person.id), target)

    assert await vaulted.tokens.load(Scope(tenant_id=mine.id, user_id=me.id), connection)


async def test_tokens_for_someone_outside_the_tenant_are_refused_by_the_foreign_key(
    vaulted: Vaulted, app_connection: asyncpg.Connection
) -> None:
    (mine, _), (_, (stranger,)) = await vaulted.tenant(), await vaulted.tenant()

    with pytest.raises(asyncpg.ForeignKeyViolationError) as refused:
        async with app_connection.transaction():
            await _scope(app_connection, mine.id, stranger.id)
            await app_connection.execute(
                "INSERT INTO atlas.oauth_tokens (tenant_id, user_id, connection_id, "
                "access_token, key_version, updated_at) VALUES ($1, $2, $3, '\\x00', 1, now())",
                mine.id,
                stranger.id,
                new_id(),
            )

    assert refused.value.sqlstate == "23503"


async def test_the_census_tells_the_app_role_scopes_and_counts_and_nothing_else(
    vaulted: Vaulted, app_connection: asyncpg.Connection
) -> None:
    tenant, (owner,) = await vaulted.tenant()
    await vaulted.store_key.execute(
        _owner(tenant, owner), StoreApiKeyCommand(name="a1", purpose="p", value=Secret(marker()))
    )

    census = await app_connection.fetch("SELECT * FROM atlas.vault_scopes_using(1)")
    unscoped = await app_connection.fetchval("SELECT count(*) FROM atlas.api_keys")
    auth_reads_sealed = await app_connection.fetchval(
        "SELECT has_column_privilege('atlas_auth', 'atlas.api_keys', 'sealed', 'SELECT')"
    )

    assert list(census[0].keys()) == ["kind", "tenant_id", "user_id", "sealed_values"]
    assert ("api_keys", tenant.id, None, 1) in [tuple(r) for r in census]
    assert unscoped == 0
    assert auth_reads_sealed is False


async def _scope(conn: asyncpg.Connection, tenant_id: Any, user_id: Any) -> None:
    await conn.execute(
        "SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)",
        str(tenant_id),
        str(user_id),
    )
