"""After connecting: tokens handed out and refreshed, a dead grant, reconnecting, disconnecting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from adapters.fakes.vault import VaultTables
from domain.graph.model import GraphBatch, Identity, Link
from domain.integrations.errors import ConnectionNeedsReauth
from entrypoints.http.di import resolve
from tests.e2e.connect_flow import (
    attempt_of,
    come_back,
    connect,
    consent,
    harness,
    open_start,
    person,
    sandbox_stats,
)
from tests.e2e.harness import bearer
from tests.factories.graph import create_activity, create_entity, ref
from tests.factories.sandbox_control import control_in

pytestmark = pytest.mark.e2e
__all__ = ["harness"]  # the fixture


async def _connection_tokens(container: Any) -> Any:
    return await resolve(container.use_cases.integrations.connection_tokens)


async def test_a_token_near_expiry_is_refreshed_and_a_fresh_one_is_not(harness: Any) -> None:
    client, container = harness
    me = person()
    attempt, _ = await connect(client, container, me, "hubspot")  # 30-minute tokens
    manager, clock = await _connection_tokens(container), container.adapters.clock()

    first = await manager.access_token(me.scope, attempt.connection_id)
    clock.advance(timedelta(minutes=24, seconds=59))  # 301 s left
    same = await manager.access_token(me.scope, attempt.connection_id)
    clock.advance(timedelta(seconds=2))  # 299 s left
    renewed = await manager.access_token(me.scope, attempt.connection_id)
    shown = await client.get(
        f"/api/v1/connections/{attempt.connection_id}", headers=bearer(container, me)
    )

    assert same.access_token == first.access_token
    assert renewed.access_token != first.access_token
    assert (await sandbox_stats(client, "hubspot"))["refreshes"] == 1
    assert shown.json()["last_refresh_at"] == clock.now().isoformat().replace("+00:00", "Z")


async def test_a_dead_grant_needs_reauth_and_reconnecting_restores_the_same_connection(
    harness: Any,
) -> None:
    client, container = harness
    me = person()
    attempt, _ = await connect(client, container, me, "slack")
    manager, clock = await _connection_tokens(container), container.adapters.clock()
    revoke = {"provider": "slack"}
    await client.post(
        "/sandbox/_control/grants/revoke", json=revoke, headers=control_in(client.app)
    )
    clock.advance(timedelta(hours=12))  # the 12 h access token has expired

    with pytest.raises(ConnectionNeedsReauth):
        await manager.access_token(me.scope, attempt.connection_id)
    with pytest.raises(ConnectionNeedsReauth):  # no retry: the provider is not asked again
        await manager.access_token(me.scope, attempt.connection_id)
    dead = await client.get(
        f"/api/v1/connections/{attempt.connection_id}", headers=bearer(container, me)
    )
    refresh_attempts = (await sandbox_stats(client, "slack"))["refresh_failures"]
    again, outcome = await connect_again(client, container, me, attempt.connection_id)
    restored = await client.get(
        f"/api/v1/connections/{attempt.connection_id}", headers=bearer(container, me)
    )
    grant = await manager.access_token(me.scope, attempt.connection_id)

    assert dead.json()["status"] == "needs_reauth"
    assert dead.json()["last_error"] == "invalid_refresh_token"
    assert refresh_attempts == 1
    assert again == attempt.connection_id
    assert (outcome.outcome, outcome.connection) == ("connected", str(attempt.connection_id))
    assert restored.json()["status"] == "active"
    assert restored.json()["last_error"] is None
    assert grant.access_token.reveal()


async def connect_again(client: Any, container: Any, me: Any, connection_id: UUID) -> Any:
    headers = bearer(container, me)
    answer = await client.post(f"/api/v1/connections/{connection_id}/reconnect", headers=headers)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    attempt = attempt_of(data, headers)
    opened = await open_start(client, attempt)
    decided = await consent(client, opened.location)
    outcome = await come_back(client, decided.headers["location"], attempt.cookie)
    return UUID(data["connection_id"]), outcome


@pytest.mark.parametrize(
    ("provider", "platform"),
    [("salesforce", "salesforce"), ("hubspot", "hubspot"), ("gmail", "google"),
     ("slack", "slack"), ("zendesk", "zendesk")],
)  # fmt: skip
async def test_disconnecting_revokes_at_the_provider_and_deletes_the_tokens(
    harness: Any, provider: str, platform: str
) -> None:
    client, container = harness
    me = person()
    attempt, _ = await connect(client, container, me, provider)

    answer = await client.delete(
        f"/api/v1/connections/{attempt.connection_id}", headers=bearer(container, me)
    )
    tokens = container.adapters.store().tables.of(VaultTables).oauth_tokens
    stats = await sandbox_stats(client, platform)

    assert answer.status_code == 200
    assert answer.json()["connection"]["status"] == "revoked"
    assert answer.json()["connection"]["revocation"] == "revoked"
    assert stats["revocation_calls"] == 1
    assert stats["tokens_revoked"] == 1
    assert [k for k in tokens if k[2] == attempt.connection_id] == []


async def test_jira_cannot_be_revoked_remotely_yet_its_tokens_are_deleted(harness: Any) -> None:
    client, container = harness
    me = person()
    attempt, _ = await connect(client, container, me, "jira")
    manager = await _connection_tokens(container)

    answer = await client.delete(
        f"/api/v1/connections/{attempt.connection_id}", headers=bearer(container, me)
    )

    assert answer.json()["connection"]["revocation"] == "unsupported"
    with pytest.raises(Exception, match="disconnected"):
        await manager.access_token(me.scope, attempt.connection_id)


async def test_a_failed_revocation_is_recorded_and_never_keeps_the_tokens(harness: Any) -> None:
    client, container = harness
    me = person()
    attempt, _ = await connect(client, container, me, "salesforce")
    fault = {"kind": "server_error", "statuses": [503]}
    await client.post("/sandbox/_control/faults", headers=control_in(client.app), json={
        "provider": "salesforce", "path": "/services/oauth2/revoke", "fault": fault})  # fmt: skip

    answer = await client.delete(
        f"/api/v1/connections/{attempt.connection_id}", headers=bearer(container, me)
    )
    tokens = container.adapters.store().tables.of(VaultTables).oauth_tokens

    assert answer.json()["connection"]["revocation"] == "failed:http_503"
    assert [k for k in tokens if k[2] == attempt.connection_id] == []


@pytest.mark.parametrize("purge", [False, True])
async def test_disconnecting_keeps_or_purges_the_connections_graph_records(
    harness: Any, purge: bool
) -> None:
    client, container = harness
    me = person()
    attempt, _ = await connect(client, container, me, "hubspot")
    scope, other = str(attempt.connection_id), "import-1"
    deal = create_entity(ref=ref("deal-1", scope=scope), type="deal")
    ann = (Identity(kind="email", value="ann@example.com"),)
    rep = create_entity(ref=ref("rep-1", scope=scope), type="person", identities=ann)
    same_rep = create_entity(ref=ref("ann", scope=other), type="person", identities=ann)
    moved = create_activity(ref=ref("a-1", scope=scope), links=(Link(object=deal.ref),))
    ingest = await resolve(container.use_cases.ingest_graph)
    await ingest.execute(me.scope, GraphBatch(entities=(deal, rep), activities=(moved,)))
    await ingest.execute(me.scope, GraphBatch(entities=(same_rep,)))

    answer = await client.delete(
        f"/api/v1/connections/{attempt.connection_id}",
        params={"purge": str(purge).lower()},
        headers=bearer(container, me),
    )
    entities = await client.get("/api/v1/graph/entities", headers=bearer(container, me))

    names = sorted(e["ref"]["source_id"] for e in entities.json()["entities"])
    if purge:
        assert answer.json()["purged"] == {"entities": 2, "activities": 1, "rewritten": 0}
        assert names == ["ann"]  # the other source's person stands alone again
    else:
        assert answer.json()["purged"] is None
        assert len(names) == 2  # ann and rep-1 are one person (listed under the smaller id)
        assert "deal-1" in names
