"""Faults on the real stack, with workers in processes of their own: a sync through 429s, 5xx
answers, a timeout, an access token that expires mid-run and a worker killed with SIGKILL ends
with the same graph as a fault-free sync of the same data; SIGTERM hands the job back after
committing the page in hand."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
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
from tests.e2e.sync_flow import Client, finished, member, sync_now
from tests.factories.sync_fleet import (
    ServedSandbox,
    WorkerProcess,
    atlas_env,
    connect_at,
    graph_digest,
    served_sandbox,
)

pytestmark = pytest.mark.e2e

ZENDESK = "/api/v2"


@dataclass
class Stack:
    app: Client
    sandbox: ServedSandbox
    worker_env: dict[str, str]
    logs: Path

    async def worker(self) -> WorkerProcess:
        """A worker in a process of its own, once it takes jobs."""
        n = len(list(self.logs.glob("worker-*.log")))
        worker = WorkerProcess(self.worker_env, self.logs / f"worker-{n}.log")
        await worker.started()
        return worker

    async def connected(self, headers: dict[str, str]) -> str:
        connection = await connect_at(self.app, self.sandbox, headers, "zendesk", subdomain="acme")
        changed = await self.app.patch(
            f"/api/v1/connections/{connection}", json={"backfill_days": 730}, headers=headers
        )
        assert changed.status_code == 200, changed.text
        return connection

    async def taken(self, fault_id: str, within: float = 60.0) -> None:
        """Wait until the fault was handed to a request: the worker is inside that call."""
        deadline = time.monotonic() + within
        # A rule leaves the sandbox's list once its last time was handed out.
        while fault_id in {str(f["id"]) for f in await self.sandbox.faults()}:
            assert time.monotonic() < deadline, "the fault was never reached"
            await asyncio.sleep(0.02)


@pytest.fixture
async def stack(fresh_database: FreshDatabase, tmp_path: Path) -> AsyncIterator[Stack]:
    async with served_sandbox(tmp_path / "sandbox") as sandbox:
        shared = {"ATLAS_PROVIDERS_BASE_URL": sandbox.base, "ATLAS_SANDBOX": "false"}
        settings = load_settings(shared | {"ATLAS_PASSWORD_HASH_CONCURRENCY": "2"}, cwd=tmp_path)
        endpoints = DatabaseEndpoints(app=fresh_database.app, owner=None)
        async with AsyncTestClient(
            create_app(real_container(settings, endpoints)), base_url=BASE
        ) as app:
            env = atlas_env(
                settings.data_dir,  # the same development master key as the API's vault
                ATLAS_DATABASE_URL=fresh_database.app.render(hide_password=False),
                ATLAS_WORKER_HEARTBEAT_SECONDS="5",
                ATLAS_PROVIDER_CALL_DEADLINE_SECONDS="3",
                **shared,
            )
            yield Stack(app=app, sandbox=sandbox, worker_env=env, logs=tmp_path)


async def test_faults_and_a_killed_worker_end_in_the_graph_a_fault_free_sync_makes(
    stack: Stack,
) -> None:
    calm, stormy = await member(stack.app), await member(stack.app)
    calm_connection, stormy_connection = await stack.connected(calm), await stack.connected(stormy)
    first = await stack.worker()
    try:
        baseline = await finished(
            stack.app, calm, (await sync_now(stack.app, calm, calm_connection))["id"]
        )
        unavailable = {"kind": "server_error", "statuses": [503, 502]}
        too_slow = {"kind": "slow", "seconds": 5}  # over the workers' 3 s deadline
        throttled = {"kind": "rate_limit", "retry_after": 1}
        await stack.sandbox.fault("zendesk", f"{ZENDESK}/organizations.json", unavailable, times=2)
        await stack.sandbox.fault("zendesk", f"{ZENDESK}/users.json", too_slow)
        await stack.sandbox.fault("zendesk", f"{ZENDESK}/incremental/tickets/cursor.json",
                                  throttled, times=2)  # fmt: skip
        hang = await stack.sandbox.fault("zendesk", f"{ZENDESK}/incremental/ticket_events.json",
                                         {"kind": "slow", "seconds": 2})  # fmt: skip
        run = await sync_now(stack.app, stormy, stormy_connection)
        await stack.taken(hang)
        first.signal(signal.SIGKILL)  # in the middle of the last stream's call
        assert await first.exited() == -signal.SIGKILL
    finally:
        first.close()
    expired = await stack.sandbox.expire_tokens("zendesk")  # the run resumes on a dead token
    second = await stack.worker()
    try:
        stormy_run = await finished(stack.app, stormy, run["id"])
    finally:
        second.close()

    assert baseline["status"] == "succeeded", baseline
    assert stormy_run["status"] == "succeeded", stormy_run
    assert stormy_run["attempts"] == 2  # picked again after the first worker's heartbeat died
    assert expired >= 1
    assert await stack.sandbox.faults() == []  # every fault was hit
    calm_graph = await graph_digest(stack.app, calm, {calm_connection: "zendesk"})
    assert calm_graph == await graph_digest(stack.app, stormy, {stormy_connection: "zendesk"})


async def test_sigterm_commits_the_page_in_hand_and_hands_the_job_back(stack: Stack) -> None:
    owner = await member(stack.app)
    connection = await stack.connected(owner)
    hang = await stack.sandbox.fault("zendesk", f"{ZENDESK}/incremental/ticket_events.json",
                                     {"kind": "slow", "seconds": 2})  # fmt: skip
    first = await stack.worker()
    try:
        run = await sync_now(stack.app, owner, connection)
        await stack.taken(hang)
        first.signal(signal.SIGTERM)
        stopped = await first.exited()
    finally:
        first.close()
    handed_back = await _run(stack.app, owner, run["id"])
    second = await stack.worker()
    try:
        done = await finished(stack.app, owner, run["id"])
    finally:
        second.close()

    assert stopped == 0
    assert (handed_back["status"], handed_back["error"]) == ("waiting", "worker_stopped")
    events = next(s for s in handed_back["streams"] if s["stream"] == "ticket_events")
    assert events["pages"] == 1  # the page in hand was stored before the worker stopped
    assert done["status"] == "succeeded", done
    assert done["attempts"] == 2


async def _run(app: Client, headers: dict[str, str], run_id: str) -> dict[str, Any]:
    answer = await app.get(f"/api/v1/sync-runs/{run_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]
