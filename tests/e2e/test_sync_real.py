"""Sync on the real stack: HTTP, PostgreSQL with row security, PgQueuer, the worker, the
connectors against the sandbox mounted in the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import real_container
from entrypoints.database import DatabaseEndpoints
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from tests.conftest import FreshDatabase
from tests.e2e.connect_flow import BASE
from tests.e2e.sync_flow import Client, connected, finished, member, sync_now

pytestmark = pytest.mark.e2e


@pytest.fixture
async def client(fresh_database: FreshDatabase, tmp_path: Path) -> AsyncIterator[Client]:
    settings = load_settings({"ATLAS_PASSWORD_HASH_CONCURRENCY": "2"}, cwd=tmp_path)
    endpoints = DatabaseEndpoints(app=fresh_database.app, owner=None)
    app = create_app(real_container(settings, endpoints), with_worker=True)
    async with AsyncTestClient(app, base_url=BASE) as client:
        yield client


async def test_a_sync_asked_for_over_http_is_run_by_the_worker_into_the_graph(
    client: Client,
) -> None:
    owner = await member(client)
    connection = await connected(client, owner, "zendesk", subdomain="acme")

    queued = await sync_now(client, owner, connection)
    again = await sync_now(client, owner, connection)
    run = await finished(client, owner, queued["id"])
    shown = (await client.get(f"/api/v1/connections/{connection}", headers=owner)).json()
    runs = (await client.get(f"/api/v1/sync-runs?connection={connection}", headers=owner)).json()
    tickets = await client.get("/api/v1/graph/entities?type=ticket&limit=500", headers=owner)
    ticket_map = await client.get("/api/v1/graph/process-map?object_type=ticket", headers=owner)

    assert again["id"] == queued["id"]  # never two runs of one connection at once
    assert run["status"] == "succeeded", run
    assert run["records_new"] > 100
    assert {s["stream"] for s in run["streams"]} >= {"tickets", "ticket_events"}
    assert shown["sync"]["latest_run"]["id"] == run["id"]
    assert shown["sync"]["next_run_at"] is not None
    assert [r["id"] for r in runs["items"]] == [run["id"]]
    assert len(tickets.json()["entities"]) > 100
    nodes = {n["activity"] for n in ticket_map.json()["map"]["nodes"]}
    assert {"Ticket created", "Ticket solved"} <= nodes


async def test_another_member_sees_neither_the_connection_nor_its_runs(client: Client) -> None:
    owner, stranger = await member(client), await member(client)
    connection = await connected(client, owner, "zendesk", subdomain="acme")
    run = await sync_now(client, owner, connection)

    theirs = await client.post(f"/api/v1/connections/{connection}/sync", headers=stranger)
    peek = await client.get(f"/api/v1/sync-runs/{run['id']}", headers=stranger)
    listing = await client.get("/api/v1/sync-runs", headers=stranger)
    await finished(client, owner, run["id"])

    assert (theirs.status_code, peek.status_code) == (404, 404)
    assert listing.json()["items"] == []


async def test_a_bad_backfill_is_a_clear_error(client: Client) -> None:
    owner = await member(client)
    connection = await connected(client, owner, "zendesk", subdomain="acme")

    refused: Any = await client.patch(
        f"/api/v1/connections/{connection}", json={"backfill_days": 731}, headers=owner
    )

    assert refused.status_code in {400, 422}
    assert refused.headers["content-type"].startswith("application/problem+json")
