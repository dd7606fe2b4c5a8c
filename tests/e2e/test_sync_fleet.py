"""Two workers in processes of their own share one queue: 20 connections of 5 tenants, all
triggered together, each run exactly once, no duplicate activity, every record in its tenant."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from adapters.postgres.throwaway import ThrowawayDatabase
from domain.integrations.providers import CATALOG
from entrypoints.container import real_container
from entrypoints.database import DatabaseEndpoints
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from tests.conftest import FreshDatabase
from tests.e2e.connect_flow import BASE
from tests.e2e.sync_flow import Client, finished, member, sync_now
from tests.factories.sync_fleet import (
    ServedSandbox,
    WorkerProcess,
    atlas_env,
    connect_at,
    served_sandbox,
)

pytestmark = pytest.mark.e2e

PROVIDERS = list(CATALOG)
TENANTS, PER_TENANT = 5, 4
STRAYS = """
SELECT count(*) FROM atlas.{table} r
WHERE r.provider <> 'import' AND NOT EXISTS (
    SELECT 1 FROM atlas.connections c
    WHERE c.tenant_id = r.tenant_id AND c.connection_id::text = r.scope)
"""


@pytest.fixture
async def fleet(
    fresh_database: FreshDatabase, tmp_path: Path
) -> AsyncIterator[tuple[Client, ServedSandbox, dict[str, str]]]:
    async with served_sandbox(tmp_path / "sandbox") as sandbox:
        shared = {"ATLAS_PROVIDERS_BASE_URL": sandbox.base, "ATLAS_SANDBOX": "false"}
        settings = load_settings(shared | {"ATLAS_PASSWORD_HASH_CONCURRENCY": "2"}, cwd=tmp_path)
        endpoints = DatabaseEndpoints(app=fresh_database.app, owner=None)
        async with AsyncTestClient(
            create_app(real_container(settings, endpoints)), base_url=BASE
        ) as app:
            env = atlas_env(
                settings.data_dir,
                **shared,
                ATLAS_DATABASE_URL=fresh_database.app.render(hide_password=False),
            )
            yield app, sandbox, env


async def test_two_workers_run_every_connection_once_into_its_own_tenant(
    fleet: tuple[Client, ServedSandbox, dict[str, str]],
    tmp_path: Path,
    database: ThrowawayDatabase,
    fresh_database: FreshDatabase,
) -> None:
    app, sandbox, env = fleet
    owners = [await member(app) for _ in range(TENANTS)]
    connections: list[tuple[dict[str, str], str]] = []
    for n, owner in enumerate(owners):
        for k in range(PER_TENANT):
            provider = PROVIDERS[(n + k) % len(PROVIDERS)]
            body = {"subdomain": "northwind"} if provider == "zendesk" else {}
            connections.append((owner, await connect_at(app, sandbox, owner, provider, **body)))
    # Every connection asked twice at once, before any worker runs: the second ask must hand
    # back the first one's run (asked while workers run, a fast run may already have ended).
    triggered = await asyncio.gather(
        *(sync_now(app, o, c) for o, c in connections),
        *(sync_now(app, o, c) for o, c in connections),
    )
    workers = [WorkerProcess(env, tmp_path / f"worker-{n}.log") for n in range(2)]
    try:
        for worker in workers:
            await worker.started()
        runs = [
            await finished(app, o, r["id"], within=600)
            for (o, _), r in zip(connections, triggered[: len(connections)], strict=True)
        ]
    finally:
        for worker in workers:
            worker.close()
    listed = [
        (await app.get(f"/api/v1/sync-runs?connection={c}", headers=o)).json()["items"]
        for o, c in connections
    ]
    checks = await _database_checks(database, fresh_database.app.database)

    assert len({c for _, c in connections}) == 20  # twenty distinct connections
    assert [r["id"] for r in triggered[: len(connections)]] == [
        r["id"] for r in triggered[len(connections) :]
    ]
    assert [r["status"] for r in runs] == ["succeeded"] * 20, runs
    assert [len(items) for items in listed] == [1] * 20  # one run per connection per trigger
    assert all(r["attempts"] == 1 for r in runs)
    done_by = [w.log.read_text().count(" done") for w in workers]
    assert sum(done_by) == 20
    assert all(n > 0 for n in done_by), done_by  # both workers took jobs
    assert checks == {"stray entities": 0, "stray activities": 0, "duplicate activities": 0}


async def _database_checks(database: ThrowawayDatabase, name: str) -> dict[str, int]:
    """As the superuser (no row security): every synced record sits in the tenant of the
    connection that brought it; no source record is stored twice within a tenant."""
    conn = await asyncpg.connect(**database.superuser.with_database(name).asyncpg_kwargs())
    try:
        return {
            "stray entities": await conn.fetchval(STRAYS.format(table="graph_entities")),
            "stray activities": await conn.fetchval(STRAYS.format(table="graph_activities")),
            "duplicate activities": await conn.fetchval(
                """SELECT count(*) FROM (SELECT 1 FROM atlas.graph_activities
                GROUP BY tenant_id, provider, scope, source_id HAVING count(*) > 1) d"""
            ),
        }
    finally:
        await conn.close()
