"""Backups that restore, on the real stack: a synced tenant with tokens and an API key is
backed up as atlas_backup, restored by ``atlas restore --into DIR --verify`` into a new
cluster, and the restored Atlas serves the same process map; a damaged file restores nothing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from adapters.backup.dump import BackupRefused, BackupReport, take_backup
from entrypoints.container import real_container
from entrypoints.database import DatabaseEndpoints, EmbeddedDatabase
from entrypoints.development import ensure_development_secrets
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from tests.conftest import FreshDatabase
from tests.e2e.connect_flow import BASE
from tests.e2e.identity_http import PASSWORD, bearer, verify_email
from tests.e2e.sync_flow import Client, connected, finished, sync_now
from tests.factories.restore_cli import atlas, scratch

__all__ = ["scratch"]  # the fixture

pytestmark = pytest.mark.e2e

EMAIL = "ada-backup@example.com"
CLEAR_ERROR = "the backup file is corrupted or was not made with this master secret"


@pytest.fixture
async def client(fresh_database: FreshDatabase, tmp_path: Path) -> AsyncIterator[Client]:
    settings = load_settings({"ATLAS_PASSWORD_HASH_CONCURRENCY": "2"}, cwd=tmp_path)
    endpoints = DatabaseEndpoints(app=fresh_database.app, owner=None)
    app = create_app(real_container(settings, endpoints), with_worker=True)
    async with AsyncTestClient(app, base_url=BASE) as client:
        yield client


async def _populated(client: Client) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """A tenant with a synced Zendesk (graph, OAuth tokens in the vault) and an API key."""
    signed = await client.post(
        "/api/v1/auth/signup",
        json={"email": EMAIL, "password": PASSWORD, "name": "Ada", "organisation": "Acme"},
    )
    await verify_email(client, None, signed.json())  # from the development outbox
    owner = bearer(signed.json())
    connection = await connected(client, owner, "zendesk", subdomain="acme")
    run = await finished(client, owner, (await sync_now(client, owner, connection))["id"])
    assert run["status"] == "succeeded", run
    stored = await client.put(
        "/api/v1/settings/api-keys/openai",
        json={"value": "sk-test-0123456789abcdef", "purpose": "Summaries"},
        headers=owner,
    )
    assert stored.status_code == 200, stored.text
    return owner, await _map(client, owner), stored.json()


async def _map(client: Client, headers: dict[str, str]) -> dict[str, Any]:
    answer = await client.get("/api/v1/graph/process-map?object_type=ticket", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["map"]  # type: ignore[no-any-return]


async def test_backup_restore_verify_round_trip_serves_the_same_process_map(
    client: Client, fresh_database: FreshDatabase, tmp_path: Path, scratch: Path
) -> None:
    _, original_map, api_key = await _populated(client)
    data_dir = tmp_path / ".atlas"
    master = ensure_development_secrets(data_dir).master_key
    backup = await take_backup(fresh_database.backup, master, tmp_path / "backups")
    restored_dir = scratch / "restored"

    live = fresh_database.backup.render(hide_password=False)
    code, out = await atlas("restore", str(backup.path), "--into", str(restored_dir),
                            "--verify", "--erasures-from", live, data_dir=data_dir)  # fmt: skip

    assert code == 0, out
    counted = {t.table: t.rows for t in backup.manifest.tables}
    assert counted["atlas.graph_activities"] > 100
    assert counted["atlas.oauth_tokens"] >= 1
    assert counted["atlas.api_keys"] == 1
    assert "counts and checksums equal the manifest" in out
    assert re.search(r"Tenancy checks: \d+ passed, 0 failed", out), out
    assert "Erasures: the live list names 0 erased people" in out
    assert "atlas.apply_erasures() re-applied, 0 rows" in out
    assert (backup.path.stat().st_mode & 0o777) == 0o600
    restored_map, keys = await _served_by_restored_copy(restored_dir, tmp_path)
    assert restored_map == original_map
    assert keys == [api_key]


async def _served_by_restored_copy(
    root: Path, tmp_path: Path
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    settings = load_settings({"ATLAS_DATA_DIR": str(root)}, cwd=tmp_path)
    embedded = EmbeddedDatabase(settings, ensure_development_secrets(root))
    await embedded.start()
    try:
        endpoints = DatabaseEndpoints(app=embedded.endpoints.app, owner=None)
        app = create_app(real_container(settings, endpoints))  # the vault opens: same secret
        async with AsyncTestClient(app, base_url=BASE) as restored:
            login = await restored.post(
                "/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            headers = bearer(login.json())
            keys = await restored.get("/api/v1/settings/api-keys", headers=headers)
            return await _map(restored, headers), keys.json()["items"]
    finally:
        embedded.stop()


@pytest.fixture
async def small_backup(fresh_database: FreshDatabase, tmp_path: Path) -> BackupReport:
    master = ensure_development_secrets(tmp_path / ".atlas").master_key
    return await take_backup(fresh_database.backup, master, tmp_path / "backups")


def _flip_middle_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 1000])


@pytest.mark.parametrize("damage", [_flip_middle_byte, _truncate])
async def test_a_damaged_backup_is_refused_and_restores_nothing(
    small_backup: BackupReport, tmp_path: Path, scratch: Path, damage: Any
) -> None:
    damage(small_backup.path)
    target = scratch / "restored"

    code, out = await atlas("restore", str(small_backup.path), "--into", str(target),
                            data_dir=tmp_path / ".atlas")  # fmt: skip

    assert code == 1, out
    assert CLEAR_ERROR in out
    assert not target.exists()


async def test_a_backup_is_refused_under_another_master_secret(
    small_backup: BackupReport, tmp_path: Path, scratch: Path
) -> None:
    target = scratch / "restored"

    code, out = await atlas("restore", str(small_backup.path), "--into", str(target),
                            data_dir=tmp_path / "another")  # fmt: skip

    assert code == 1, out
    assert CLEAR_ERROR in out
    assert not target.exists()


async def test_the_app_role_cannot_take_a_backup(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    master = ensure_development_secrets(tmp_path / ".atlas").master_key

    with pytest.raises(BackupRefused, match="bound by row security"):
        await take_backup(fresh_database.app, master, tmp_path / "backups")

    assert list((tmp_path / "backups").iterdir()) == []


async def test_the_backup_role_reads_everything_and_writes_nothing(
    fresh_database: FreshDatabase,
) -> None:
    conn = await asyncpg.connect(**fresh_database.backup.asyncpg_kwargs())
    try:
        role = await conn.fetchrow(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles "
            "WHERE rolname = current_user"
        )
        unreadable = await conn.fetch(
            "SELECT c.oid::regclass::text FROM pg_class c WHERE c.relkind IN ('r', 'S') "
            "AND c.relnamespace::regnamespace::text IN ('atlas', 'atlas_jobs') "
            "AND NOT has_table_privilege(c.oid, 'SELECT')"
        )
        writable = await conn.fetch(
            "SELECT c.oid::regclass::text FROM pg_class c WHERE c.relkind = 'r' "
            "AND c.relnamespace::regnamespace::text IN ('atlas', 'atlas_jobs') "
            "AND has_table_privilege(c.oid, 'INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER')"
        )
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await conn.execute("DELETE FROM atlas.tenants")
    finally:
        await conn.close()

    assert dict(role) == {
        "rolsuper": False, "rolbypassrls": True, "rolcreaterole": False, "rolcreatedb": False,
    }  # fmt: skip
    assert unreadable == []
    assert writable == []
