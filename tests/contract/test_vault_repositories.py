"""The vault's repositories behave alike on the fake and on PostgreSQL, row security included."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import msgspec
import pytest

from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.store import InMemoryStore
from adapters.fakes.vault import FakeKeyVersions, FakeVaultUnitOfWork
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.vault import PostgresVaultUnitOfWork
from application.shared.scope import Scope
from application.vault.oauth_tokens import seal_tokens
from application.vault.ports import Vault, VaultUnitOfWork
from domain.shared.errors import ScopeViolation
from tests.factories.bypass import POSTGRES_VARIANTS
from tests.factories.identity import seed_tenant_with_owner
from tests.factories.integrations import seed_connection
from tests.factories.vault import (
    WHEN,
    keyring_on,
    marker,
    oauth_tokens,
    sealed_api_key,
    shared_vault,
    started_vault,
)


@dataclass
class Side:
    identity_uow: Callable[[Scope], Any]
    vault_uow: Callable[[Scope], VaultUnitOfWork]
    make_vault: Callable[[], Any]

    async def vault(self) -> Vault:
        return await self.make_vault()  # type: ignore[no-any-return]


@pytest.fixture(params=POSTGRES_VARIANTS)
def side(request: pytest.FixtureRequest) -> Side:
    if request.param == "fake":
        store = InMemoryStore()
        return Side(
            partial(FakeIdentityUnitOfWork, store),
            partial(FakeVaultUnitOfWork, store),
            lambda: started_vault(keyring_on(FakeKeyVersions(store))),
        )
    if request.param == "bypass":
        db = request.getfixturevalue("bypass")
        sessions, engine = db.sessions, db.engine
    else:
        sessions, engine = request.getfixturevalue("sessions"), request.getfixturevalue("engine")
    return Side(
        partial(PostgresIdentityUnitOfWork, sessions),
        partial(PostgresVaultUnitOfWork, sessions),
        lambda: shared_vault(engine),
    )


async def _tenant(side: Side, members: int = 0) -> tuple[Any, list[Any], Scope]:
    tenant, people = await seed_tenant_with_owner(side.identity_uow, members=members)
    return tenant, people, Scope(tenant_id=tenant.id, user_id=people[0].id)


async def test_api_keys_are_stored_listed_replaced_and_removed(side: Side) -> None:
    vault = await side.vault()
    tenant, (owner,), scope = await _tenant(side)
    first = await sealed_api_key(vault, tenant, owner, marker(), name="crm")
    other = await sealed_api_key(vault, tenant, owner, marker(), name="alpha")
    replacement = await sealed_api_key(vault, tenant, owner, marker(), name="crm")

    async with side.vault_uow(scope) as uow:
        await uow.api_keys.put(first)
        await uow.api_keys.put(other)
        await uow.api_keys.put(replacement)
        await uow.commit()
    async with side.vault_uow(scope) as uow:
        listed = await uow.api_keys.all()
        removed, again = await uow.api_keys.remove("alpha"), await uow.api_keys.remove("alpha")
        await uow.commit()
    async with side.vault_uow(scope) as uow:
        left = await uow.api_keys.all()

    assert listed == [other, replacement]
    assert (removed, again) == (True, False)
    assert left == [replacement]


async def test_another_tenants_keys_are_invisible_and_out_of_reach(side: Side) -> None:
    vault = await side.vault()
    tenant, (owner,), scope = await _tenant(side)
    _, _, stranger = await _tenant(side)
    key = await sealed_api_key(vault, tenant, owner, marker(), name="crm")
    async with side.vault_uow(scope) as uow:
        await uow.api_keys.put(key)
        await uow.commit()

    async with side.vault_uow(stranger) as uow:
        seen = await uow.api_keys.all(), await uow.api_keys.get("crm")
        removed = await uow.api_keys.remove("crm")
        under = await uow.api_keys.sealed_under(key.key_version, after=None, limit=10)
        await uow.commit()
        with pytest.raises(ScopeViolation):
            await uow.api_keys.put(key)

    assert seen == ([], None)
    assert (removed, under) == (False, [])


async def test_keys_under_a_version_page_by_record_and_swap_only_if_unchanged(side: Side) -> None:
    vault = await side.vault()
    tenant, (owner,), scope = await _tenant(side)
    keys = [await sealed_api_key(vault, tenant, owner, marker()) for _ in range(5)]
    version = keys[0].key_version
    async with side.vault_uow(scope) as uow:
        for key in keys:
            await uow.api_keys.put(key)
        await uow.commit()
    resealed_value = (await sealed_api_key(vault, tenant, owner, marker())).sealed

    async with side.vault_uow(scope) as uow:
        first = await uow.api_keys.sealed_under(version, after=None, limit=3)
        rest = await uow.api_keys.sealed_under(version, after=first[-1].key_id, limit=3)
        target = first[0]
        swapped = await uow.api_keys.replace_sealed(target, target.resealed([resealed_value]))
        stale = await uow.api_keys.replace_sealed(target, target.resealed([resealed_value]))
        await uow.commit()
    async with side.vault_uow(scope) as uow:
        stored = await uow.api_keys.get(target.name)

    assert [k.key_id for k in first + rest] == sorted(k.key_id for k in keys)
    assert (swapped, stale) == (True, False)
    assert stored is not None
    assert stored.sealed == resealed_value


async def test_oauth_tokens_are_private_to_their_user(side: Side) -> None:
    vault = await side.vault()
    tenant, (_, colleague), scope = await _tenant(side, members=1)
    colleague_scope = Scope(tenant_id=tenant.id, user_id=colleague.id)
    connection = await seed_connection(side.identity_uow, scope)
    sealed = await seal_tokens(vault, scope, connection, oauth_tokens(), WHEN)

    async with side.vault_uow(scope) as uow:
        await uow.oauth_tokens.put(sealed)
        await uow.commit()
    async with side.vault_uow(colleague_scope) as uow:
        theirs = await uow.oauth_tokens.get(connection)
        removed = await uow.oauth_tokens.remove(connection)
        with pytest.raises(ScopeViolation):
            await uow.oauth_tokens.put(sealed)
    async with side.vault_uow(scope) as uow:
        mine = await uow.oauth_tokens.get(connection)

    assert (theirs, removed) == (None, False)
    assert mine == sealed


async def test_oauth_tokens_are_replaced_on_save_and_swapped_only_if_unchanged(side: Side) -> None:
    vault = await side.vault()
    _, _, scope = await _tenant(side)
    connection = await seed_connection(side.identity_uow, scope)
    old = await seal_tokens(vault, scope, connection, oauth_tokens(), WHEN)
    refreshed = await seal_tokens(vault, scope, connection, oauth_tokens(), WHEN)
    async with side.vault_uow(scope) as uow:
        await uow.oauth_tokens.put(old)
        await uow.oauth_tokens.put(refreshed)  # a refresh stored the new pair
        await uow.commit()

    async with side.vault_uow(scope) as uow:
        lost_race = await uow.oauth_tokens.replace_sealed(old, msgspec.structs.replace(old))
        won = await uow.oauth_tokens.replace_sealed(refreshed, old)
        await uow.commit()
    async with side.vault_uow(scope) as uow:
        stored = await uow.oauth_tokens.get(connection)

    assert (lost_race, won) == (False, True)
    assert stored == old
