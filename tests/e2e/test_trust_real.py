"""The trust page on the real stack follows the running configuration: the password hasher's
cost, and the KDF parameters recorded for the vault key version that seals new values."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from domain.vault.model import KeyVersion
from entrypoints.container import real_container, start, stop
from entrypoints.database import DatabaseEndpoints
from entrypoints.http.app import create_app
from entrypoints.http.di import resolve
from entrypoints.settings import Settings, load_settings
from tests.conftest import FreshDatabase

pytestmark = pytest.mark.e2e


async def test_the_trust_page_shows_the_running_hasher_and_the_active_key_versions_kdf(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    settings = load_settings(
        {"ATLAS_BCRYPT_COST": "13", "ATLAS_PASSWORD_HASH_CONCURRENCY": "1"}, cwd=tmp_path
    )
    container = real_container(settings, DatabaseEndpoints(app=fresh_database.app, owner=None))

    async with AsyncTestClient(create_app(container)) as client:
        first = (await client.get("/api/v1/trust")).json()["encryption"]
        rotated = await _rotate(settings, fresh_database, iterations=650_000)
        second = (await client.get("/api/v1/trust")).json()["encryption"]

    assert first["passwords"] == {"algorithm": "bcrypt", "cost": 13}
    assert first["vault"]["iterations"] == 600_000  # the default for new key versions
    assert second["vault"] == {
        "algorithm": "AES-256-GCM",
        "kdf": "PBKDF2-SHA256",
        "iterations": 650_000,
        "key_version": rotated.version,
    }


async def _rotate(settings: Settings, database: FreshDatabase, iterations: int) -> KeyVersion:
    """As an operator's ``atlas keys vault rotate`` does: another process, the same database
    (the test client runs the app on a loop of its own)."""
    operator = real_container(settings, DatabaseEndpoints(app=database.app, owner=None))
    await start(operator)
    try:
        keyring = await resolve(operator.adapters.keyring)
        return await keyring.rotate(iterations=iterations)  # type: ignore[no-any-return]
    finally:
        await stop(operator)


async def test_argon2id_parameters_show_when_argon2id_is_the_scheme(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    settings = load_settings({"ATLAS_PASSWORD_SCHEME": "argon2id"}, cwd=tmp_path)
    container = real_container(settings, DatabaseEndpoints(app=fresh_database.app, owner=None))

    async with AsyncTestClient(create_app(container)) as client:
        passwords = (await client.get("/api/v1/trust")).json()["encryption"]["passwords"]

    assert passwords == {
        "algorithm": "argon2id",
        "memory_kib": 65536,
        "time_cost": 3,
        "parallelism": 4,
    }
