"""Operations: back up, then restore and verify, a database holding BPIC 2012 and a synced
sandbox company.

A throwaway PostgreSQL gets the BPIC 2012 log imported into one tenant (262,200 events) and a
second tenant that connected all seven sandbox providers (the default company, mounted in the
app) and synced them with the in-app worker. Then ``take_backup`` as ``atlas_backup`` (the code
``atlas backup`` runs): one snapshot, counted and digested, ``pg_dump`` streamed into the sealed
file. Then what ``atlas restore --into DIR --verify`` runs: decrypt and authenticate, a new
cluster (initdb, provisioning), ``pg_restore`` in one transaction, the census of the copy
compared with the manifest, and the tenancy checks. Figures: seconds, MB/s of database size,
backup size against database size.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

import asyncpg
from litestar.testing import AsyncTestClient

from adapters.backup.dump import BackupReport, take_backup
from adapters.backup.restore import opened_backup, restore
from adapters.importers.files import LocalFile
from adapters.postgres.cluster import SUPERUSER, Binaries, LocalCluster
from adapters.postgres.engine import create_engine, session_factory
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.provision import provision
from adapters.postgres.roles import APP_ROLE, BACKUP_ROLE, DATABASE
from adapters.postgres.tenancy_checks import run_checks
from adapters.postgres.throwaway import ThrowawayDatabase, start_throwaway_database
from application.graph.importing import ImportOptions
from bench.graph import LOG, _importer, _tenant
from bench.stats import line
from domain.integrations.providers import CATALOG
from domain.shared.secret import Secret
from entrypoints.container import real_container
from entrypoints.database import DatabaseEndpoints
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from tests.e2e.connect_flow import BASE
from tests.e2e.sync_flow import connected, finished, member, sync_now


async def run() -> dict[str, float]:
    print("Ops: backup, then verified restore, of BPIC 2012 plus a synced sandbox company")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    db = await start_throwaway_database()
    root = Path(tempfile.mkdtemp(prefix="atlas-bench-ops-"))
    try:
        await _populate(db, root)
        size = await _database_bytes(db)
        line("database size (pg_database_size)", f"{size / 1e6:,.0f} MB")
        master = Secret(os.urandom(32))
        report = await take_backup(db.backup, master, root / "backups")
        figures = _backup_figures(report, size)
        figures |= await _restore(report, master, root / "restored", size)
        return figures
    finally:
        db.cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


async def _populate(db: ThrowawayDatabase, root: Path) -> None:
    engine = create_engine(db.app, pool_size=2, max_overflow=2)
    try:
        sessions = session_factory(engine)
        actor = await _tenant(lambda scope: PostgresIdentityUnitOfWork(sessions, scope))
        started = time.perf_counter()
        summary = await _importer(sessions).execute(actor, await LocalFile.of(LOG), ImportOptions())
        line(
            "BPIC 2012 imported",
            f"{summary.events:,} events in {time.perf_counter() - started:.1f} s",
        )
    finally:
        await engine.dispose()
    await _sync_company(db, root)


async def _sync_company(db: ThrowawayDatabase, root: Path) -> None:
    settings = load_settings({"ATLAS_LOG_LEVEL": "WARNING"}, cwd=root)
    app = create_app(real_container(settings, DatabaseEndpoints(app=db.app, owner=None)),
                     with_worker=True)  # fmt: skip
    started = time.perf_counter()
    async with AsyncTestClient(app, base_url=BASE, timeout=600) as client:
        owner = await member(client)
        runs = {}
        for provider in CATALOG:
            body = {"subdomain": "northwind"} if provider == "zendesk" else {}
            connection = await connected(client, owner, provider, **body)
            runs[provider] = (await sync_now(client, owner, connection))["id"]
        done = [await finished(client, owner, r, within=1800, every=0.5) for r in runs.values()]
    assert all(r["status"] == "succeeded" for r in done), done
    records = sum(r["records_new"] for r in done)
    line("sandbox company synced (seven providers)",
         f"{records:,} records in {time.perf_counter() - started:.1f} s")  # fmt: skip


async def _database_bytes(db: ThrowawayDatabase) -> int:
    conn = await asyncpg.connect(**db.superuser.asyncpg_kwargs())
    try:
        return int(await conn.fetchval("SELECT pg_database_size($1)", DATABASE))
    finally:
        await conn.close()


def _backup_figures(report: BackupReport, size: int) -> dict[str, float]:
    rows = report.manifest.rows
    line("backup: tables, rows", f"{len(report.manifest.tables)}, {rows:,}")
    line(
        "backup: seconds (of which the census)",
        f"{report.seconds:.1f} s ({report.census_seconds:.1f} s)",
    )
    line("backup: throughput (database size / seconds)", f"{size / 1e6 / report.seconds:,.0f} MB/s")
    line(
        "backup: file size (vs database size)",
        f"{report.file_bytes / 1e6:,.1f} MB ({100 * report.file_bytes / size:.0f} %)",
    )
    return {
        "backup_s": report.seconds,
        "census_s": report.census_seconds,
        "backup_mb_per_s": size / 1e6 / report.seconds,
        "backup_mb": report.file_bytes / 1e6,
        "database_mb": size / 1e6,
    }


async def _restore(
    report: BackupReport, master: Secret[bytes], root: Path, size: int
) -> dict[str, float]:
    started = time.perf_counter()
    async with opened_backup(report.path, master) as opened:
        unsealed = time.perf_counter() - started
        cluster = LocalCluster(root, Binaries.embedded())  # durable, like atlas restore's
        password = secrets.token_urlsafe(24)
        try:
            cluster.initialise(password)
            cluster.start()
            admin = cluster.socket_url(SUPERUSER, password)
            await provision(admin, owner_password=Secret(password), app_password=Secret(password),
                            backup_password=Secret(password))  # fmt: skip
            reader = cluster.socket_url(BACKUP_ROLE, password, DATABASE)
            restored = await restore(opened, admin.with_database(DATABASE), reader=reader)
            checks = await run_checks(cluster.socket_url(APP_ROLE, password, DATABASE))
        finally:
            cluster.destroy()
    total = time.perf_counter() - started
    assert restored.ok, restored.differences
    assert all(c.passed for c in checks), [c for c in checks if not c.passed]
    line("restore: decrypt and authenticate", f"{unsealed:.1f} s")
    line("restore: pg_restore + verify (of which verify)",
         f"{restored.seconds:.1f} s ({restored.verify_seconds:.1f} s)")  # fmt: skip
    line("restore: end to end, new cluster and tenancy checks included", f"{total:.1f} s")
    line("restore: throughput (database size / end to end)", f"{size / 1e6 / total:,.0f} MB/s")
    line("restore: differences from the manifest", f"{len(restored.differences)}")
    return {"restore_s": total, "restore_mb_per_s": size / 1e6 / total,
            "verify_s": restored.verify_seconds}  # fmt: skip
