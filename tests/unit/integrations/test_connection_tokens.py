"""The token manager on fakes: when it refreshes, single-flight, rotation, dead grants, cooldown."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from uuid import UUID

import msgspec
import pytest

from adapters.fakes.clock import FrozenClock
from adapters.fakes.integrations import (
    FakeIntegrationsUnitOfWork,
    FakeProvider,
    RecordingReauthNotices,
)
from adapters.fakes.store import InMemoryStore
from adapters.fakes.vault import FakeKeyVersions
from application.integrations.connection_tokens import ConnectionTokens, RefreshPolicy
from application.integrations.directory import OAuthClientCredentials, ProviderDirectory
from application.shared.scope import Scope
from application.vault.oauth_tokens import open_tokens, seal_tokens
from application.vault.ports import Vault
from domain.integrations.connection import Connection
from domain.integrations.errors import (
    ConnectionNeedsReauth,
    ConnectionNotFound,
    ConnectionRevoked,
    ProviderTransient,
    RefreshBusy,
    RefreshUnavailable,
)
from domain.integrations.providers import CATALOG
from domain.shared.ids import new_tenant_id, new_user_id
from domain.shared.secret import Secret
from domain.vault.oauth import OAuthTokens
from tests.factories.integrations import WHEN, create_connection
from tests.factories.vault import keyring_on, started_vault

CLIENTS = {
    s.platform: OAuthClientCredentials(client_id="id", client_secret=Secret("s"))
    for s in CATALOG.values()
}


@dataclass
class World:
    store: InMemoryStore
    clock: FrozenClock
    provider: FakeProvider
    notices: RecordingReauthNotices
    sut: ConnectionTokens
    scope: Scope
    vault: Vault

    async def connected(self, *, expires_in: int | None = 3600) -> UUID:
        connection = create_connection(self.scope, provider="slack", at=self.clock.now())
        grant = msgspec.structs.replace(self.provider.grant(), expires_in=expires_in)
        now = self.clock.now()
        sealed = await seal_tokens(self.vault, self.scope, connection.id, grant.tokens(now), now)
        async with FakeIntegrationsUnitOfWork(self.store, self.scope) as uow:
            await uow.connections.save(connection)
            await uow.oauth_tokens.put(sealed)
            await uow.commit()
        return connection.id

    async def stored(self, connection_id: UUID) -> tuple[Connection, OAuthTokens | None]:
        async with FakeIntegrationsUnitOfWork(self.store, self.scope) as uow:
            connection = await uow.connections.get(connection_id)
            sealed = await uow.oauth_tokens.get(connection_id)
        assert connection is not None
        tokens = await open_tokens(self.vault, sealed) if sealed else None
        return connection, tokens


async def world(*, rotate: bool = False, lock_timeout: float = 30.0) -> World:
    store, clock = InMemoryStore(), FrozenClock(WHEN)
    vault = await started_vault(keyring_on(FakeKeyVersions(store)))
    provider, notices = FakeProvider(rotate=rotate), RecordingReauthNotices()
    directory = ProviderDirectory(
        CATALOG, clients=CLIENTS, callback_template="https://a.test/{platform}",
        sandbox_base="https://sandbox.test",
    )  # fmt: skip
    sut = ConnectionTokens(
        uow_for=partial(FakeIntegrationsUnitOfWork, store),
        vault=vault,
        providers=directory,
        client=provider,
        notices=notices,
        clock=clock,
        policy=RefreshPolicy(lock_timeout_seconds=lock_timeout),
    )
    scope = Scope(tenant_id=new_tenant_id(), user_id=new_user_id())
    return World(store, clock, provider, notices, sut, scope, vault)


@pytest.mark.parametrize(("left", "refreshed"), [(301, False), (299, True)])
async def test_a_token_is_refreshed_only_within_five_minutes_of_expiry(
    left: int, refreshed: bool
) -> None:
    w = await world()
    connection_id = await w.connected()
    before = await w.sut.access_token(w.scope, connection_id)
    w.clock.advance(timedelta(seconds=3600 - left))

    after = await w.sut.access_token(w.scope, connection_id)

    assert (after.access_token != before.access_token) is refreshed
    assert w.provider.calls["refresh"] == int(refreshed)


async def test_ten_concurrent_callers_cause_exactly_one_refresh() -> None:
    w = await world(rotate=True)
    connection_id = await w.connected(expires_in=60)
    w.provider.gate = asyncio.Event()

    callers = [asyncio.create_task(w.sut.access_token(w.scope, connection_id)) for _ in range(10)]
    for _ in range(20):
        await asyncio.sleep(0)  # every caller is queued behind the first refresh
    w.provider.gate.set()
    grants = await asyncio.gather(*callers)

    assert w.provider.calls["refresh"] == 1
    assert len({g.access_token.reveal() for g in grants}) == 1


async def test_a_rotated_refresh_token_is_stored_with_its_access_token() -> None:
    w = await world(rotate=True)
    connection_id = await w.connected(expires_in=60)
    _, before = await w.stored(connection_id)

    grant = await w.sut.access_token(w.scope, connection_id)
    _, after = await w.stored(connection_id)

    assert before is not None
    assert after is not None
    assert after.access_token == grant.access_token
    assert after.refresh_token != before.refresh_token
    assert after.expires_at == w.clock.now() + timedelta(seconds=3600)
    w.clock.advance(timedelta(minutes=56))  # a second refresh uses the rotated token
    await w.sut.access_token(w.scope, connection_id)
    assert w.provider.calls["refresh"] == 2


async def test_a_response_without_a_refresh_token_keeps_the_stored_one() -> None:
    w = await world(rotate=False)
    connection_id = await w.connected(expires_in=60)
    _, before = await w.stored(connection_id)

    await w.sut.access_token(w.scope, connection_id)
    _, after = await w.stored(connection_id)

    assert before is not None
    assert after is not None
    assert after.refresh_token is not None
    assert after.refresh_token == before.refresh_token


async def test_a_dead_grant_needs_reauth_notifies_once_and_is_never_retried() -> None:
    w = await world()
    connection_id = await w.connected(expires_in=60)
    w.provider.refresh_tokens.clear()  # the person revoked the app at the provider

    for _ in range(3):
        with pytest.raises(ConnectionNeedsReauth):
            await w.sut.access_token(w.scope, connection_id)
    connection, tokens = await w.stored(connection_id)

    assert w.provider.calls["refresh"] == 1
    assert w.notices.sent == [connection_id]
    assert connection.status == "needs_reauth"
    assert connection.last_error == "invalid_grant"
    assert tokens is not None  # kept until the owner reconnects or disconnects


async def test_a_transient_failure_cools_down_every_caller_until_it_passes() -> None:
    w = await world()
    connection_id = await w.connected(expires_in=60)
    w.provider.fail_with = ProviderTransient("http_503", retry_after=30.0)

    with pytest.raises(RefreshUnavailable) as first:
        await w.sut.access_token(w.scope, connection_id)
    w.provider.fail_with = None
    storm = [w.sut.access_token(w.scope, connection_id) for _ in range(20)]
    refused = await asyncio.gather(*storm, return_exceptions=True)
    cooling, _ = await w.stored(connection_id)
    w.clock.advance(timedelta(seconds=first.value.retry_after))
    recovered = await w.sut.access_token(w.scope, connection_id)
    healed, _ = await w.stored(connection_id)

    assert 30 <= first.value.retry_after <= 34
    assert all(isinstance(r, RefreshUnavailable) for r in refused)
    assert cooling.status == "error"
    assert w.provider.calls["refresh"] == 2  # the failure, then the recovery: no storm
    assert recovered.access_token.reveal()
    assert healed.status == "active"


async def test_a_rejected_token_is_renewed_once_through_the_same_lock() -> None:
    w = await world()
    connection_id = await w.connected(expires_in=None)  # Salesforce: no announced expiry
    stale = await w.sut.access_token(w.scope, connection_id)

    first, second = await asyncio.gather(
        w.sut.renew(w.scope, connection_id, stale.access_token),
        w.sut.renew(w.scope, connection_id, stale.access_token),
    )

    assert w.provider.calls["refresh"] == 1
    assert first.access_token == second.access_token != stale.access_token


async def test_unknown_foreign_and_disconnected_connections_hand_out_nothing() -> None:
    w = await world()
    connection_id = await w.connected()
    stranger = Scope(tenant_id=w.scope.tenant_id, user_id=new_user_id())

    with pytest.raises(ConnectionNotFound):
        await w.sut.access_token(stranger, connection_id)
    async with FakeIntegrationsUnitOfWork(w.store, w.scope) as uow:
        await uow.oauth_tokens.remove(connection_id)
        await uow.commit()
    with pytest.raises(ConnectionRevoked):
        await w.sut.access_token(w.scope, connection_id)


async def test_a_refresh_waits_for_the_lock_no_longer_than_its_timeout() -> None:
    w = await world(lock_timeout=0.05)
    connection_id = await w.connected(expires_in=60)

    async with FakeIntegrationsUnitOfWork(w.store, w.scope) as holder:
        await holder.locks.hold(connection_id, 1)
        with pytest.raises(RefreshBusy):
            await w.sut.access_token(w.scope, connection_id)

    assert w.provider.calls["refresh"] == 0
