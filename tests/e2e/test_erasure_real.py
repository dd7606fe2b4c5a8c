"""Erasure on the real stack (GDPR Art. 17): after ``DELETE /me`` a dump of the database holds
neither the person's address nor their user id, except on the suppression list; a backup taken
before the erasure, restored, holds them again until ``apply_erasures()`` removes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from adapters.fakes.email import FakeEmailSender
from adapters.postgres.roles import OWNER_ROLE
from adapters.postgres.throwaway import ThrowawayDatabase
from tests.conftest import FreshDatabase, fresh_copy
from tests.e2e.connect_flow import sandbox_stats
from tests.e2e.identity_http import PASSWORD, bearer, join, sign_up_verified
from tests.e2e.sync_flow import Client, connected, finished, sync_now
from tests.factories.audit import verify_export
from tests.factories.dump import data_backup, database_dump, restore_data
from tests.factories.erasure import SUPPRESSION_TABLE, as_superuser, seed_person_records, traces
from tests.factories.team_stack import team

pytestmark = pytest.mark.e2e

__all__ = ["team"]  # the fixture


async def _erase(client: Client, tokens: dict[str, Any], password: str = PASSWORD) -> Any:
    return await client.request(
        "DELETE", "/api/v1/me", json={"password": password}, headers=bearer(tokens)
    )


async def test_an_erased_person_leaves_no_trace_but_the_suppression_list_even_after_a_restore(
    team: tuple[Client, FakeEmailSender],
    database: ThrowawayDatabase,
    fresh_database: FreshDatabase,
    migrated_template: str,
    tmp_path: Path,
) -> None:
    client, outbox = team
    owner = await sign_up_verified(client, outbox.sent)
    email = f"erin-{uuid4().hex[:8]}@example.com"
    person = await join(client, outbox.sent, owner, "member", email)
    theirs, user_id = bearer(person), UUID(person["user_id"])
    for provider in ("gmail", "hubspot"):
        connection = await connected(client, theirs, provider)
        run = await finished(client, theirs, (await sync_now(client, theirs, connection))["id"])
        assert run["status"] == "succeeded", (provider, run)
    name = fresh_database.app.database
    conn = await as_superuser(database, name)
    try:
        tenant_id = await conn.fetchval(
            "SELECT tenant_id FROM atlas.memberships WHERE user_id = $1", user_id
        )
        shared, _ = await seed_person_records(conn, tenant_id, email)
        colleagues, _ = await seed_person_records(
            conn, tenant_id, email, private_to=UUID(owner["user_id"])
        )
        private_ids = [str(r[0]) for r in await conn.fetch(
            "SELECT entity_id FROM atlas.graph_entities WHERE private_to = $1 "
            "UNION ALL SELECT activity_id FROM atlas.graph_activities WHERE private_to = $1",
            user_id,
        )]  # fmt: skip
    finally:
        await conn.close()
    backup = data_backup(
        database, name, tmp_path / "before.dump", excluded=["atlas.alembic_version"]
    )
    revoked_before = (await sandbox_stats(client, "google")).get("tokens_revoked", 0)

    erased = await _erase(client, person)
    dump = database_dump(database, name)
    again = await client.get("/api/v1/me", headers=theirs)
    signin = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    revoked = (await sandbox_stats(client, "google")).get("tokens_revoked", 0) - revoked_before

    assert erased.status_code == 204, erased.text
    assert again.status_code == 401
    assert signin.status_code == 401
    assert revoked == 1  # the mailbox's grant went back to Google
    assert len(private_ids) > 0  # the mailbox brought records of theirs
    assert traces(dump, email) == {}
    assert set(traces(dump, str(user_id))) == {SUPPRESSION_TABLE}
    assert traces(dump, *private_ids) == {}
    person_rows = traces(dump, str(shared), str(colleagues))["atlas.graph_entities"]
    assert all("erased-" in row and "Erin" not in row for row in person_rows)  # pseudonymised
    # The audit trail keeps what they did, without them, and still verifies end to end.
    trail = await client.get("/api/v1/audit/export", headers=bearer(owner))
    lines = [json.loads(line) for line in trail.text.splitlines()]
    joined = next(e for e in lines[1:] if e.get("action") == "invitation.accepted")
    assert (joined["actor_id"], joined["actor_salt"], joined["address"]) == ("", None, "")
    erasure = next(e for e in lines[1:] if e.get("action") == "data.erased")
    assert (erasure["actor_type"], erasure["actor_id"], erasure["address"]) == ("system", "", "")
    assert verify_export(lines) == len(lines) - 1

    async with fresh_copy(database, migrated_template) as restored:
        restore_data(database, restored.app.database, backup)
        before_apply = database_dump(database, restored.app.database)
        await _carry_suppression_list(database, name, restored)
        owner_conn = await _as_owner(database, restored)
        try:
            applied = await owner_conn.fetchval("SELECT atlas.apply_erasures()")
            applied_again = await owner_conn.fetchval("SELECT atlas.apply_erasures()")
        finally:
            await owner_conn.close()
        after_apply = database_dump(database, restored.app.database)

    assert traces(before_apply, email) != {}  # the backup brought the person back
    assert applied > 0
    assert applied_again == 0  # idempotent
    assert traces(after_apply, email) == {}
    assert set(traces(after_apply, str(user_id))) == {SUPPRESSION_TABLE}
    assert traces(after_apply, *private_ids) == {}


async def _carry_suppression_list(
    database: ThrowawayDatabase, live: str, restored: FreshDatabase
) -> None:
    """What ``atlas restore`` does before re-applying: the live list replaces the backup's."""
    source = await as_superuser(database, live)
    target = await as_superuser(database, restored.app.database)
    try:
        rows = await source.fetch("SELECT * FROM atlas.erasures")
        await target.execute("DELETE FROM atlas.erasures")
        await target.copy_records_to_table(
            "erasures", schema_name="atlas", records=[tuple(r) for r in rows]
        )
    finally:
        await source.close()
        await target.close()


async def _as_owner(database: ThrowawayDatabase, fresh: FreshDatabase) -> asyncpg.Connection:
    """The owner role, as ``atlas restore`` connects (a copy made by the superuser lets only
    the app role in until told otherwise)."""
    admin = await as_superuser(database, fresh.app.database)
    try:
        await admin.execute(f'GRANT CONNECT ON DATABASE "{fresh.app.database}" TO {OWNER_ROLE}')
    finally:
        await admin.close()
    return await asyncpg.connect(**fresh.owner.asyncpg_kwargs())
