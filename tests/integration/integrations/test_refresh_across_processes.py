"""50 token requests for one expiring connection, from two processes, refresh it once."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import msgspec
import pytest

from adapters.clock import SystemClock
from adapters.crypto.aesgcm_vault import AesGcmVault
from adapters.postgres.engine import create_engine, session_factory
from adapters.postgres.vault_keys import PostgresKeyVersions
from adapters.sandbox.app import create_sandbox_app
from adapters.sandbox.config import Provider
from adapters.sandbox.sandbox import Sandbox
from entrypoints.sandbox import listening_socket, sandbox_server
from tests.conftest import FreshDatabase
from tests.factories.refresh_fleet import (
    Report,
    connection_tokens,
    jobs_json,
    refresh_all,
    seed_fleet,
)
from tests.factories.sandbox import config
from tests.factories.vault import keyring_on

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
CALLS = 25  # per process
DEADLINE = 120  # seconds: a stuck worker fails the test instead of hanging it


class Served:
    def __init__(self, sandbox: Sandbox, base: str) -> None:
        self.sandbox, self.base = sandbox, base
        self.seeding = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_sandbox_app(sandbox)), base_url=base
        )


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    """The sandbox on a real port of this process (the worker reaches it over TCP)."""
    sandbox = Sandbox(config(), SystemClock())
    sock = listening_socket("127.0.0.1", 0)
    server = sandbox_server(create_sandbox_app(sandbox), log_level="warning")
    # The socket listens already: connections made before uvicorn serves wait in its backlog.
    task = asyncio.create_task(server.serve(sockets=[sock]))
    served = Served(sandbox, f"http://127.0.0.1:{sock.getsockname()[1]}")
    try:
        yield served
    finally:
        await served.seeding.aclose()
        server.should_exit = True  # never cancel: the listener must leave the loop cleanly
        await task


async def _worker(db: FreshDatabase, jobs: Path, base: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "ATLAS_TEST_DATABASE_URL": db.app.render(hide_password=False)}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.factories.refresh_worker", str(jobs),
        "--sandbox", base, "--calls", str(CALLS), "--concurrency", str(CALLS),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT, env=env,
    )  # fmt: skip


@pytest.mark.parametrize("provider", ["hubspot", "slack"])  # slack: single-use refresh tokens
async def test_two_processes_refresh_an_expiring_connection_exactly_once(
    fresh_database: FreshDatabase, served: Served, tmp_path: Path, provider: Provider
) -> None:
    engine = create_engine(fresh_database.app, pool_size=CALLS, max_overflow=5)
    sessions = session_factory(engine)
    keyring = keyring_on(PostgresKeyVersions(sessions))
    await keyring.start()
    vault = AesGcmVault(keyring)
    jobs = await seed_fleet(
        sessions, vault, served.seeding, providers=[provider], users=1, per_user=1
    )
    (tmp_path / "jobs.json").write_bytes(jobs_json(jobs))
    worker = await _worker(fresh_database, tmp_path / "jobs.json", served.base)
    assert worker.stdout is not None
    assert worker.stdin is not None
    try:
        ready = await asyncio.wait_for(worker.stdout.readline(), DEADLINE)
        assert ready == b"ready\n"
        async with connection_tokens(sessions, vault, served.base) as manager:
            worker.stdin.write(b"go\n")
            await worker.stdin.drain()
            mine = await refresh_all(manager, jobs, calls_per_job=CALLS, concurrency=CALLS)
        theirs = msgspec.json.decode(
            await asyncio.wait_for(worker.stdout.readline(), DEADLINE), type=Report
        )
    finally:
        if worker.returncode is None:
            worker.kill()
        await worker.wait()
        await engine.dispose()

    stats = served.sandbox.stats
    (connection,) = [str(job.connection_id) for job in jobs]
    assert stats.get(provider, "refreshes") == 1
    assert stats.get(provider, "refresh_failures") == 0
    assert stats.get(provider, "family_revocations") == 0
    assert (mine.errors, theirs.errors) == ({}, {})
    assert mine.tokens[connection] == theirs.tokens[connection]  # both use the winner's token
    assert len(mine.tokens[connection]) == 1
