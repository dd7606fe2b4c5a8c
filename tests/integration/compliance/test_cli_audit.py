"""``atlas audit verify`` against a real database: exit 0 on intact chains, 1 naming the break."""

from __future__ import annotations

import asyncio
import base64
import os
from functools import partial
from pathlib import Path

import asyncpg
import pytest
from click.testing import CliRunner, Result

from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.uow import PostgresUnitOfWork
from application.shared.scope import Scope
from domain.compliance.audit import AuditAction, AuditEntry
from entrypoints.cli import main
from tests.conftest import FreshDatabase
from tests.factories.identity import seed_tenant_with_owner

pytestmark = pytest.mark.integration


async def _atlas(db: FreshDatabase, data_dir: Path, *args: str) -> Result:
    env = {
        "ATLAS_DATABASE_URL": db.app.render(hide_password=False),
        "ATLAS_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "ATLAS_DATA_DIR": str(data_dir),
    }
    # The CLI runs its own event loop: give it a thread of its own.
    return await asyncio.to_thread(CliRunner().invoke, main, ["audit", "verify", *args], env=env)


async def test_verify_passes_intact_chains_and_names_the_first_broken_link(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    uow_for = partial(PostgresIdentityUnitOfWork, fresh_database.sessions)
    tenants = [(await seed_tenant_with_owner(uow_for))[0] for _ in range(2)]
    for tenant in tenants:
        for n in range(4):
            async with PostgresUnitOfWork(fresh_database.sessions, Scope(
                tenant_id=tenant.id, user_id=None)) as uow:  # fmt: skip
                uow.audit.record(AuditEntry(action=AuditAction.SYNC_REQUESTED, target_id=str(n)))
                await uow.commit()

    intact = await _atlas(fresh_database, tmp_path)
    # The owner role, bypassing the app (a copied database grants CONNECT to the app alone).
    owner = await asyncpg.connect(**fresh_database.superuser.asyncpg_kwargs())
    try:
        async with owner.transaction():
            await owner.execute("SET LOCAL ROLE atlas_owner")
            await owner.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenants[1].id))
            await owner.execute("ALTER TABLE atlas.audit_events DISABLE TRIGGER USER")
            await owner.execute("UPDATE atlas.audit_events SET target_id = 'x' WHERE seq = 3")
            await owner.execute("ALTER TABLE atlas.audit_events ENABLE TRIGGER USER")
    finally:
        await owner.close()
    broken = await _atlas(fresh_database, tmp_path)
    only_intact = await _atlas(fresh_database, tmp_path, "--tenant", str(tenants[0].id))

    assert intact.exit_code == 0, intact.output
    assert "2 chain(s), 8 event(s) verified, 0 broken" in intact.output
    assert broken.exit_code == 1
    assert f"BROKEN  tenant {tenants[1].id} at seq 3" in broken.output
    assert f"ok      tenant {tenants[0].id}: 4 event(s)" in broken.output
    assert only_intact.exit_code == 0
