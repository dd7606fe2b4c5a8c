"""``atlas status`` on a real database, read as the backup role: what an operator sees of a
fresh deployment, of a queued sync and a connection needing its owner, of a queue that is not
keeping up, and of a database that is not there."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from click.testing import CliRunner, Result

from adapters.crypto.jwt_keyring import new_keyring, save_keyring
from adapters.postgres.feed_listener import LISTENER_NAME
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.migrate import head_revision
from adapters.postgres.sync_uow import PostgresSyncUnitOfWork
from adapters.postgres.vault_keys import PostgresKeyVersions
from application.shared.scope import Scope
from application.sync.ports import SyncJob
from domain.integrations.connection import ConnectionStatus
from domain.shared.ids import new_id
from entrypoints.cli import main
from entrypoints.identity_wiring import DEVELOPMENT_KEYRING
from tests.conftest import FreshDatabase
from tests.factories.identity import seed_tenant_with_owner
from tests.factories.integrations import seed_connection
from tests.factories.vault import keyring_on

pytestmark = pytest.mark.e2e

KEYS = {"healthy", "reachable", "checked_at", "database", "queue", "workers", "connections",
        "feed_listeners", "key_versions", "backups", "signing_keys", "findings"}  # fmt: skip


def _environment(db: FreshDatabase, data_dir: Path) -> dict[str, str]:
    return {
        "ATLAS_DATA_DIR": str(data_dir),
        "ATLAS_DATABASE_URL": db.app.render(hide_password=False),
        "ATLAS_DATABASE_OWNER_URL": db.owner.render(hide_password=False),
        "ATLAS_DATABASE_BACKUP_URL": db.backup.render(hide_password=False),
        "ATLAS_BACKUP_DIR": str(data_dir / "backups"),
        "ATLAS_LOG_LEVEL": "WARNING",
    }


async def _status(env: dict[str, str], *args: str) -> Result:
    # The command runs its own event loop: give it a thread of its own.
    return await asyncio.to_thread(CliRunner().invoke, main, ["status", *args], env=env)


async def _seed(db: FreshDatabase) -> tuple[Scope, Any, list[str]]:
    """A tenant with an active connection that has a sync job queued, and one needing reauth;
    returns the scope and every identifying value the status must never print."""
    identity = partial(PostgresIdentityUnitOfWork, db.sessions)
    tenant, (owner,) = await seed_tenant_with_owner(identity)
    scope = Scope(tenant_id=tenant.id, user_id=owner.id)
    active = await seed_connection(identity, scope, provider="hubspot")
    stuck = await seed_connection(
        identity, scope, provider="jira", status=ConnectionStatus.NEEDS_REAUTH
    )
    job = SyncJob(tenant_id=tenant.id, user_id=owner.id, connection_id=active, run_id=new_id())
    async with PostgresSyncUnitOfWork(db.sessions, scope) as uow:
        assert await uow.jobs.enqueue_sync(job)
        await uow.commit()
    private = [str(tenant.id), str(owner.id), str(active), str(stuck), tenant.name, owner.email]
    return scope, active, private


async def test_a_fresh_database_is_at_head_with_an_empty_queue(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    env = _environment(fresh_database, tmp_path)

    shown = await _status(env)
    machine = await _status(env, "--json")

    assert shown.exit_code == 0, shown.output
    assert f"{head_revision()} (at head)" in shown.output
    assert "queue        ok    empty" in shown.output
    assert "no verified backup recorded" in shown.output
    assert "Traceback" not in shown.output
    assert machine.exit_code == 0, machine.output
    body = json.loads(machine.output)
    assert set(body) == KEYS
    assert (body["healthy"], body["reachable"]) == (True, True)
    assert body["database"]["revision"] == body["database"]["head"] == head_revision()
    assert body["queue"] == []
    assert body["connections"]["by_status"] == {}
    assert body["signing_keys"] is None  # development makes its keyring on first start
    assert body["findings"] == [
        {"severity": "warn", "part": "backups", "reason": "no backup file yet"}
    ]  # a backup directory is set and holds no backup yet


async def test_a_queued_sync_and_a_connection_needing_reauth_are_counted_anonymously(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    env = _environment(fresh_database, tmp_path)
    _, _, private = await _seed(fresh_database)
    listener = await asyncpg.connect(  # an API process's feed listener, as the app role
        **fresh_database.app.asyncpg_kwargs(), server_settings={"application_name": LISTENER_NAME}
    )
    try:
        machine = await _status(env, "--json")
        shown = await _status(env)
    finally:
        await listener.close()

    body = json.loads(machine.output)
    (sync,) = body["queue"]
    assert (sync["entrypoint"], sync["queued"], sync["later"], sync["running"]) == (
        "sync.connection", 1, 0, 0,
    )  # fmt: skip
    assert sync["oldest_seconds"] > 0
    assert body["connections"]["by_status"] == {"active": 1, "needs_reauth": 1}
    assert body["feed_listeners"] == 1
    assert "1 active, 1 needs_reauth, 0 revoked, 0 error" in shown.output
    assert "sync.connection: 1 due" in shown.output
    assert "1 listener connection(s)" in shown.output
    # The seeded connection was created long ago and never synced: stale, so exit 1, with why.
    stalest = body["connections"]["stalest"]
    assert (stalest["provider"], stalest["never_succeeded"]) == ("hubspot", True)
    assert (machine.exit_code, shown.exit_code, body["healthy"]) == (1, 1, False)
    assert "FAIL connections: 1 active connection(s) without a successful sync" in shown.output
    assert "needs_reauth: their owners must reconnect them" in shown.output
    for value in private:
        assert value not in machine.output
        assert value not in shown.output


async def test_a_queue_that_is_not_kept_up_with_needs_attention(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    env = _environment(fresh_database, tmp_path)
    await _seed(fresh_database)
    owner = await asyncpg.connect(**fresh_database.owner.asyncpg_kwargs())
    try:  # the job has been due for an hour and no worker took it
        await owner.execute(
            "UPDATE atlas_jobs.pgqueuer SET execute_after = now() - interval '1 hour'"
        )
    finally:
        await owner.close()

    generous = await _status(env, "--json", "--stale-after", "100000000", "--queue-age", "7200")
    strict = await _status(env, "--stale-after", "100000000", "--queue-age", "600")

    assert generous.exit_code == 0, generous.output
    assert json.loads(generous.output)["queue"][0]["oldest_seconds"] >= 3600
    assert strict.exit_code == 1, strict.output
    assert "FAIL queue: sync.connection: the oldest due job has waited 1.0 h" in strict.output
    assert "WARN workers: 1 job(s) due and no worker heard from" in strict.output


async def test_workers_are_seen_by_their_scheduler_tick_and_their_running_jobs(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    env = _environment(fresh_database, tmp_path)
    await _seed(fresh_database)
    owner = await asyncpg.connect(**fresh_database.owner.asyncpg_kwargs())
    try:  # as PgQueuer leaves them: a tick 30 s ago, the job picked by a worker that beats
        await owner.execute(
            "INSERT INTO atlas_jobs.pgqueuer_schedules (expression, entrypoint, last_run) "
            "VALUES ('* * * * *', 'sync.schedule', now() - interval '30 seconds')"
        )
        await owner.execute(
            "UPDATE atlas_jobs.pgqueuer SET status = 'picked', "
            "queue_manager_id = gen_random_uuid(), heartbeat = now()"
        )
    finally:
        await owner.close()

    body = json.loads((await _status(env, "--json")).output)

    assert 30 <= body["workers"]["tick_seconds_ago"] < 3600
    assert (body["workers"]["busy"], body["workers"]["stale_running"]) == (1, 0)
    assert body["queue"][0]["running"] == 1
    assert not [f for f in body["findings"] if f["part"] in ("workers", "queue")]


async def test_an_unreachable_database_is_a_clear_message_and_exit_1(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    nowhere = str(tmp_path / "no-server-here")  # a socket directory nothing listens in
    away = dataclasses.replace(fresh_database.backup, socket_dir=nowhere)
    env = _environment(fresh_database, tmp_path) | {
        "ATLAS_DATABASE_BACKUP_URL": away.render(hide_password=False)
    }

    shown = await _status(env)
    machine = await _status(env, "--json")

    assert shown.exit_code == 1
    assert isinstance(shown.exception, SystemExit)  # a chosen exit, not a crash
    assert "database     FAIL  could not be read (below)" in shown.output
    assert "FAIL database: unreachable:" in shown.output
    assert f"ATLAS_DATABASE_BACKUP_URL is {away.render()}" in shown.output
    assert "Traceback" not in shown.output
    assert fresh_database.backup.password not in shown.output + machine.output
    body = json.loads(machine.output)
    assert set(body) == KEYS
    assert (machine.exit_code, body["healthy"], body["reachable"]) == (1, False, False)
    assert body["findings"][0]["part"] == "database"


async def test_a_schema_behind_keys_and_backup_files_are_read_from_where_they_live(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    env = _environment(fresh_database, tmp_path)
    await keyring_on(PostgresKeyVersions(fresh_database.sessions)).start()  # key version 1
    owner = await asyncpg.connect(**fresh_database.owner.asyncpg_kwargs())
    try:  # as if this release's last migration had not run, and version 1 were 400 days old
        await owner.execute("UPDATE atlas.alembic_version SET version_num = '0016'")
        await owner.execute(
            "UPDATE atlas.vault_key_versions SET created_at = now() - interval '400 days'"
        )
    finally:
        await owner.close()
    backups = tmp_path / "backups"
    backups.mkdir()
    taken = datetime.now(UTC) - timedelta(days=3)
    (backups / f"atlas-{taken:%Y%m%dT%H%M%S}Z.atlasbak").write_bytes(b"sealed")
    (tmp_path / "secrets").mkdir()  # the development keyring, its key made 400 days ago
    old = new_keyring("EdDSA", datetime.now(UTC) - timedelta(days=400))
    save_keyring(tmp_path / "secrets" / DEVELOPMENT_KEYRING, old)

    shown = await _status(env)
    body = json.loads((await _status(env, "--json", "--key-rotate-days", "500")).output)

    assert shown.exit_code == 1, shown.output
    assert f"FAIL migrations: schema at 0016, this release expects {head_revision()}" in (
        shown.output
    )
    (key,) = body["key_versions"]
    assert (key["version"], key["state"]) == (1, "active")
    assert 400 <= key["age_days"] < 401
    assert "WARN keys: vault key version 1 has sealed for 400 days (rotation period 365)" in (
        shown.output
    )
    assert "WARN keys: the access-token signing key has signed for 400 days" in shown.output
    assert 400 <= body["signing_keys"]["signing_age_days"] < 401
    assert not [f for f in body["findings"] if f["part"] == "keys"]  # within a 500-day period
    assert 3 * 86_400 <= body["backups"]["newest_taken_age_seconds"] < 4 * 86_400
    assert "newest file taken 3.0 d ago (unverified)" in shown.output
    assert "WARN backups: the newest is 3.0 d old" in shown.output


async def test_a_schema_too_old_for_the_rest_still_says_which_migration_it_is_at(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    env = _environment(fresh_database, tmp_path)
    owner = await asyncpg.connect(**fresh_database.owner.asyncpg_kwargs())
    try:  # as before migration 0003 made the vault's tables
        await owner.execute("UPDATE atlas.alembic_version SET version_num = '0002'")
        await owner.execute("ALTER TABLE atlas.vault_key_versions RENAME TO not_yet")
    finally:
        await owner.close()

    shown = await _status(env)

    assert shown.exit_code == 1, shown.output
    assert "FAIL migrations: schema at 0002" in shown.output
    assert "refused" not in shown.output


def test_the_status_needs_the_backup_role(fresh_database: FreshDatabase, tmp_path: Path) -> None:
    env = _environment(fresh_database, tmp_path)
    without = {k: v for k, v in env.items() if k != "ATLAS_DATABASE_BACKUP_URL"}

    refused = CliRunner().invoke(main, ["status"], env=without)

    assert refused.exit_code == 1
    assert "ATLAS_DATABASE_BACKUP_URL" in refused.output
    assert "Traceback" not in refused.output
