"""An erased person stays erased across a restore (issue 13): a backup taken before the erasure,
restored by ``atlas restore --verify`` with the deployment's live erasure list, holds neither
their address nor their id anywhere but the suppression list, and its audit trail verifies."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest

from adapters.backup.dump import take_backup
from adapters.fakes.email import FakeEmailSender
from adapters.postgres.roles import DATABASE
from entrypoints.database import EmbeddedDatabase
from entrypoints.development import ensure_development_secrets
from entrypoints.settings import load_settings
from tests.conftest import FreshDatabase
from tests.e2e.identity_http import PASSWORD, bearer, join, sign_up_verified
from tests.e2e.sync_flow import Client
from tests.factories.erasure import SUPPRESSION_TABLE
from tests.factories.restore_cli import atlas, scratch
from tests.factories.team_stack import team

pytestmark = pytest.mark.e2e
__all__ = ["scratch", "team"]  # the fixtures

_TABLES = """
SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname IN ('atlas', 'atlas_jobs') ORDER BY 1
"""


async def _holding(root: Path, tmp_path: Path, needle: str) -> set[str]:
    """Every table of the restored copy with a row whose text holds ``needle``."""
    embedded = EmbeddedDatabase(
        load_settings({"ATLAS_DATA_DIR": str(root)}, cwd=tmp_path),
        ensure_development_secrets(root),
    )
    await embedded.start()
    try:
        superuser = embedded.endpoints.superuser
        assert superuser is not None
        conn = await asyncpg.connect(**superuser.with_database(DATABASE).asyncpg_kwargs())
        try:
            found = set()
            for (table,) in await conn.fetch(_TABLES):
                query = f"SELECT 1 FROM {table} x WHERE strpos(x::text, $1) > 0 LIMIT 1"
                if await conn.fetchval(query, needle):
                    found.add(table)
            return found
        finally:
            await conn.close()
    finally:
        embedded.stop()


async def test_a_backup_taken_before_an_erasure_restores_without_the_person(
    team: tuple[Client, FakeEmailSender],
    fresh_database: FreshDatabase,
    tmp_path: Path,
    scratch: Path,
) -> None:
    client, outbox = team
    owner = await sign_up_verified(client, outbox.sent)
    email = f"erin-{uuid4().hex[:8]}@example.com"
    person = await join(client, outbox.sent, owner, "member", email)
    data_dir = tmp_path / ".atlas"
    master = ensure_development_secrets(data_dir).master_key
    backup = await take_backup(fresh_database.backup, master, tmp_path / "backups")
    erased = await client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=bearer(person)
    )
    assert erased.status_code == 204, erased.text
    restored = scratch / "restored"
    live = fresh_database.backup.render(hide_password=False)

    code, out = await atlas("restore", str(backup.path), "--into", str(restored), "--verify",
                            "--erasures-from", live, data_dir=data_dir)  # fmt: skip
    verified, trail = await atlas("audit", "verify", data_dir=restored)

    assert code == 0, out
    assert "Erasures: the live list names 1 erased person" in out
    assert "Erasures: 1 added from the live list" in out
    assert await _holding(restored, tmp_path, email) == set()
    assert await _holding(restored, tmp_path, person["user_id"]) == {SUPPRESSION_TABLE}
    assert verified == 0, trail  # the trail lost the person, not its chain


async def test_a_restore_that_cannot_read_the_live_erasure_list_restores_nothing(
    fresh_database: FreshDatabase, tmp_path: Path, scratch: Path
) -> None:
    data_dir = tmp_path / ".atlas"  # no database lives here
    master = ensure_development_secrets(data_dir).master_key
    backup = await take_backup(fresh_database.backup, master, tmp_path / "backups")
    restored = scratch / "restored"

    code, out = await atlas("restore", str(backup.path), "--into", str(restored),
                            data_dir=data_dir)  # fmt: skip

    assert code == 1, out
    assert "--erasures-from none" in out
    assert not restored.exists()
