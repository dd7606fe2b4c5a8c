"""``atlas keys status | rotate | reencrypt | retire`` against a real database."""

from __future__ import annotations

import asyncio
import base64
import os
from functools import partial
from pathlib import Path
from uuid import uuid4

import pytest
from click.testing import CliRunner, Result

from adapters.crypto.aesgcm_vault import AesGcmVault
from adapters.crypto.kdf import pbkdf2_sha256
from adapters.crypto.keyring import KeyringPolicy
from adapters.fakes.clock import FrozenClock
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.vault import PostgresVaultUnitOfWork
from adapters.postgres.vault_keys import PostgresKeyVersions
from application.shared.actor import Actor
from application.vault.open_api_key import OpenApiKey
from application.vault.store_api_key import StoreApiKey, StoreApiKeyCommand
from domain.identity.model import Role
from domain.shared.secret import Secret
from entrypoints.cli import main
from tests.conftest import FreshDatabase
from tests.factories.identity import seed_tenant_with_owner
from tests.factories.vault import WHEN, keyring_on, marker

pytestmark = pytest.mark.integration


def _environment(db: FreshDatabase, master: bytes, data_dir: Path) -> dict[str, str]:
    return {
        "ATLAS_DATABASE_URL": db.app.render(hide_password=False),
        "ATLAS_MASTER_KEY": base64.b64encode(master).decode(),
        "ATLAS_DATA_DIR": str(data_dir),
    }


async def _atlas(env: dict[str, str], *args: str) -> Result:
    # The CLI runs its own event loop: give it a thread of its own.
    return await asyncio.to_thread(CliRunner().invoke, main, ["keys", *args], env=env)


async def test_rotate_reencrypt_and_retire_from_the_command_line(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    master = os.urandom(32)
    env = _environment(fresh_database, master, tmp_path)
    keyring = keyring_on(
        PostgresKeyVersions(fresh_database.sessions),
        master=Secret(master),
        kdf=pbkdf2_sha256,  # what the service derives with
        policy=KeyringPolicy(),
    )
    await keyring.start()
    vault_uow = partial(PostgresVaultUnitOfWork, fresh_database.sessions)
    tenant, (owner,) = await seed_tenant_with_owner(
        partial(PostgresIdentityUnitOfWork, fresh_database.sessions)
    )
    actor = Actor(tenant_id=tenant.id, user_id=owner.id, role=Role.OWNER, session_id=uuid4())
    value = marker("key")
    store = StoreApiKey(vault_uow, AesGcmVault(keyring), FrozenClock(WHEN))
    await store.execute(actor, StoreApiKeyCommand(name="crm", purpose="p", value=Secret(value)))

    before = await _atlas(env, "status")
    refused_active = await _atlas(env, "retire", "1")
    rotated = await _atlas(env, "rotate")
    refused_in_use = await _atlas(env, "retire", "1")
    reencrypted = await _atlas(env, "reencrypt", "--batch-size", "1")
    retired = await _atlas(env, "retire", "1")
    after = await _atlas(env, "status")
    opened = await OpenApiKey(vault_uow, AesGcmVault(keyring)).execute(actor.scope, "crm")

    assert before.exit_code == 0, before.output
    assert "active" in before.output
    assert "api_keys: 1 in 1 tenants" in before.output
    assert refused_active.exit_code == 1
    assert "rotate first" in refused_active.output
    assert rotated.exit_code == 0, rotated.output
    assert "Key version 2 now seals (600,000 PBKDF2 iterations)" in rotated.output
    assert refused_in_use.exit_code == 1
    assert "re-encrypt them first" in refused_in_use.output
    assert reencrypted.exit_code == 0, reencrypted.output
    assert "Re-encrypting" in reencrypted.output
    assert "Re-sealed 1 rows" in reencrypted.output
    assert retired.exit_code == 0, retired.output
    assert [line.split()[:2] for line in after.output.splitlines()[1:]] == [
        ["1", "retired"],
        ["2*", "active"],
    ]
    assert opened.reveal() == value
    assert value not in before.output + after.output + reencrypted.output


async def test_a_master_secret_that_derives_no_stored_version_is_refused_clearly(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    first = await _atlas(_environment(fresh_database, os.urandom(32), tmp_path), "status")

    wrong = await _atlas(_environment(fresh_database, os.urandom(32), tmp_path), "status")

    assert first.exit_code == 0, first.output
    assert wrong.exit_code == 1
    assert "master secret does not match" in wrong.output
