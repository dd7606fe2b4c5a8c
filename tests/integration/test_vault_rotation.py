"""Rotation on PostgreSQL: re-encryption survives a crash, serves requests, then v1 retires."""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any
from uuid import uuid4

import pytest

from adapters.crypto.aesgcm_vault import AesGcmVault
from adapters.crypto.keyring import Keyring
from adapters.crypto.vault_alerts import LoggingKeyUsageAlerts
from adapters.fakes.clock import FrozenClock
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.vault import PostgresVaultUnitOfWork
from adapters.postgres.vault_keys import PostgresKeyVersions
from application.shared.actor import Actor
from application.shared.scope import Scope
from application.vault.oauth_tokens import OAuthTokenStore
from application.vault.open_api_key import OpenApiKey
from application.vault.ports import KeyUsageAlerts
from application.vault.reencrypt import ReencryptSealedValues
from application.vault.retire_key import RetireVaultKey
from application.vault.store_api_key import StoreApiKey, StoreApiKeyCommand
from domain.identity.model import Role
from domain.shared.secret import Secret
from domain.vault.model import KeyState
from tests.conftest import FreshDatabase
from tests.factories.identity import seed_tenant_with_owner
from tests.factories.integrations import seed_connection
from tests.factories.vault import WHEN, Crash, crashing_after, keyring_on, marker, oauth_tokens

pytestmark = pytest.mark.integration


class Service:
    """One process's worth of vault wiring on a fresh database; a new instance is a restart."""

    def __init__(self, db: FreshDatabase, alerts: KeyUsageAlerts | None = None) -> None:
        self.db = db
        self.versions = PostgresKeyVersions(db.sessions)
        self.keyring: Keyring = keyring_on(self.versions, alerts=alerts)
        self.vault = AesGcmVault(self.keyring)
        self.vault_uow = partial(PostgresVaultUnitOfWork, db.sessions)
        self.store_key = StoreApiKey(self.vault_uow, self.vault, FrozenClock(WHEN))
        self.open_key = OpenApiKey(self.vault_uow, self.vault)
        self.tokens = OAuthTokenStore(self.vault_uow, self.vault, FrozenClock(WHEN))

    async def start(self) -> Service:
        await self.keyring.start()
        return self

    def reencrypt(self, uow_for: Any = None, batch_size: int = 4) -> ReencryptSealedValues:
        uow_for = uow_for or self.vault_uow
        return ReencryptSealedValues(
            self.keyring, self.versions, uow_for, self.vault, batch_size=batch_size
        )


async def _seed(service: Service, tenants: int = 2) -> dict[str, tuple[Scope, Any]]:
    identity_uow = partial(PostgresIdentityUnitOfWork, service.db.sessions)
    plaintexts: dict[str, tuple[Scope, Any]] = {}
    for _ in range(tenants):
        tenant, people = await seed_tenant_with_owner(identity_uow, members=1)
        owner = Actor(
            tenant_id=tenant.id, user_id=people[0].id, role=Role.OWNER, session_id=uuid4()
        )
        for n in range(5):
            value = marker("key")
            command = StoreApiKeyCommand(name=f"key-{n}", purpose="p", value=Secret(value))
            await service.store_key.execute(owner, command)
            plaintexts[value] = (owner.scope, f"key-{n}")
        for person in people:
            scope = Scope(tenant_id=tenant.id, user_id=person.id)
            for _ in range(3):
                access = marker("access")
                connection = await seed_connection(identity_uow, scope)
                await service.tokens.save(scope, connection, oauth_tokens(access=access))
                plaintexts[access] = (scope, connection)
    return plaintexts


async def _opens_to(service: Service, where: tuple[Scope, Any]) -> str:
    scope, handle = where
    if isinstance(handle, str):
        return (await service.open_key.execute(scope, handle)).reveal()
    loaded = await service.tokens.load(scope, handle)
    assert loaded is not None
    return loaded.access_token.reveal()


async def test_reencryption_killed_midway_resumes_and_every_value_still_opens(
    fresh_database: FreshDatabase,
) -> None:
    first = await Service(fresh_database).start()
    plaintexts = await _seed(first)
    await first.keyring.rotate()

    with pytest.raises(Crash):
        await first.reencrypt(crashing_after(first.vault_uow, 3)).execute()
    halfway = await first.versions.usage(1)
    second = await Service(fresh_database).start()  # the restarted process
    report = await second.reencrypt().execute()

    assert 0 < sum(s.values for s in halfway) < len(plaintexts)
    assert (report.unreadable, report.remaining) == (0, 0)
    assert await second.versions.usage(1) == []
    for plaintext, where in plaintexts.items():
        assert await _opens_to(second, where) == plaintext
    assert (await RetireVaultKey(second.keyring, second.versions).execute(1)).state is (
        KeyState.RETIRED
    )
    restarted = await Service(fresh_database).start()  # v1 retired: the service still starts
    assert [(v.version, v.state) for v in await restarted.keyring.versions()] == [
        (1, KeyState.RETIRED),
        (2, KeyState.ACTIVE),
    ]


async def test_requests_are_served_while_the_job_runs_and_none_fails(
    fresh_database: FreshDatabase,
) -> None:
    service = await Service(fresh_database).start()
    plaintexts = await _seed(service, tenants=3)
    await service.keyring.rotate()
    readers = [_opens_to(service, where) for where in plaintexts.values()]
    replaced = {scope: marker("new") for scope, name in plaintexts.values() if name == "key-0"}
    writers = [
        service.store_key.execute(
            Actor(tenant_id=s.tenant_id, user_id=s.user_id, role=Role.ADMIN, session_id=uuid4()),
            StoreApiKeyCommand(name="key-0", purpose="p", value=Secret(value)),
        )
        for s, value in replaced.items()
    ]

    report, *served = await asyncio.gather(
        service.reencrypt(batch_size=2).execute(), *readers, *writers
    )

    assert served[: len(readers)] == list(plaintexts)
    assert (report.unreadable, report.remaining) == (0, 0)
    assert await service.versions.usage(1) == []
    for scope, value in replaced.items():  # the job never put an older value back
        assert await _opens_to(service, (scope, "key-0")) == value


async def test_a_full_cycle_logs_no_plaintext_even_at_debug_level(
    fresh_database: FreshDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")  # statements and parameters
    service = await Service(fresh_database, LoggingKeyUsageAlerts()).start()

    plaintexts = await _seed(service, tenants=1)
    await service.keyring.rotate()
    await service.reencrypt().execute()
    opened = [await _opens_to(service, where) for where in plaintexts.values()]
    await RetireVaultKey(service.keyring, service.versions).execute(1)

    assert opened == list(plaintexts)
    assert "vault key version 2 now seals" in caplog.text  # the logs were captured
    assert "INSERT INTO atlas.api_keys" in caplog.text
    assert [p for p in plaintexts if p in caplog.text] == []
