"""The queue's metrics on PostgreSQL: read from the job table when scraped, by job kind."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from adapters.postgres.jobs import IMPORT_ENTRYPOINT
from entrypoints.container import real_container
from entrypoints.database import DatabaseEndpoints
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from tests.conftest import FreshDatabase
from tests.e2e.connect_flow import BASE
from tests.e2e.imports_http import import_file
from tests.e2e.sync_flow import connected, finished, member, sync_now
from tests.e2e.test_metrics import scraped, value
from tests.factories.event_logs import event_log, shared_data

pytestmark = pytest.mark.e2e
OCEL = (shared_data() / "ocel20_example.jsonocel").read_bytes()  # 1,000 events or so


async def test_a_queued_import_shows_in_the_queue_depth_and_its_wait(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    settings = load_settings({"ATLAS_SANDBOX": "false"}, cwd=tmp_path)
    container = real_container(settings, DatabaseEndpoints(app=fresh_database.app, owner=None))
    body = event_log("helpdesk.xes.gz").read_bytes()
    async with AsyncTestClient(create_app(container), base_url=BASE) as app:  # no worker
        with scraped(container) as scrape:
            before = await asyncio.to_thread(scrape)  # the loop must stay free to answer
            headers = await member(app)
            posted = await app.post(
                "/api/v1/graph/imports", content=body, headers=headers,
                params={"object_type": "ticket"},
            )  # fmt: skip
            after = await asyncio.to_thread(scrape)

    assert posted.status_code == 202, posted.text
    queued = {"kind": IMPORT_ENTRYPOINT, "state": "queued"}
    assert value(before, "atlas_queue_jobs", **queued) == 0
    assert value(after, "atlas_queue_jobs", **queued) == 1
    assert value(after, "atlas_queue_oldest_ready_seconds", kind=IMPORT_ENTRYPOINT) >= 0
    assert ("atlas_queue_oldest_ready_seconds", frozenset({("kind", IMPORT_ENTRYPOINT)})) in after


async def test_a_synced_connection_shows_in_the_freshness_per_provider_and_never_a_tenant(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    settings = load_settings({"ATLAS_PASSWORD_HASH_CONCURRENCY": "2"}, cwd=tmp_path)
    container = real_container(settings, DatabaseEndpoints(app=fresh_database.app, owner=None))
    async with AsyncTestClient(create_app(container, with_worker=True), base_url=BASE) as app:
        with scraped(container) as scrape:
            owner = await member(app)
            connection = await connected(app, owner, "zendesk", subdomain="acme")
            waiting = await asyncio.to_thread(scrape)  # connected, never synced yet
            between = time.monotonic()
            imported = await import_file(app, OCEL, owner)  # run by this process's worker
            run = await finished(app, owner, (await sync_now(app, owner, connection))["id"])
            synced = await asyncio.to_thread(scrape)
            between = time.monotonic() - between

    assert run["status"] == "succeeded", run
    assert value(waiting, "atlas_connections_active", provider="zendesk") == 1
    assert value(synced, "atlas_connections_active", provider="zendesk") == 1
    # Counted from the last success, not from the connection's creation: that was before the
    # first scrape, and the import and the run both happened between the two scrapes.
    assert value(synced, "atlas_sync_stalest_seconds", provider="zendesk") < between
    assert value(synced, "atlas_sync_runs_total", provider="zendesk", outcome="succeeded") == 1
    assert imported["state"] == "succeeded", imported
    done = value(synced, "atlas_import_duration_seconds_count", outcome="succeeded")
    assert done == 1
    labels = {k for (_, pairs) in synced for k, _ in pairs}
    assert not labels & {"tenant", "tenant_id", "user", "connection", "email"}
