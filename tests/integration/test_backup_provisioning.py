"""The backup role on deployments as they are: migrated before the role existed, restored into
by URL, and never into a database that holds anything."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from adapters.backup.dump import take_backup
from adapters.backup.restore import RestoreRefused, opened_backup, restore
from adapters.postgres.cluster import SUPERUSER, Binaries, LocalCluster
from adapters.postgres.migrate import upgrade
from adapters.postgres.provision import provision
from adapters.postgres.roles import BACKUP_ROLE, DATABASE, OWNER_ROLE
from adapters.postgres.throwaway import ThrowawayDatabase
from domain.shared.secret import Secret
from tests.conftest import FreshDatabase

pytestmark = pytest.mark.integration


@pytest.fixture
async def bare_cluster() -> AsyncIterator[tuple[LocalCluster, str]]:
    root = Path(tempfile.mkdtemp(prefix="atlas-backup-role-"))
    cluster = LocalCluster(root, Binaries.embedded(), durable=False)
    password = secrets.token_urlsafe(24)
    cluster.initialise(password)
    cluster.start()
    try:
        yield cluster, password
    finally:
        cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


async def test_a_deployment_migrated_before_the_role_existed_gets_its_grants_on_provision(
    bare_cluster: tuple[LocalCluster, str],
) -> None:
    cluster, password = bare_cluster
    admin = cluster.socket_url(SUPERUSER, password)
    roles = {"owner_password": Secret(password), "app_password": Secret(password)}
    await provision(admin, **roles)  # as before issue 13: no backup role
    await upgrade(cluster.socket_url(OWNER_ROLE, password, DATABASE))  # 0016 skips, not fails

    await provision(admin, **roles, backup_password=Secret(password))

    conn = await asyncpg.connect(**cluster.socket_url(BACKUP_ROLE, password, DATABASE)
                                 .asyncpg_kwargs())  # fmt: skip
    try:
        unreadable = await conn.fetch(
            "SELECT c.oid::regclass::text FROM pg_class c WHERE c.relkind IN ('r', 'S') "
            "AND c.relnamespace::regnamespace::text IN ('atlas', 'atlas_jobs') "
            "AND NOT has_table_privilege(c.oid, 'SELECT')"
        )
        tenants = await conn.fetchval("SELECT count(*) FROM atlas.tenants")
    finally:
        await conn.close()
    assert unreadable == []
    assert tenants == 0


async def test_a_backup_restores_by_url_into_an_empty_provisioned_database(
    database: ThrowawayDatabase, fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    master = Secret(os.urandom(32))
    report = await take_backup(fresh_database.backup, master, tmp_path)
    name = f"atlas_restored_{secrets.token_hex(4)}"
    await provision(
        database.superuser, owner_password=Secret(database.owner.password or ""),
        app_password=Secret(database.app.password or ""),
        backup_password=Secret(database.backup.password or ""), database=name,
    )  # fmt: skip
    try:
        async with opened_backup(report.path, master) as opened:
            restored = await restore(opened, database.superuser.with_database(name))
            with pytest.raises(RestoreRefused, match="not empty"):
                await restore(opened, database.superuser.with_database(name))
    finally:
        admin = await asyncpg.connect(**database.superuser.asyncpg_kwargs())
        try:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    assert restored.ok, (restored.differences, restored.foreign_owners)
    assert restored.verified
