"""Imports as jobs on the real stack: the API stores the upload and queues the job, workers in
processes of their own run it; a worker killed halfway leaves nothing, and the job, claimed
again once its heartbeat is stale, completes the import once."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import real_container
from entrypoints.database import DatabaseEndpoints
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from tests.conftest import FreshDatabase
from tests.e2e.connect_flow import BASE
from tests.e2e.imports_http import wait_for_import
from tests.e2e.sync_flow import member
from tests.factories.event_logs import event_log
from tests.factories.sync_fleet import WorkerProcess, atlas_env

pytestmark = pytest.mark.e2e

HELPDESK = event_log("helpdesk.xes.gz").read_bytes()
EVENTS = 21_348
POLLS = 6_000  # bounds on the work done while waiting, never a timing assertion


@pytest.fixture
async def stack(
    fresh_database: FreshDatabase, tmp_path: Path
) -> AsyncIterator[tuple[Any, dict[str, str]]]:
    settings = load_settings({"ATLAS_SANDBOX": "false"}, cwd=tmp_path)
    endpoints = DatabaseEndpoints(app=fresh_database.app, owner=None)
    async with AsyncTestClient(
        create_app(real_container(settings, endpoints)), base_url=BASE
    ) as app:  # an API process with no worker of its own
        env = atlas_env(
            settings.data_dir, ATLAS_SANDBOX="false", ATLAS_WORKER_HEARTBEAT_SECONDS="5",
            ATLAS_DATABASE_URL=fresh_database.app.render(hide_password=False),
        )  # fmt: skip
        yield app, env


async def _activities(fresh_database: FreshDatabase) -> int:
    """Every stored activity, whatever its tenant: counted as the superuser, whom row security
    does not bind."""
    connection = await asyncpg.connect(**fresh_database.superuser.asyncpg_kwargs())
    try:
        return int(await connection.fetchval("SELECT count(*) FROM atlas.graph_activities"))
    finally:
        await connection.close()


async def _status_until(app: Any, location: str, headers: dict[str, str], state: str) -> Any:
    for _ in range(POLLS):
        status = (await app.get(location, headers=headers)).json()
        if status["state"] == state:
            return status
        await asyncio.sleep(0.02)
    raise AssertionError(f"never {state}: {status}")


async def test_a_queued_import_is_run_by_a_worker_process(
    stack: tuple[Any, dict[str, str]], tmp_path: Path, fresh_database: FreshDatabase
) -> None:
    app, env = stack
    owner = await member(app)
    posted = await app.post("/api/v1/graph/imports", content=HELPDESK, headers=owner,
                            params={"object_type": "ticket"})  # fmt: skip
    queued = (await app.get(posted.headers["location"], headers=owner)).json()

    worker = WorkerProcess(env, tmp_path / "worker.log")
    try:
        await worker.started()
        done = await wait_for_import(app, posted.headers["location"], owner)
    finally:
        worker.close()
    mapped = (await app.get("/api/v1/graph/process-map?object_type=ticket", headers=owner)).json()

    assert posted.status_code == 202, posted.text
    assert queued["state"] == "queued"  # nothing ran it in the API process
    assert (done["state"], done["events"], done["attempts"]) == ("succeeded", EVENTS, 1)
    assert sum(n["count"] for n in mapped["map"]["nodes"]) == EVENTS
    assert await _upload_parts(fresh_database) == 0  # the upload is deleted once it is done


async def test_a_worker_killed_mid_import_leaves_nothing_and_the_retry_completes_it(
    stack: tuple[Any, dict[str, str]], tmp_path: Path, fresh_database: FreshDatabase
) -> None:
    app, env = stack
    owner = await member(app)
    posted = await app.post("/api/v1/graph/imports", content=HELPDESK, headers=owner,
                            params={"object_type": "ticket"})  # fmt: skip
    location = posted.headers["location"]

    first = WorkerProcess(env, tmp_path / "first.log")
    try:
        await first.started()
        running = await _status_until(app, location, owner, "running")
        first.signal(signal.SIGKILL)  # no graceful stop: its transaction dies with it
        await first.exited()
    finally:
        first.close()
    after_kill = (await app.get(location, headers=owner)).json()
    left_behind = await _activities(fresh_database)

    second = WorkerProcess(env, tmp_path / "second.log")
    try:
        await second.started()
        done = await wait_for_import(app, location, owner)
    finally:
        second.close()
    mapped = (await app.get("/api/v1/graph/process-map?object_type=ticket", headers=owner)).json()

    assert running["attempts"] == 1
    assert (after_kill["state"], after_kill["attempts"]) == ("running", 1)  # killed halfway
    assert left_behind == 0  # all or nothing: the killed attempt wrote nothing that stayed
    assert (done["state"], done["events"], done["attempts"]) == ("succeeded", EVENTS, 2)
    assert await _activities(fresh_database) == EVENTS  # once, not twice
    assert sum(n["count"] for n in mapped["map"]["nodes"]) == EVENTS


async def _upload_parts(fresh_database: FreshDatabase) -> int:
    connection = await asyncpg.connect(**fresh_database.superuser.asyncpg_kwargs())
    try:
        return int(await connection.fetchval("SELECT count(*) FROM atlas.import_parts"))
    finally:
        await connection.close()
