"""A member leaves, on the real stack: every grant of theirs is given back at the provider,
the records of their own mailbox and calendar leave with them, the company's records stay."""

from __future__ import annotations

import asyncpg
import pytest

from adapters.fakes.email import FakeEmailSender
from adapters.postgres.throwaway import ThrowawayDatabase
from tests.conftest import FreshDatabase
from tests.e2e.connect_flow import sandbox_stats
from tests.e2e.identity_http import bearer, join, sign_up_verified
from tests.e2e.sync_flow import Client, connected, finished, sync_now
from tests.factories.team_stack import team

pytestmark = pytest.mark.e2e

MEMBERS = "/api/v1/tenants/current/members"
PERSONAL, SHARED = ("gmail", "google_calendar"), ("hubspot",)
RECORDS = """SELECT (SELECT count(*) FROM atlas.graph_activities WHERE scope = $1)
    + (SELECT count(*) FROM atlas.graph_entities WHERE scope = $1)"""

__all__ = ["team"]  # the fixture


async def test_a_member_who_leaves_takes_their_grants_and_personal_records_along(
    team: tuple[Client, FakeEmailSender],
    database: ThrowawayDatabase,
    fresh_database: FreshDatabase,
) -> None:
    client, outbox = team
    owner = await sign_up_verified(client, outbox.sent)
    leaver = await join(client, outbox.sent, owner, "member", "leaver@example.com")
    theirs = bearer(leaver)
    connections = {p: await connected(client, theirs, p) for p in PERSONAL + SHARED}
    for provider, connection in connections.items():
        run = await finished(client, theirs, (await sync_now(client, theirs, connection))["id"])
        assert run["status"] == "succeeded", (provider, run)
    before = await _records(database, fresh_database, connections)
    revoked_before = {p: await _revoked(client, p) for p in ("google", "hubspot")}

    removed = await client.delete(f"{MEMBERS}/{leaver['user_id']}", headers=bearer(owner))
    after = await _records(database, fresh_database, connections)
    revoked = {p: await _revoked(client, p) - revoked_before[p] for p in ("google", "hubspot")}
    roster = (await client.get(MEMBERS, headers=bearer(owner))).json()
    threads = await client.get("/api/v1/graph/entities?type=email_thread", headers=bearer(owner))
    again = await client.get("/api/v1/connections", headers=theirs)

    assert all(before[p] > 0 for p in connections), before  # every source brought records
    assert removed.status_code == 204, removed.text
    assert revoked == {"google": 2, "hubspot": 1}  # every grant given back
    assert {p: after[p] for p in PERSONAL} == dict.fromkeys(PERSONAL, 0)
    assert {p: after[p] for p in SHARED} == {p: before[p] for p in SHARED}  # the company's
    assert threads.json()["entities"] == []
    assert [m["user_id"] for m in roster] == [owner["user_id"]]
    assert again.status_code == 401  # their session ended with the membership


async def _revoked(client: Client, platform: str) -> int:
    return (await sandbox_stats(client, platform)).get("tokens_revoked", 0)


async def _records(
    database: ThrowawayDatabase, fresh_database: FreshDatabase, connections: dict[str, str]
) -> dict[str, int]:
    """As the superuser (no row security): what each connection's scope holds."""
    conn = await asyncpg.connect(
        **database.superuser.with_database(fresh_database.app.database).asyncpg_kwargs()
    )
    try:
        return {p: await conn.fetchval(RECORDS, c) for p, c in connections.items()}
    finally:
        await conn.close()
