"""OAuth tokens at rest: sealed per user, opened only in that user's scope, moved rows fail."""

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
from domain.shared.errors import ScopeViolation
from domain.shared.ids import new_id, new_tenant_id, new_user_id
from domain.shared.secret import Secret
from domain.vault.errors import CredentialUnreadable
from domain.vault.oauth import OAuthTokens
from entrypoints.http.errors import status_of
from tests.factories.vault import WHEN, keyring_on, oauth_tokens, started_vault

pytestmark = pytest.mark.unit


@pytest.fixture
async def harness() -> tuple[InMemoryStore, OAuthTokenStore]:
    store = InMemoryStore()
    vault: AesGcmVault = await started_vault(keyring_on(FakeKeyVersions(store)))
    return store, OAuthTokenStore(partial(FakeVaultUnitOfWork, store), vault, FrozenClock(WHEN))


def _scope(tenant: Any = None) -> Scope:
    return Scope(tenant_id=tenant or new_tenant_id(), user_id=new_user_id())


async def test_tokens_round_trip_with_or_without_a_refresh_token(harness: Any) -> None:
    _, sut = harness
    scope, both, access_only = _scope(), new_id(), new_id()
    tokens = oauth_tokens()

    await sut.save(scope, both, tokens)
    await sut.save(scope, access_only, OAuthTokens(access_token=Secret("only-access")))
    loaded, single = await sut.load(scope, both), await sut.load(scope, access_only)

    assert loaded == tokens
    assert single == OAuthTokens(access_token=Secret("only-access"))


async def test_tokens_are_private_to_their_user_even_within_the_tenant(harness: Any) -> None:
    _, sut = harness
    mine, connection = _scope(), new_id()
    colleague = _scope(mine.tenant_id)
    await sut.save(mine, connection, oauth_tokens())

    assert await sut.load(colleague, connection) is None
    assert await sut.delete(colleague, connection) is False
    assert await sut.load(mine, connection) is not None
    with pytest.raises(ScopeViolation):
        await sut.load(Scope(tenant_id=mine.tenant_id, user_id=None), connection)


async def test_a_row_copied_to_another_user_or_connection_does_not_open(harness: Any) -> None:
    store, sut = harness
    mine, connection = _scope(), new_id()
    colleague, other_connection = _scope(mine.tenant_id), new_id()
    await sut.save(mine, connection, oauth_tokens())
    tables = store.tables.of(VaultTables)
    row = tables.oauth_tokens[(mine.tenant_id, mine.user_id, connection)]
    for scope, target in ((colleague, connection), (mine, other_connection)):
        copied = msgspec.structs.replace(row, user_id=scope.user_id, connection_id=target)
        tables.oauth_tokens[(scope.tenant_id, scope.user_id, target)] = copied

    with pytest.raises(CredentialUnreadable) as to_colleague:
        await sut.load(colleague, connection)
    with pytest.raises(CredentialUnreadable):
        await sut.load(mine, other_connection)
    assert status_of(to_colleague.value) == 409  # "reconnect", never a 500
    assert to_colleague.value.message == "Credential unavailable, reconnect."


async def test_swapping_the_access_and_refresh_tokens_does_not_open(harness: Any) -> None:
    store, sut = harness
    scope, connection = _scope(), new_id()
    await sut.save(scope, connection, oauth_tokens())
    key = (scope.tenant_id, scope.user_id, connection)
    tables = store.tables.of(VaultTables)
    row = tables.oauth_tokens[key]
    tables.oauth_tokens[key] = msgspec.structs.replace(row, access=row.refresh, refresh=row.access)

    with pytest.raises(CredentialUnreadable):
        await sut.load(scope, connection)


async def test_delete_removes_the_tokens(harness: Any) -> None:
    _, sut = harness
    scope, connection = _scope(), new_id()
    await sut.save(scope, connection, oauth_tokens())

    assert await sut.delete(scope, connection) is True
    assert await sut.load(scope, connection) is None
