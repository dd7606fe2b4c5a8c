"""Re-encryption: batches per scope, resumable after a crash, never loses or garbles a value."""

from __future__ import annotations

from functools import partial
from typing import Any

import msgspec
import pytest

from adapters.crypto.aesgcm_vault import AesGcmVault
from adapters.fakes.clock import FrozenClock
from adapters.fakes.store import InMemoryStore
from adapters.fakes.vault import FakeKeyVersions, FakeVaultUnitOfWork, VaultTables
from application.shared.scope import Scope
from application.vault.oauth_tokens import OAuthTokenStore
from application.vault.reencrypt import ReencryptSealedValues
from application.vault.retire_key import RetireVaultKey
from domain.shared.ids import new_id, new_tenant_id, new_user_id
from domain.shared.secret import Secret
from domain.vault.api_keys import api_key_binding
from domain.vault.errors import KeyVersionInUse
from domain.vault.model import KeyState
from tests.factories.identity import create_tenant
from tests.factories.vault import (
    WHEN,
    Crash,
    crashing_after,
    keyring_on,
    marker,
    oauth_tokens,
    sealed_api_key,
)

pytestmark = pytest.mark.unit


async def _seed(store: InMemoryStore, vault: AesGcmVault) -> dict[str, tuple[Scope, Any]]:
    """3 tenants x (7 API keys + 2 users x 4 OAuth connections); plaintext -> where it lives."""
    uow_for, tokens = (
        partial(FakeVaultUnitOfWork, store),
        OAuthTokenStore(partial(FakeVaultUnitOfWork, store), vault, FrozenClock(WHEN)),
    )
    plaintexts: dict[str, tuple[Scope, Any]] = {}
    for _ in range(3):
        tenant = create_tenant()
        scope = Scope(tenant_id=tenant.id, user_id=None)
        async with uow_for(scope) as uow:
            for _ in range(7):
                value = marker("api")
                key = await sealed_api_key(vault, tenant, None, value)
                await uow.api_keys.put(key)
                plaintexts[value] = (scope, key.name)
            await uow.commit()
        for _ in range(2):
            user_scope = Scope(tenant_id=tenant.id, user_id=new_user_id())
            for _ in range(4):
                connection, access = new_id(), marker("access")
                await tokens.save(user_scope, connection, oauth_tokens(access=access))
                plaintexts[access] = (user_scope, connection)
    return plaintexts


async def _read_back(store: InMemoryStore, vault: AesGcmVault, where: tuple[Scope, Any]) -> str:
    scope, handle = where
    if scope.user_id is None:
        async with FakeVaultUnitOfWork(store, scope) as uow:
            key = await uow.api_keys.get(handle)
        assert key is not None
        ((binding, sealed),) = key.sealed_values()
        return (await vault.open(sealed, binding)).reveal().decode()
    loaded = await OAuthTokenStore(
        partial(FakeVaultUnitOfWork, store), vault, FrozenClock(WHEN)
    ).load(scope, handle)
    assert loaded is not None
    return loaded.access_token.reveal()


def _versions(store: InMemoryStore) -> list[int]:
    tables = store.tables.of(VaultTables)
    rows = [*tables.api_keys.values(), *tables.oauth_tokens.values()]
    return sorted(row.key_version for row in rows)


async def test_a_run_killed_midway_and_restarted_moves_everything_and_loses_nothing() -> None:
    store = InMemoryStore()
    versions = FakeKeyVersions(store)
    keyring = keyring_on(versions)
    await keyring.start()
    vault = AesGcmVault(keyring)
    plaintexts = await _seed(store, vault)
    await keyring.rotate()
    uow_for = partial(FakeVaultUnitOfWork, store)

    dying = ReencryptSealedValues(
        keyring, versions, crashing_after(uow_for, 4), vault, batch_size=3
    )
    with pytest.raises(Crash):
        await dying.execute()
    halfway = _versions(store)
    restarted = keyring_on(versions)  # a new process: nothing carried over in memory
    await restarted.start()
    fresh_vault = AesGcmVault(restarted)
    job = ReencryptSealedValues(restarted, versions, uow_for, fresh_vault, batch_size=3)
    progress: list[int] = []
    report = await job.execute(progress=progress.append)

    # Four batches committed before the crash: a tenant's 7 keys (3 + 3 + 1), then 3 of the next.
    moved = halfway.count(2)
    assert moved == 10
    assert _versions(store) == [2] * len(plaintexts)
    assert (report.resealed, report.unreadable, report.remaining) == (len(plaintexts) - moved, 0, 0)
    assert sum(progress) == len(plaintexts) - moved
    for plaintext, where in plaintexts.items():
        assert await _read_back(store, fresh_vault, where) == plaintext
    retired = await RetireVaultKey(restarted, versions).execute(1)
    assert retired.state is KeyState.RETIRED


async def test_values_that_do_not_open_are_reported_left_alone_and_block_retirement() -> None:
    store = InMemoryStore()
    versions = FakeKeyVersions(store)
    keyring = keyring_on(versions)
    await keyring.start()
    vault = AesGcmVault(keyring)
    tenant = create_tenant()
    scope = Scope(tenant_id=tenant.id, user_id=None)
    good, a, b = [await sealed_api_key(vault, tenant, None, marker()) for _ in range(3)]
    async with FakeVaultUnitOfWork(store, scope) as uow:
        await uow.api_keys.put(good)
        # Swapped sealed values: each row now holds a ciphertext bound to the other.
        await uow.api_keys.put(msgspec.structs.replace(a, sealed=b.sealed))
        await uow.api_keys.put(msgspec.structs.replace(b, sealed=a.sealed))
        await uow.commit()
    await keyring.rotate()

    report = await ReencryptSealedValues(
        keyring, versions, partial(FakeVaultUnitOfWork, store), vault
    ).execute()

    assert (report.resealed, report.unreadable, report.remaining) == (1, 2, 2)
    assert _versions(store) == [1, 1, 2]
    with pytest.raises(KeyVersionInUse) as refused:
        await RetireVaultKey(keyring, versions).execute(1)
    assert refused.value.details == {"version": 1, "values": 2, "scopes": 1}


async def test_with_nothing_on_old_versions_the_job_does_nothing() -> None:
    store = InMemoryStore()
    versions = FakeKeyVersions(store)
    keyring = keyring_on(versions)
    await keyring.start()
    vault = AesGcmVault(keyring)
    key_id = new_id()
    sealed = await vault.seal(Secret(b"x"), api_key_binding(new_tenant_id(), key_id))

    report = await ReencryptSealedValues(
        keyring, versions, partial(FakeVaultUnitOfWork, store), vault
    ).execute()

    assert sealed.key_version == 1
    assert (report.resealed, report.unreadable, report.remaining) == (0, 0, 0)
