"""The key versions table behaves alike on the fake and on PostgreSQL (a database of its own)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest

from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.store import InMemoryStore
from adapters.fakes.vault import FakeKeyVersions, FakeVaultUnitOfWork
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.vault import PostgresVaultUnitOfWork
from adapters.postgres.vault_keys import PostgresKeyVersions
from application.shared.scope import Scope
from application.vault.oauth_tokens import seal_tokens
from application.vault.ports import KeyVersionRepository
from domain.vault.errors import KeyVersionInUse
from domain.vault.model import KeyState, KeyVersion, SealedKind, SealedScope
from tests.factories.bypass import POSTGRES_VARIANTS
from tests.factories.identity import seed_tenant_with_owner
from tests.factories.integrations import seed_connection
from tests.factories.vault import (
    WHEN,
    keyring_on,
    marker,
    oauth_tokens,
    sealed_api_key,
    started_vault,
)


@dataclass
class Side:
    versions: KeyVersionRepository
    identity_uow: Callable[[Scope], Any]
    vault_uow: Callable[[Scope], Any]


@pytest.fixture(params=POSTGRES_VARIANTS)
def side(request: pytest.FixtureRequest) -> Side:
    if request.param == "fake":
        store = InMemoryStore()
        return Side(
            FakeKeyVersions(store),
            partial(FakeIdentityUnitOfWork, store),
            partial(FakeVaultUnitOfWork, store),
        )
    fresh = "fresh_bypass" if request.param == "bypass" else "fresh_database"
    sessions = request.getfixturevalue(fresh).sessions
    return Side(
        PostgresKeyVersions(sessions),
        partial(PostgresIdentityUnitOfWork, sessions),
        partial(PostgresVaultUnitOfWork, sessions),
    )


def _version(number: int) -> KeyVersion:
    return KeyVersion(
        version=number,
        iterations=600_000,
        salt=os.urandom(16),
        key_check=os.urandom(32),
        state=KeyState.ACTIVE,
        encryption_count=0,
        created_at=WHEN,
    )


async def test_exactly_one_version_seals_and_promotion_is_compare_and_swap(side: Side) -> None:
    sut = side.versions

    first = await sut.promote(_version(1), demote=None, at=WHEN)
    second_active = await sut.promote(_version(2), demote=None, at=WHEN)
    wrong_demote = await sut.promote(_version(2), demote=7, at=WHEN)
    rotated = await sut.promote(_version(2), demote=1, at=WHEN)
    taken_number = await sut.promote(_version(2), demote=2, at=WHEN)
    stored = await sut.all()

    assert (first, second_active, wrong_demote, rotated, taken_number) == (
        True,
        False,
        False,
        True,
        False,
    )
    assert [(v.version, v.state, v.demoted_at) for v in stored] == [
        (1, KeyState.DECRYPT_ONLY, WHEN),
        (2, KeyState.ACTIVE, None),
    ]
    assert stored[1].iterations == 600_000


async def test_leases_count_only_on_the_sealing_version(side: Side) -> None:
    sut = side.versions
    await sut.promote(_version(1), demote=None, at=WHEN)

    counts = [await sut.lease(1, 1024), await sut.lease(1, 1024), await sut.lease(1, 0)]
    await sut.promote(_version(2), demote=1, at=WHEN)
    after = await sut.lease(1, 1024), await sut.lease(3, 1024)

    assert counts == [1024, 2048, 2048]
    assert after == (None, None)


async def test_a_version_retires_only_when_decrypt_only_and_referenced_by_nothing(
    side: Side,
) -> None:
    sut = side.versions
    keyring = keyring_on(sut)
    vault = await started_vault(keyring)
    tenant, (owner,) = await seed_tenant_with_owner(side.identity_uow)
    scope = Scope(tenant_id=tenant.id, user_id=owner.id)
    key = await sealed_api_key(vault, tenant, owner, marker())
    connection = await seed_connection(side.identity_uow, scope)
    tokens = await seal_tokens(vault, scope, connection, oauth_tokens(), WHEN)
    async with side.vault_uow(scope) as uow:
        await uow.api_keys.put(key)
        await uow.oauth_tokens.put(tokens)
        await uow.commit()
    await keyring.rotate()

    active = await sut.retire(2, WHEN)
    usage = await sut.usage(1)
    with pytest.raises(KeyVersionInUse):
        await sut.retire(1, WHEN)
    async with side.vault_uow(scope) as uow:
        await uow.api_keys.remove(key.name)
        await uow.oauth_tokens.remove(connection)
        await uow.commit()
    retired = await sut.retire(1, WHEN)
    again = await sut.retire(1, WHEN)

    assert active is False
    assert sorted(usage, key=lambda s: s.kind) == [
        SealedScope(kind=SealedKind.API_KEYS, tenant_id=tenant.id, user_id=None, values=1),
        SealedScope(kind=SealedKind.OAUTH_TOKENS, tenant_id=tenant.id, user_id=owner.id, values=1),
    ]
    assert (retired, again) == (True, False)
    assert (await sut.all())[0].state is KeyState.RETIRED
    assert await sut.usage(1) == []
